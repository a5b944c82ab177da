// Drives the operator UI in headless Chromium; run by e2e_test.go with
// WHARF_URL (a worker with the connectors lines-src, broken and s3-landing),
// WHARF_S3_PARQUET (a Parquet sink the landed step creates and deletes),
// WHARF_NODE_MODULES (holding playwright-core), WHARF_SCREENSHOTS, WHARF_TMP,
// WHARF_SINK_FILE and WHARF_JSON_FILE. Exits non-zero on the first failed check.
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require(path.join(process.env.WHARF_NODE_MODULES, 'playwright-core'));

const base = process.env.WHARF_URL;
const shots = process.env.WHARF_SCREENSHOTS;
const TIMEOUT = 20000;

function step(s) { console.log(new Date().toISOString().slice(11, 23), 'step:', s); }

async function shot(page, name) {
  await page.mouse.move(0, 0);
  await page.evaluate(() => { window.scrollTo(0, 0); if (document.activeElement) document.activeElement.blur(); });
  await page.screenshot({ path: path.join(shots, 'ui-' + name + '.png') });
}

// waitText waits until an element matching sel contains text.
async function waitText(page, sel, text, timeout = TIMEOUT) {
  try {
    await page.waitForFunction(([s, t]) => [...document.querySelectorAll(s)].some((e) => e.textContent.includes(t)),
      [sel, text], { timeout });
  } catch (e) {
    const seen = await page.$$eval(sel, (els) => els.map((e) => e.textContent.slice(0, 300)));
    throw new Error(`no ${sel} containing ${JSON.stringify(text)} within ${timeout}ms; saw ${JSON.stringify(seen)}`);
  }
}

async function count(page, sel, text) {
  return page.$$eval(sel, (els, t) => els.reduce((n, e) => n + e.textContent.split(t).length - 1, 0), text);
}

function check(cond, msg) { if (!cond) throw new Error('check failed: ' + msg); }

async function main() {
  const ctx = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(process.env.WHARF_TMP, 'chromium-')), {
    executablePath: process.env.WHARF_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') console.log('console error:', m.text()); });
  try {
    await run(page);
  } finally {
    await ctx.close();
  }
  if (pageErrors.length) throw new Error('JavaScript errors in the page: ' + pageErrors.join('; '));
}

