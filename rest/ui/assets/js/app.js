// Hash router: each page is a function (root, params) that renders into
// root and returns a cleanup function (timers, event streams).
import { api } from './api.js';
import { h, clear, errorBox } from './dom.js';
import { connectorsPage } from './connectors.js';
import { pluginsPage, createFormPage, createJsonPage } from './create.js';
import { connectorPage } from './connector.js';
import { topicsPage, topicPage } from './topics.js';
import { logsPage } from './logs.js';

const routes = [
  [/^\/?$/, connectorsPage, 'connectors'],
  [/^\/connectors\/?$/, connectorsPage, 'connectors'],
  [/^\/new\/?$/, pluginsPage, 'new'],
  [/^\/new-json\/?$/, createJsonPage, 'new'],
  [/^\/new\/(.+)$/, createFormPage, 'new'],
  [/^\/connectors\/([^/]+)(?:\/([a-z]+))?$/, connectorPage, 'connectors'],
  [/^\/topics\/?$/, topicsPage, 'topics'],
  [/^\/topics\/(.+)$/, topicPage, 'topics'],
  [/^\/logs\/?$/, logsPage, 'logs'],
];

const main = document.getElementById('main');
let cleanup = null;

function route() {
  if (cleanup) { try { cleanup(); } catch { /* page already gone */ } cleanup = null; }
  const path = location.hash.replace(/^#/, '').split('?')[0] || '/';
  for (const [re, page, nav] of routes) {
    const m = path.match(re);
    if (!m) continue;
    for (const a of document.querySelectorAll('[data-nav]')) {
      a.toggleAttribute('aria-current', a.dataset.nav === nav);
    }
    clear(main);
    const params = m.slice(1).map((p) => (p === undefined ? undefined : decodeURIComponent(p)));
    try {
      cleanup = page(main, ...params) || null;
    } catch (e) {
      clear(main, errorBox(e, 'Page failed'));
    }
    main.focus({ preventScroll: true });
    return;
  }
  clear(main, h('h1', {}, 'Not found'), h('p', {}, 'No page at ', h('code', {}, path), '. ', h('a', { href: '#/' }, 'Back to connectors')));
}

async function workerInfo() {
  const el = document.getElementById('worker-info');
  try {
    const info = await api('GET', '/');
    let health = '';
    try { await api('GET', '/health'); } catch (e) { health = ' · ' + (e.status === 503 ? 'starting' : 'unhealthy: ' + e.message); }
    el.textContent = `Connect ${info.version} · Wharf ${info.wharf_version || ''}` +
      (info.kafka_cluster_id ? ` · cluster ${info.kafka_cluster_id}` : '') + health;
    el.classList.toggle('down', health !== '');
  } catch (e) {
    el.textContent = 'worker unreachable';
    el.classList.add('down');
  }
}

// "/" focuses the page's search box, as in most consoles.
document.addEventListener('keydown', (e) => {
  if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return;
  const s = document.querySelector('input[type=search]');
  if (s) { e.preventDefault(); s.focus(); }
});

window.addEventListener('hashchange', route);
route();
workerInfo();
setInterval(workerInfo, 30000);
