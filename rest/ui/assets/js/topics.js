// Topic browser: partitions and offsets, and the last N records decoded with
// the worker's converters.
import { api, enc } from './api.js';
import { h, clear, emptyState, errorBox, fmtTime, pretty } from './dom.js';

export function topicsPage(root) {
  let topics = null;
  let q = '';
  let internal = false;
  const body = h('div', { id: 'topic-list' }, h('p', { class: 'muted' }, 'Loading topics…'));
  clear(root,
    h('div', { class: 'page-head' }, h('h1', {}, 'Topics'),
      h('div', { class: 'row' },
        h('input', { type: 'search', id: 'topic-search', placeholder: 'Search topics (press /)', 'aria-label': 'Search topics',
          oninput: (e) => { q = e.target.value.toLowerCase(); render(); } }),
        h('label', { class: 'small' }, h('input', { type: 'checkbox', onchange: (e) => { internal = e.target.checked; render(); } }), ' internal topics'),
        h('button', { class: 'btn', onclick: load }, '↻ Refresh'))),
    body);
  function render() {
    const shown = topics.filter((t) => (internal || !t.internal) && (!q || t.name.toLowerCase().includes(q)));
    if (!topics.length) { clear(body, emptyState('No topics yet.', 'Source connectors create topics when they write.')); return; }
    if (!shown.length) { clear(body, emptyState('No topic matches.')); return; }
    clear(body, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Topic'), h('th', {}, 'Partitions'), h('th', {}, 'Records'), h('th', {}, 'End offsets'), h('th', {}, 'Connectors'))),
      h('tbody', {}, shown.map((t) => h('tr', { 'data-topic': t.name },
        h('td', {}, h('a', { href: '#/topics/' + enc(t.name) }, t.name)),
        h('td', {}, t.partitions.length), h('td', {}, t.records),
        h('td', { class: 'small' }, t.partitions.map((p) => `p${p.partition}: ${p.end_offset}`).join('  ')),
        h('td', { class: 'small' }, usedBy(t.name)))))));
  }
  let users = {};
  async function load() {
    try {
      [topics] = await Promise.all([api('GET', '/wharf/topics'), loadUsers()]);
      render();
    } catch (e) { clear(body, errorBox(e, 'Cannot list topics')); }
  }
  // Which connectors name a topic in their config (topics, topic, or a
  // regex), from the one expanded connector list.
  async function loadUsers() {
    users = {};
    let all;
    try { all = await api('GET', '/connectors?expand=info'); } catch { return; }
    for (const [n, e] of Object.entries(all)) {
      const c = (e.info || {}).config || {};
      const names = [c.topic, c.topics].filter(Boolean).join(',').split(',').map((x) => x.trim()).filter(Boolean);
      let re = null;
      try { if (c['topics.regex']) re = new RegExp('^(?:' + c['topics.regex'] + ')$'); } catch { /* invalid regex */ }
      users[n] = { names, re, type: e.info.type };
    }
  }
  function usedBy(t) {
    return Object.entries(users).filter(([, u]) => u.names.includes(t) || (u.re && u.re.test(t)))
      .map(([n, u]) => h('a', { class: 'chip-link', href: '#/connectors/' + enc(n), title: u.type }, (u.type === 'source' ? '→ ' : '← ') + n));
  }
  load();
}

export function topicPage(root, topic) {
  let limit = Number(sessionStorage.getItem('wharf.peek') || 20);
  const body = h('div', { id: 'records' }, h('p', { class: 'muted' }, 'Reading…'));
  const info = h('p', { class: 'muted', id: 'topic-info' });
  clear(root,
    h('div', { class: 'page-head' }, h('h1', {}, 'Topic ', h('code', {}, topic)),
      h('div', { class: 'row' },
        h('label', { for: 'peek-limit' }, 'Last '),
        h('select', { id: 'peek-limit', onchange: (e) => { limit = Number(e.target.value); sessionStorage.setItem('wharf.peek', limit); load(); } },
          [5, 10, 20, 50, 100, 200].map((n) => h('option', { value: n, selected: n === limit }, n))),
        h('span', {}, ' records'),
        h('button', { class: 'btn', id: 'peek-refresh', onclick: load }, '↻ Refresh'),
        h('a', { class: 'btn', href: '#/topics' }, '← Topics'))),
    info, body);
  async function load() {
    clear(body, h('p', { class: 'muted' }, 'Reading…'));
    try {
      const r = await api('GET', `/wharf/topics/${enc(topic)}/records?limit=${limit}`);
      info.textContent = `Decoded with key converter ${r.key_converter} and value converter ${r.value_converter}; newest first.`;
      if (!r.records.length) { clear(body, emptyState('The topic is empty.')); return; }
      clear(body, records(r.records.slice().reverse()));
    } catch (e) {
      clear(body, errorBox(e, e.status === 404 ? 'No such topic' : 'Cannot read records'));
    }
  }
  load();
}

function value(v, err, raw) {
  if (err) return [h('p', { class: 'err small' }, 'Converter error: ', err), h('pre', { class: 'code' }, raw ?? '')];
  return h('pre', { class: 'code' }, v === null ? 'null' : pretty(v));
}

function records(list) {
  return h('table', { class: 'list records' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Partition · offset'), h('th', {}, 'Timestamp'), h('th', {}, 'Key'), h('th', {}, 'Value'), h('th', {}, 'Headers'))),
    h('tbody', {}, list.map((r) => h('tr', { class: 'record', 'data-offset': r.offset },
      h('td', { class: 'nowrap' }, `p${r.partition} · ${r.offset}`),
      h('td', { class: 'small nowrap' }, fmtTime(r.timestamp)),
      h('td', { class: 'rec-key' }, value(r.key, r.key_error, r.key_raw)),
      h('td', { class: 'rec-value' }, value(r.value, r.value_error, r.value_raw)),
      h('td', { class: 'rec-headers' }, r.headers.length ? h('table', { class: 'kv' }, h('tbody', {},
        r.headers.map((x) => h('tr', {}, h('th', {}, x.key), h('td', {}, JSON.stringify(x.value)))))) : h('span', { class: 'muted' }, '–'))))));
}
