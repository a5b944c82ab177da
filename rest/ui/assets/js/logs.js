// Live logs over server-sent events: per connector (and task) or the whole
// worker, with a level filter and a search; plus the worker's log files.
import { h, clear, debounce, emptyState, errorBox } from './dom.js';

const MAX_LINES = 2000;

// logView builds a live tail. opts.connector '' follows the whole worker.
export function logView(opts) {
  let task = opts.task ?? '';
  let level = sessionStorage.getItem('wharf.loglevel') || '';
  let query = '';
  let follow = true;
  let es = null;
  let count = 0;
  const out = h('pre', { class: 'log', id: 'log-lines', tabindex: '0', 'aria-label': 'Log lines', 'aria-live': 'off' });
  const state = h('span', { class: 'muted small', id: 'log-state', 'aria-live': 'polite' }, 'connecting…');
  const taskSel = opts.connector ? h('select', { id: 'log-task', 'aria-label': 'Task', onchange: (e) => { task = e.target.value; connect(); } },
    h('option', { value: '' }, 'Connector and all tasks')) : null;
  const fillTasks = () => {
    if (!taskSel || !opts.tasks) return;
    const ids = opts.tasks();
    const have = [...taskSel.options].map((o) => o.value);
    for (const id of ids) if (!have.includes(String(id))) taskSel.append(h('option', { value: String(id) }, 'Task ' + id));
    if (task !== '' && !have.includes(task) && !ids.map(String).includes(task)) taskSel.append(h('option', { value: task }, 'Task ' + task));
    taskSel.value = task;
  };
  const levelSel = h('select', { id: 'log-level', 'aria-label': 'Minimum level', onchange: (e) => { level = e.target.value; sessionStorage.setItem('wharf.loglevel', level); connect(); } },
    ['', 'DEBUG', 'INFO', 'WARN', 'ERROR'].map((l) => h('option', { value: l, selected: l === level }, l ? l + ' and above' : 'All levels')));
  const search = h('input', { type: 'search', id: 'log-search', placeholder: 'Search (press /)', 'aria-label': 'Search log lines',
    oninput: debounce((e) => { query = e.target.value; connect(); }, 300) });
  const followBox = h('label', { class: 'small' }, h('input', { type: 'checkbox', checked: true, onchange: (e) => { follow = e.target.checked; } }), ' follow');
  const clearBtn = h('button', { class: 'btn small', onclick: () => { clear(out); count = 0; } }, 'Clear');
  const el = h('div', { class: 'logview' }, h('div', { class: 'row' }, taskSel, levelSel, search, followBox, clearBtn, state), out);

  function url() {
    const p = new URLSearchParams();
    if (task !== '') p.set('task', task);
    if (level) p.set('level', level);
    if (query) p.set('q', query);
    const base = opts.connector ? '/connectors/' + encodeURIComponent(opts.connector) + '/logs/stream' : '/wharf/logs/stream';
    return base + (p.toString() ? '?' + p : '');
  }

  function connect() {
    if (es) es.close();
    clear(out);
    count = 0;
    fillTasks();
    state.textContent = 'connecting…';
    es = new EventSource(url());
    es.onopen = () => { state.textContent = 'live'; state.className = 'small ok'; };
    es.onerror = () => { state.textContent = 'disconnected, retrying…'; state.className = 'small err'; };
    es.onmessage = (ev) => {
      let l;
      try { l = JSON.parse(ev.data); } catch { return; }
      const line = h('span', { class: 'll lvl-' + l.level }, l.text.endsWith('\n') ? l.text : l.text + '\n');
      out.append(line);
      if (++count > MAX_LINES) { out.firstChild.remove(); count--; }
      if (follow) out.scrollTop = out.scrollHeight;
    };
  }
  connect();
  const tick = setInterval(fillTasks, 3000);
  return { el, close: () => { clearInterval(tick); if (es) es.close(); } };
}

export function logsPage(root) {
  const files = h('div', { id: 'log-files' }, h('p', { class: 'muted' }, 'Loading…'));
  const view = logView({ connector: '' });
  clear(root,
    h('div', { class: 'page-head' }, h('h1', {}, 'Worker logs')),
    h('h2', {}, 'Log files'), files,
    h('h2', {}, 'Live tail (every connector and the worker)'), view.el);
  fetch('/logs/', { headers: { Accept: 'text/plain' } })
    .then(async (r) => {
      if (!r.ok) throw new Error((await r.json().catch(() => ({}))).message || r.statusText);
      return r.text();
    })
    .then((t) => {
      const names = t.split('\n').filter(Boolean);
      clear(files, names.length
        ? h('ul', { class: 'files' }, names.map((n) => h('li', {},
          h('a', { href: '/logs/' + encodeURIComponent(n), target: '_blank', rel: 'noopener' }, n), ' ',
          h('a', { class: 'btn small', href: '/logs/' + encodeURIComponent(n), download: n }, 'Download'))))
        : emptyState('No log files.'));
    })
    .catch((e) => clear(files, errorBox(e, 'Cannot list log files')));
  return view.close;
}
