// One connector: overview (state, tasks, traces, actions, live charts),
// config (masked secrets, edit → validate → PUT), offsets and topics, live
// logs, and for S3 sinks the objects they landed.
import { api, enc, curlFor } from './api.js';
import { h, clear, badge, emptyState, errorBox, confirmDialog, fmtTime, fmtBytes, pretty, isSecretKey, MASK } from './dom.js';
import { sparkline } from './chart.js';
import { logView } from './logs.js';

const S3_SINK = 'io.confluent.connect.s3.S3SinkConnector';
const REFRESH_MS = 2000;

export function connectorPage(root, name, tab = 'overview') {
  const base = '#/connectors/' + enc(name);
  const state = { status: null, info: null, secrets: new Set(), stopped: false, timers: [] };
  const head = h('div', { class: 'page-head' });
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Connector sections' });
  const body = h('div', { id: 'tab-body' });
  clear(root, head, tabs, body);
  let tabCleanup = null;

  function renderHead() {
    const st = state.status;
    const cs = st ? st.connector : null;
    const s = cs ? cs.state : 'UNKNOWN';
    const cls = state.info ? state.info.config['connector.class'] : '';
    clear(head,
      h('div', {},
        h('h1', {}, h('span', { id: 'conn-name' }, name), ' ', h('span', { id: 'conn-state' }, badge(s))),
        h('p', { class: 'muted' }, state.info ? `${state.info.type} · ${cls}` : '', cs ? ` · worker ${cs.worker_id}` : '')),
      actions(s));
    const tabsList = [['overview', 'Overview'], ['config', 'Config'], ['offsets', 'Offsets & topics'], ['logs', 'Logs']];
    if (isS3(cls)) tabsList.push(['data', 'Landed data']);
    clear(tabs, tabsList.map(([id, label]) => h('a', { href: base + '/' + id, 'aria-current': id === tab ? 'page' : undefined, 'data-tab': id }, label)));
  }

  function isS3(cls) { return cls === S3_SINK || cls === 'S3SinkConnector' || cls === 'S3Sink'; }

  function actions(s) {
    const paused = s === 'PAUSED', stopped = s === 'STOPPED';
    const incl = h('input', { type: 'checkbox', id: 'restart-tasks' });
    const only = h('input', { type: 'checkbox', id: 'restart-failed' });
    return h('div', { class: 'actions' },
      paused || stopped
        ? h('button', { class: 'btn', id: 'btn-resume', onclick: () => act('PUT', '/resume', 'Resumed') }, '▶ Resume')
        : h('button', { class: 'btn', id: 'btn-pause', onclick: () => act('PUT', '/pause', 'Paused') }, '❚❚ Pause'),
      h('button', { class: 'btn', id: 'btn-stop', disabled: stopped, onclick: () => act('PUT', '/stop', 'Stopped') }, '■ Stop'),
      h('span', { class: 'restart-group' },
        h('button', { class: 'btn', id: 'btn-restart', onclick: () => act('POST', `/restart?includeTasks=${incl.checked}&onlyFailed=${only.checked}`, 'Restart requested') }, '↻ Restart'),
        h('label', { class: 'small' }, incl, ' tasks'), h('label', { class: 'small' }, only, ' only failed')),
      h('button', { class: 'btn danger', id: 'btn-delete', onclick: del }, 'Delete'));
  }

  const flash = h('div', { id: 'flash', 'aria-live': 'polite' });

  async function act(method, path, done) {
    try {
      await api(method, '/connectors/' + enc(name) + path);
      clear(flash, h('p', { class: 'ok' }, done + '.'));
      refresh();
    } catch (e) {
      clear(flash, errorBox(e, 'Request failed'));
    }
  }

  async function del() {
    const ok = await confirmDialog(`Delete connector “${name}”? Its tasks stop and its configuration is removed (offsets are kept).`, 'Delete');
    if (!ok) return;
    try {
      await api('DELETE', '/connectors/' + enc(name));
      location.hash = '#/';
    } catch (e) {
      clear(flash, errorBox(e, 'Delete failed'));
    }
  }

  let onRefresh = null;
  let loadError = null;
  async function refresh() {
    try {
      const [st, info] = await Promise.all([api('GET', '/connectors/' + enc(name) + '/status'), api('GET', '/connectors/' + enc(name))]);
      state.status = st; state.info = info; loadError = null;
      if (!state.pluginKeysLoaded) loadSecretKeys(info.config['connector.class']);
    } catch (e) {
      loadError = e;
    }
    if (state.stopped) return;
    if (loadError && loadError.status === 404) {
      clear(root, emptyState(`Connector “${name}” does not exist.`, 'It may have been deleted.', h('a', { class: 'btn', href: '#/' }, 'Back to connectors')));
      state.stopped = true;
      return;
    }
    renderHead();
    if (onRefresh) onRefresh();
  }

  async function loadSecretKeys(cls) {
    state.pluginKeysLoaded = true;
    try {
      const keys = await api('GET', '/connector-plugins/' + enc(cls) + '/config');
      for (const k of keys) if (k.type === 'PASSWORD') state.secrets.add(k.name);
    } catch { /* unknown plugin: name-based masking only */ }
    if (onRefresh) onRefresh();
  }
  state.isSecret = (k) => state.secrets.has(k) || isSecretKey(k);

  function loop() {
    if (state.stopped) return;
    refresh().finally(() => { if (!state.stopped) state.timers.push(setTimeout(loop, REFRESH_MS)); });
  }

  const ctx = { name, state, flash, refresh, setOnRefresh: (fn) => { onRefresh = fn; }, error: () => loadError };
  const pages = { overview: overviewTab, config: configTab, offsets: offsetsTab, logs: logsTab, data: dataTab };
  tabCleanup = (pages[tab] || overviewTab)(body, ctx);
  loop();
  return () => {
    state.stopped = true;
    state.timers.forEach(clearTimeout);
    if (tabCleanup) tabCleanup();
  };
}

