// Connector list: one request (?expand=status&expand=info) per refresh.
import { api } from './api.js';
import { h, clear, badge, emptyState, errorBox, shortClass, STATES } from './dom.js';

const REFRESH_MS = 2000;

export function connectorsPage(root) {
  let filter = sessionStorage.getItem('wharf.filter') || '';
  let stateFilter = '';
  let data = null;
  let error = null;
  const search = h('input', { type: 'search', id: 'search', placeholder: 'Search connectors (press /)', value: filter,
    'aria-label': 'Search connectors', oninput: (e) => { filter = e.target.value; sessionStorage.setItem('wharf.filter', filter); render(); } });
  const stateSel = h('select', { id: 'state-filter', 'aria-label': 'Filter by state', onchange: (e) => { stateFilter = e.target.value; render(); } },
    h('option', { value: '' }, 'All states'), STATES.map((s) => h('option', { value: s }, s)));
  const count = h('span', { class: 'muted', id: 'count' });
  const body = h('div', { id: 'connector-list' }, h('p', { class: 'muted' }, 'Loading…'));
  clear(root,
    h('div', { class: 'page-head' }, h('h1', {}, 'Connectors ', count),
      h('div', { class: 'row' }, search, stateSel, h('a', { class: 'btn primary', href: '#/new' }, '+ New connector'))),
    body);

  function render() {
    if (error && !data) { clear(body, errorBox(error, 'Cannot list connectors')); return; }
    const names = Object.keys(data || {}).sort();
    count.textContent = `(${names.length})`;
    if (!names.length) {
      clear(body, emptyState('No connectors yet.', 'Create one from a plugin form or paste the JSON you would POST with curl.',
        h('a', { class: 'btn primary', href: '#/new' }, 'Create a connector')));
      return;
    }
    const q = filter.trim().toLowerCase();
    const rows = [];
    for (const n of names) {
      const e = data[n];
      const st = e.status || {};
      const info = e.info || {};
      const cls = (info.config || {})['connector.class'] || '';
      const state = (st.connector || {}).state || 'UNASSIGNED';
      const hay = (n + ' ' + cls + ' ' + state + ' ' + (info.type || '')).toLowerCase();
      if (q && !hay.includes(q)) continue;
      if (stateFilter && state !== stateFilter) continue;
      rows.push(row(n, info, st, cls, state));
    }
    const table = h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', {}, 'State'), h('th', {}, 'Name'), h('th', {}, 'Direction'),
        h('th', {}, 'Class'), h('th', {}, 'Tasks'), h('th', {}, 'Topics'))),
      h('tbody', {}, rows));
    clear(body, error ? errorBox(error, 'Refresh failed, showing the last answer') : null,
      rows.length ? table : emptyState('No connector matches “' + filter + '”.'));
  }

  function row(n, info, st, cls, state) {
    const tasks = st.tasks || [];
    const failed = tasks.filter((t) => t.state === 'FAILED').length;
    const type = info.type || st.type || 'unknown';
    const cfg = info.config || {};
    const topics = cfg.topics || cfg.topic || cfg['topics.regex'] || cfg['topic.prefix'] || '';
    return h('tr', { 'data-connector': n, class: failed || state === 'FAILED' ? 'has-failure' : '' },
      h('td', {}, badge(state)),
      h('td', {}, h('a', { href: '#/connectors/' + encodeURIComponent(n), class: 'conn-link' }, n)),
      h('td', {}, h('span', { class: 'dir dir-' + type }, type === 'source' ? 'source → Kafka' : type === 'sink' ? 'Kafka → sink' : type)),
      h('td', { title: cls }, shortClass(cls)),
      h('td', {}, `${tasks.length} task${tasks.length === 1 ? '' : 's'}`,
        failed ? h('span', { class: 'failed-marker', title: failed + ' failed task(s)' }, ` ⚠ ${failed} failed`) : null),
      h('td', { class: 'muted' }, topics));
  }

  let timer;
  let stopped = false;
  async function load() {
    try {
      data = await api('GET', '/connectors?expand=status&expand=info');
      error = null;
    } catch (e) {
      error = e;
    }
    if (stopped) return;
    render();
    timer = setTimeout(load, REFRESH_MS);
  }
  load();
  return () => { stopped = true; clearTimeout(timer); };
}