async function run(page) {
  step('GET / from a browser redirects to the UI');
  await page.goto(base + '/');
  check(page.url() === base + '/ui/', 'landed on ' + page.url());

  step('connector list: states, failed-task marker, direction, search');
  await waitText(page, 'tr[data-connector="lines-src"] .badge', 'RUNNING');
  await waitText(page, 'tr[data-connector="broken"] .failed-marker', '1 failed');
  await waitText(page, 'tr[data-connector="s3-landing"] .dir', 'Kafka → sink');
  await waitText(page, 'tr[data-connector="lines-src"] .dir', 'source → Kafka');
  await waitText(page, '#count', '(3)');
  await page.locator('body').press('/');
  check(await page.evaluate(() => document.activeElement.id) === 'search', '"/" focuses the search box');
  await page.keyboard.type('brok');
  await page.waitForFunction(() => document.querySelectorAll('tr[data-connector]').length === 1);
  await page.fill('#search', '');
  await page.waitForFunction(() => document.querySelectorAll('tr[data-connector]').length === 3);
  await shot(page, 'connectors');

  step('create through the generated form');
  await page.click('nav >> text=New connector');
  await page.click('a[data-plugin="org.apache.kafka.connect.file.FileStreamSinkConnector"]');
  await page.waitForSelector('#f-name');
  await page.fill('#f-tasks_max', 'abc');
  await waitText(page, '.field[data-key="tasks.max"] .field-errors', 'abc');
  await page.fill('#f-tasks_max', '1');
  await page.fill('#f-name', 'form-sink');
  await page.fill('#f-topics', 'lines');
  await page.fill('#f-file', process.env.WHARF_SINK_FILE);
  await waitText(page, '#error-count', 'Configuration is valid');
  await waitText(page, '#curl', '"name": "form-sink"');
  await waitText(page, '#curl', `"file": "${process.env.WHARF_SINK_FILE}"`);
  await shot(page, 'create-form');
  await page.click('#create-btn');
  await page.waitForURL(/#\/connectors\/form-sink$/);
  await waitText(page, '#conn-state', 'RUNNING');

  step('create through pasted JSON (flat shape)');
  await page.goto(base + '/ui/#/new-json');
  const flat = { name: 'json-src', 'connector.class': 'FileStreamSource', file: process.env.WHARF_JSON_FILE,
    topic: 'json-lines', 'tasks.max': 1, 'db.password': 'hunter2' };
  await page.fill('#json-input', JSON.stringify(flat, null, 2));
  await waitText(page, '#curl', '"name": "json-src"');
  await page.click('#json-validate');
  await waitText(page, '#json-status', 'Configuration is valid');
  await shot(page, 'create-json');
  await page.click('#json-create');
  await page.waitForURL(/#\/connectors\/json-src$/);
  await waitText(page, '#conn-state', 'RUNNING');

  step('create through an uploaded JSON file ({"name","config"} shape)');
  await page.goto(base + '/ui/#/new-json');
  await page.setInputFiles('#json-file', { name: 'nested.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({
    name: 'json-nested', config: { 'connector.class': 'FileStreamSource', file: process.env.WHARF_JSON_FILE, topic: 'nested' } })) });
  await waitText(page, '#curl', '"name": "json-nested"');
  await page.click('#json-create');
  await page.waitForURL(/#\/connectors\/json-nested$/);

  step('errors are shown at creation (duplicate name)');
  await page.goto(base + '/ui/#/new-json');
  await page.fill('#json-input', JSON.stringify(flat));
  await page.click('#json-create');
  await waitText(page, '#json-status', 'already exists');

  step('pause shows PAUSED');
  await page.goto(base + '/ui/#/connectors/json-src');
  await waitText(page, '#conn-state', 'RUNNING');
  await page.click('#btn-pause');
  await waitText(page, '#conn-state', 'PAUSED');
  await page.click('nav >> text=Connectors');
  await waitText(page, 'tr[data-connector="json-src"] .badge', 'PAUSED');

  step('offsets: view, reset only when stopped');
  await page.goto(base + '/ui/#/connectors/json-src/offsets');
  for (let i = 0; !(await page.textContent('#offsets')).includes('filename'); i++) {
    check(i < 40, 'json-src committed no offset: ' + await page.textContent('#offsets'));
    await page.waitForTimeout(250);
    await page.click('#btn-refresh-offsets');
  }
  check(await page.isDisabled('#btn-reset-offsets'), 'reset is disabled while the connector is not stopped');
  await page.click('#btn-stop');
  await waitText(page, '#conn-state', 'STOPPED');
  await page.waitForSelector('#btn-reset-offsets:not([disabled])');
  await page.click('#btn-reset-offsets');
  await page.click('#confirm-ok');
  await waitText(page, '#flash', 'offsets');
  await waitText(page, '#offsets', 'No committed offsets');
  await page.click('#btn-resume');
  await waitText(page, '#conn-state', 'RUNNING');
  await page.click('#btn-pause');
  await waitText(page, '#conn-state', 'PAUSED');

  step('config with secrets masked');
  await page.goto(base + '/ui/#/connectors/json-src/config');
  await waitText(page, '#config-table', 'db.password');
  const cfgText = await page.textContent('#config-view');
  check(!cfgText.includes('hunter2'), 'the password is masked');
  check(cfgText.includes('********'), 'the mask is shown');
  await shot(page, 'config');
  await page.click('#btn-edit');
  const edited = JSON.parse(await page.inputValue('#config-editor'));
  check(edited['db.password'] === '********', 'the editor masks the password too');
  edited['tasks.max'] = 'many';
  await page.fill('#config-editor', JSON.stringify(edited, null, 2));
  await page.click('#btn-save');
  await waitText(page, '#edit-status', 'tasks.max');
  edited['tasks.max'] = '1';
  edited.topic = 'json-lines-2';
  await page.fill('#config-editor', JSON.stringify(edited, null, 2));
  await page.click('#btn-save');
  await page.click('#confirm-ok');
  await waitText(page, '#flash', 'Configuration saved');
  await waitText(page, '#config-table', 'json-lines-2');

  step('a failing connector shows its trace');
  await page.goto(base + '/ui/#/connectors/broken');
  await waitText(page, 'tr[data-task="0"] .badge', 'FAILED');
  await waitText(page, 'pre.task-trace', 'database is on fire');
  await shot(page, 'failed');
  await page.check('#restart-tasks');
  await page.check('#restart-failed');
  await page.click('#btn-restart');
  await waitText(page, '#flash', 'Restart requested');

  step('overview with live throughput');
  await page.goto(base + '/ui/#/connectors/lines-src');
  await waitText(page, 'tr[data-task="0"] .badge', 'RUNNING');
  for (let i = 0; i < 8; i++) {
    let more = '';
    for (let j = 0; j < 200; j++) more += `more-${i}-${j}\n`;
    fs.appendFileSync(process.env.WHARF_JSON_FILE, more);
    await page.waitForTimeout(600);
  }
  await page.waitForFunction(() => {
    const v = document.querySelector('#charts .spark-value');
    return v && parseFloat(v.textContent) >= 0 && document.querySelector('.spark-line').getAttribute('points');
  });
  await shot(page, 'connector');

  step('live logs per connector, level filter, search');
  await page.goto(base + '/ui/#/connectors/lines-src/logs');
  await waitText(page, '#log-state', 'live');
  await waitText(page, '#log-lines', 'Starting file source connector');
  const before = await count(page, '#log-lines', 'Starting file source connector');
  const r = await page.request.post(base + '/connectors/lines-src/restart');
  check(r.status() === 204, 'restart answered ' + r.status());
  await page.waitForFunction((n) => document.querySelector('#log-lines').textContent.split('Starting file source connector').length - 1 > n, before);
  await shot(page, 'logs');
  await page.selectOption('#log-level', 'ERROR');
  await waitText(page, '#log-state', 'live');
  await page.waitForTimeout(300);
  check(!(await page.textContent('#log-lines')).includes(' INFO '), 'ERROR filter hides INFO lines');
  await page.selectOption('#log-level', '');
  await page.fill('#log-search', 'connector started');
  // The search reconnects the stream with ?q=: only matching lines remain.
  await page.waitForFunction(() => {
    const t = document.querySelector('#log-lines').textContent;
    return t.includes('connector started') && !t.includes('Starting file source');
  });

  step('topics and peek');
  await page.goto(base + '/ui/#/topics');
  await waitText(page, 'tr[data-topic="lines"]', 'p0:');
  await shot(page, 'topics');
  await page.click('tr[data-topic="lines"] a');
  await page.waitForURL(/#\/topics\/lines$/);
  await waitText(page, 'tr.record', '"more-7-199"');
  await waitText(page, '#topic-info', 'JsonConverter');
  await page.goto(base + '/ui/#/topics/orders');
  await waitText(page, 'tr.record[data-offset="0"] .rec-value', '"city": "Lyon"');
  await waitText(page, 'tr.record[data-offset="0"] .rec-key', '"order-0"');
  await waitText(page, 'tr.record[data-offset="0"]', 'trace-id');
  await shot(page, 'topic-peek');

  step('landed S3 objects and a preview');
  await page.goto(base + '/ui/#/connectors/s3-landing/data');
  await waitText(page, '#landed-table', 'topics/lines/partition=0/lines+0+');
  await waitText(page, '#landed-table td.records', '100');
  await page.click('#landed-table tbody tr:last-child button');
  await waitText(page, '#preview-lines', 'line-00000');
  await waitText(page, '#preview-info', '100 record(s)');

  step('landed Parquet: record count, rows as JSON and as a table, schema');
  const sink = JSON.parse(process.env.WHARF_S3_PARQUET);
  check((await page.request.post(base + '/connectors', { data: sink })).status() === 201, 'Parquet sink created');
  await page.goto(base + '/ui/#/connectors/s3-parquet/data');
  const pq = 'parquet/orders/partition=0/orders+0+0000000000.snappy.parquet';
  for (let i = 0; ; i++) { // the sink needs a few seconds to land its first file
    try { await waitText(page, '#landed-table', pq, 1000); break; } catch (e) { if (i === 45) throw e; }
    await page.click('#landed-refresh');
  }
  await waitText(page, `#landed-table tr[data-key="${pq}"] td.records`, '5');
  await page.click(`#landed-table tr[data-key="${pq}"] button`);
  await waitText(page, '#preview-info', '5 record(s)');
  await waitText(page, '#preview-json', '"city": "Gdańsk"');
  await waitText(page, '#preview-schema', 'message shop.orders.Value');
  await page.click('#rows-table');
  await waitText(page, '#preview-table tbody tr:first-child', 'Lyon');
  await page.click('#rows-json');
  await shot(page, 'landed');
  check((await page.request.delete(base + '/connectors/s3-parquet')).status() === 204, 'Parquet sink deleted');

  step('worker logs: files and live tail');
  await page.goto(base + '/ui/#/logs');
  await waitText(page, '#log-files', 'connect-standalone.log');
  await waitText(page, '#log-state', 'live');
  await page.request.post(base + '/connectors/lines-src/restart');
  await waitText(page, '#log-lines', '[lines-src]');
  await shot(page, 'worker-logs');

  step('delete with confirmation');
  await page.goto(base + '/ui/#/connectors/json-nested');
  await waitText(page, '#conn-state', 'RUNNING');
  await page.click('#btn-delete');
  await page.click('#confirm button[value=cancel]');
  check((await page.request.get(base + '/connectors/json-nested')).status() === 200, 'cancel keeps the connector');
  await page.click('#btn-delete');
  await page.click('#confirm-ok');
  await page.waitForURL(/#\/$/);
  check((await page.request.get(base + '/connectors/json-nested')).status() === 404, 'the connector is deleted');

  step('a missing connector has a clear empty state');
  await page.goto(base + '/ui/#/connectors/ghost');
  await waitText(page, 'main', 'does not exist');
  step('done');
}

main().catch((e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); });