function overviewTab(body, ctx) {
  const { name, state } = ctx;
  const tasksEl = h('div', { id: 'tasks' });
  const traceEl = h('div', { id: 'conn-trace' });
  const rate = sparkline('Records/s', 'rec/s');
  const lag = sparkline('Consumer lag', 'records');
  const charts = h('div', { class: 'charts', id: 'charts' }, rate.el);
  clear(body, ctx.flash, traceEl, h('h2', {}, 'Tasks'), tasksEl, h('h2', {}, 'Throughput'), charts);
  let prev = null;
  let lagShown = false;
  let stopped = false;
  let timer;
  async function sample() {
    try {
      const m = await api('GET', '/wharf/connectors/' + enc(name) + '/metrics');
      const total = (f) => m.tasks.reduce((a, t) => a + t[f], 0);
      const type = state.info ? state.info.type : '';
      const cur = { t: m.time, n: type === 'sink' ? total('records_put') : total('records_written') };
      if (prev && cur.t > prev.t) rate.push(Math.max(0, (cur.n - prev.n) * 1000 / (cur.t - prev.t)));
      prev = cur;
      if (type === 'sink') {
        if (!lagShown) { charts.append(lag.el); lagShown = true; }
        lag.push(total('lag'));
      }
    } catch { /* the status refresh shows errors */ }
    if (!stopped) timer = setTimeout(sample, 1000);
  }
  sample();
  ctx.setOnRefresh(() => {
    const st = state.status;
    if (!st) {
      const e = ctx.error();
      clear(tasksEl, e ? errorBox(e, 'Cannot read the status') : h('p', { class: 'muted' }, 'Loading…'));
      return;
    }
    clear(traceEl, st.connector.trace ? h('div', { class: 'failure' }, h('h2', {}, 'Connector failed'),
      h('pre', { class: 'trace', id: 'connector-trace' }, st.connector.trace)) : null);
    if (!st.tasks.length) {
      clear(tasksEl, emptyState(st.connector.state === 'STOPPED' ? 'The connector is stopped: it has no tasks.' : 'No tasks yet.'));
      return;
    }
    const open = new Set([...tasksEl.querySelectorAll('details[open]')].map((d) => d.dataset.task));
    clear(tasksEl, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Task'), h('th', {}, 'State'), h('th', {}, 'Worker'), h('th', {}, ''))),
      h('tbody', {}, st.tasks.map((t) => [
        h('tr', { 'data-task': t.id, class: t.state === 'FAILED' ? 'has-failure' : '' },
          h('td', {}, `${name}-${t.id}`), h('td', {}, badge(t.state)), h('td', {}, t.worker_id),
          h('td', {}, h('div', { class: 'row end' },
            h('a', { class: 'btn small', href: `#/connectors/${enc(name)}/logs?task=${t.id}` }, 'Logs'),
            h('button', { class: 'btn small', onclick: () => restartTask(t.id) }, '↻ Restart task')))),
        t.trace ? h('tr', { class: 'trace-row' }, h('td', { colspan: 4 },
          h('details', { open: open.size === 0 || open.has(String(t.id)) ? true : undefined, 'data-task': t.id },
            h('summary', {}, 'Trace of task ', t.id), h('pre', { class: 'trace task-trace' }, t.trace)))) : null,
      ]))));
  });
  async function restartTask(id) {
    try {
      await api('POST', `/connectors/${enc(name)}/tasks/${id}/restart`);
      clear(ctx.flash, h('p', { class: 'ok' }, `Task ${id} restarted.`));
      ctx.refresh();
    } catch (e) { clear(ctx.flash, errorBox(e, 'Restart failed')); }
  }
  return () => { stopped = true; clearTimeout(timer); };
}

function configTab(body, ctx) {
  const { name, state } = ctx;
  const view = h('div', { id: 'config-view' });
  let editing = false;
  clear(body, ctx.flash, view);
  function masked(cfg) {
    const out = {};
    for (const k of Object.keys(cfg).sort()) out[k] = state.isSecret(k) && cfg[k] && !/^\$\{.*\}$/.test(cfg[k]) ? MASK : cfg[k];
    return out;
  }
  function show() {
    if (editing || !state.info) return;
    const cfg = masked(state.info.config);
    clear(view,
      h('div', { class: 'row' }, h('button', { class: 'btn', id: 'btn-edit', onclick: edit }, '✎ Edit'),
        h('span', { class: 'muted small' }, 'Secret values (PASSWORD keys and keys named like password/secret) are masked.')),
      h('table', { class: 'kv', id: 'config-table' }, h('tbody', {}, Object.entries(cfg).map(([k, v]) =>
        h('tr', {}, h('th', {}, k), h('td', { class: v === MASK ? 'masked' : '' }, v))))),
      h('h3', {}, 'curl'), h('pre', { class: 'code' }, curlFor('PUT', '/connectors/' + enc(name) + '/config',
        Object.fromEntries(Object.entries(cfg).map(([k, v]) => [k, v === MASK ? `<${k}>` : v])))));
  }
  function edit() {
    editing = true;
    const original = state.info.config;
    const ta = h('textarea', { id: 'config-editor', rows: 20, spellcheck: 'false', 'aria-label': 'Connector configuration JSON' });
    ta.value = pretty(masked(original));
    const out = h('div', { 'aria-live': 'polite', id: 'edit-status' });
    const parse = () => {
      const cfg = JSON.parse(ta.value);
      for (const [k, v] of Object.entries(cfg)) {
        if (v === MASK && k in original) cfg[k] = original[k]; // unchanged secret
        else if (typeof v === 'number' || typeof v === 'boolean') cfg[k] = String(v);
      }
      return cfg;
    };
    const validate = async () => {
      let cfg;
      try { cfg = parse(); } catch (e) { clear(out, errorBox(e, 'JSON')); return false; }
      try {
        const r = await api('PUT', '/connector-plugins/' + enc(cfg['connector.class'] || '') + '/config/validate', { ...cfg, name });
        const errs = r.configs.filter((c) => c.value.errors.length);
        if (!errs.length) { clear(out, h('p', { class: 'ok' }, 'Configuration is valid.')); return true; }
        clear(out, h('div', { class: 'error-box' }, h('strong', {}, `${r.error_count} error(s):`),
          h('ul', { class: 'field-errors' }, errs.map((c) => h('li', {}, h('code', {}, c.value.name), ': ', c.value.errors.join('; '))))));
      } catch (e) { clear(out, errorBox(e, 'Validation failed')); }
      return false;
    };
    const save = async () => {
      if (!(await validate())) return;
      if (!(await confirmDialog(`Replace the configuration of “${name}”? Its tasks restart with the new configuration.`, 'Save'))) return;
      try {
        await api('PUT', '/connectors/' + enc(name) + '/config', parse());
        editing = false;
        clear(ctx.flash, h('p', { class: 'ok' }, 'Configuration saved.'));
        await ctx.refresh();
        show();
      } catch (e) { clear(out, errorBox(e, 'Save failed')); }
    };
    clear(view, ta, h('div', { class: 'row' },
      h('button', { class: 'btn', id: 'btn-validate', onclick: validate }, 'Validate'),
      h('button', { class: 'btn primary', id: 'btn-save', onclick: save }, 'Validate and save'),
      h('button', { class: 'btn', onclick: () => { editing = false; show(); } }, 'Cancel')), out);
    ta.focus();
  }
  ctx.setOnRefresh(show);
}

function offsetsTab(body, ctx) {
  const { name, state } = ctx;
  const offs = h('div', { id: 'offsets' }, h('p', { class: 'muted' }, 'Loading…'));
  const topics = h('div', { id: 'topics-used' });
  clear(body, ctx.flash, h('div', { class: 'row' }, h('h2', {}, 'Offsets'),
    h('button', { class: 'btn small', id: 'btn-refresh-offsets', onclick: () => load() }, '↻ Refresh')),
  offs, h('h2', {}, 'Topics used'), topics);
  async function load() {
    try {
      const o = await api('GET', '/connectors/' + enc(name) + '/offsets');
      const stopped = state.status && state.status.connector.state === 'STOPPED';
      clear(offs,
        o.offsets.length ? h('table', { class: 'list' }, h('thead', {}, h('tr', {}, h('th', {}, 'Partition'), h('th', {}, 'Offset'))),
          h('tbody', {}, o.offsets.map((e) => h('tr', {}, h('td', {}, h('code', {}, JSON.stringify(e.partition))), h('td', {}, h('code', {}, JSON.stringify(e.offset)))))))
          : emptyState('No committed offsets.'),
        h('div', { class: 'row' },
          h('button', { class: 'btn danger', id: 'btn-reset-offsets', disabled: !stopped, onclick: reset }, 'Reset offsets'),
          h('span', { class: 'muted small' }, stopped ? 'The connector is stopped: offsets can be reset.' : 'Stop the connector to reset its offsets.')));
    } catch (e) { clear(offs, errorBox(e, 'Cannot read offsets')); }
    try {
      const t = await api('GET', '/connectors/' + enc(name) + '/topics');
      const list = (t[name] || {}).topics || [];
      clear(topics, list.length ? h('ul', { class: 'chips' }, list.map((x) => h('li', {}, h('a', { href: '#/topics/' + enc(x) }, x))))
        : emptyState('No topics used yet.'));
    } catch (e) { clear(topics, errorBox(e, 'Cannot read topics')); }
  }
  async function reset() {
    if (!(await confirmDialog(`Reset every offset of “${name}”? When resumed it starts from scratch.`, 'Reset offsets'))) return;
    try {
      const r = await api('DELETE', '/connectors/' + enc(name) + '/offsets');
      clear(ctx.flash, h('p', { class: 'ok' }, r.message));
      load();
    } catch (e) { clear(ctx.flash, errorBox(e, 'Reset failed')); }
  }
  let lastState = null;
  ctx.setOnRefresh(() => {
    const s = state.status && state.status.connector.state;
    if (s !== lastState) { lastState = s; load(); }
  });
}

function logsTab(body, ctx) {
  const q = new URLSearchParams(location.hash.split('?')[1] || '');
  const tasks = () => (ctx.state.status ? ctx.state.status.tasks.map((t) => t.id) : []);
  const view = logView({ connector: ctx.name, task: q.get('task') ?? '', tasks });
  clear(body, view.el);
  return view.close;
}

function dataTab(body, ctx) {
  const { name } = ctx;
  const list = h('div', { id: 'landed' }, h('p', { class: 'muted' }, 'Listing objects…'));
  const preview = h('div', { id: 'preview' }, h('p', { class: 'muted' }, 'Pick an object to preview its first records.'));
  clear(body, h('div', { class: 'row' }, h('button', { class: 'btn', id: 'landed-refresh', onclick: load }, '↻ Refresh')),
    h('div', { class: 'split' }, list, h('aside', {}, preview)));
  async function load() {
    try {
      const r = await api('GET', '/wharf/connectors/' + enc(name) + '/landed?limit=200');
      clear(list, h('p', { class: 'muted' }, `s3://${r.bucket}/${r.prefix}`, r.endpoint ? ` at ${r.endpoint}` : '',
        ` · ${r.objects.length} object(s), newest first`, r.truncated ? ' (truncated)' : ''),
        r.objects.length ? h('table', { class: 'list', id: 'landed-table' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Size'), h('th', {}, 'Records'), h('th', {}, 'Written'))),
          h('tbody', {}, r.objects.map((o) => h('tr', { 'data-key': o.key },
            h('td', {}, h('button', { class: 'link', onclick: () => show(o.key) }, o.key)),
            h('td', { class: 'size' }, fmtBytes(o.size)),
            h('td', { class: 'records' }, o.records == null
              ? h('span', { class: 'muted', title: 'Unknown: no record count in the object metadata, and not countable cheaply' }, '—')
              : o.records.toLocaleString('en-US')),
            h('td', {}, fmtTime(o.last_modified))))))
          : emptyState('No objects yet.', 'The sink writes an object when flush.size records of a partition arrived or a rotation interval passed.'));
    } catch (e) { clear(list, errorBox(e, 'Cannot list the bucket')); }
  }
  async function show(key) {
    clear(preview, h('p', { class: 'muted' }, 'Loading ', key, '…'));
    try {
      const p = await api('GET', `/wharf/connectors/${enc(name)}/landed/preview?rows=50&key=${enc(key)}`);
      const info = [p.format, fmtBytes(p.size)];
      if (p.records != null) info.push(p.records.toLocaleString('en-US') + ' record(s)');
      const shown = p.rows ? p.rows.length : p.lines.length;
      const head = [h('h3', {}, key), h('p', { class: 'muted', id: 'preview-info' }, info.join(' · '),
        p.truncated ? ` · first ${shown} shown` : ''), p.message ? h('p', {}, p.message) : null];
      if (p.rows) {
        clear(preview, head, rowsView(p));
        return;
      }
      const lines = p.lines.map((l) => { try { return JSON.stringify(JSON.parse(l)); } catch { return l; } });
      clear(preview, head, lines.length ? h('pre', { class: 'code', id: 'preview-lines' }, lines.join('\n')) : null);
    } catch (e) { clear(preview, errorBox(e, 'Cannot read ' + key)); }
  }
  load();
  ctx.setOnRefresh(null);
}

// rowsView shows Parquet rows as pretty JSON (nested structs stay nested)
// or as a table of the top-level columns, and the file's schema.
function rowsView(p) {
  const rows = p.rows;
  const out = h('div', { id: 'preview-rows' });
  let mode = 'json';
  const btn = (m, label) => h('button', { class: 'btn', id: 'rows-' + m, 'aria-pressed': String(mode === m),
    onclick: () => { mode = m; render(); } }, label);
  const cell = (v) => (v === null ? h('span', { class: 'muted' }, 'null')
    : typeof v === 'object' ? h('code', {}, JSON.stringify(v)) : String(v));
  function render() {
    const toggle = rows.length ? h('div', { class: 'row', role: 'group', 'aria-label': 'Show rows as' },
      btn('json', 'JSON'), btn('table', 'Table')) : null;
    if (!rows.length) {
      clear(out, h('p', { class: 'muted' }, 'The file has no rows.'));
    } else if (mode === 'json') {
      clear(out, toggle, h('pre', { class: 'code', id: 'preview-json' }, rows.map((r) => pretty(r)).join('\n')));
    } else {
      const cols = Object.keys(rows[0]); // every row has the file's columns
      clear(out, toggle, h('div', { class: 'scroll-x' }, h('table', { class: 'list', id: 'preview-table' },
        h('thead', {}, h('tr', {}, cols.map((c) => h('th', {}, c)))),
        h('tbody', {}, rows.map((r) => h('tr', {}, cols.map((c) => h('td', {}, cell(r[c])))))))));
    }
  }
  render();
  return [out, p.schema ? h('details', { id: 'preview-schema' }, h('summary', {}, (p.format === 'avro' ? 'Avro' : 'Parquet') + ' schema'),
    h('pre', { class: 'code' }, p.schema)) : null];
}
