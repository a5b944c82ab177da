// Small DOM helpers: h() builds elements, so no page ever assigns HTML
// strings (all server text is inserted as text).

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function debounce(fn, ms) {
  let t;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

export const STATES = ['RUNNING', 'PAUSED', 'STOPPED', 'FAILED', 'UNASSIGNED', 'RESTARTING'];

export function badge(state) {
  const s = state || 'UNKNOWN';
  return h('span', { class: 'badge state-' + s, 'data-state': s }, s);
}

export function fmtTime(ms) {
  if (!ms) return '';
  const d = new Date(ms);
  return d.toISOString().replace('T', ' ').replace('Z', ' UTC');
}

export function fmtBytes(n) {
  if (n < 1024) return n + ' B';
  const u = ['KiB', 'MiB', 'GiB', 'TiB'];
  let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < u.length - 1);
  return n.toFixed(n < 10 ? 1 : 0) + ' ' + u[i];
}

export function pretty(v) {
  return JSON.stringify(v, null, 2);
}

// isSecretKey: keys whose values are masked in the UI (PASSWORD-type keys
// are added by the caller from the plugin's ConfigDef).
export function isSecretKey(k) {
  return /password|secret|credential|(^|[._])token([._]|$)|api[._]?key|private[._]key/i.test(k);
}

export const MASK = '********';

export function emptyState(title, detail, action) {
  return h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, title), detail && h('p', {}, detail), action);
}

export function errorBox(err, what) {
  return h('div', { class: 'error-box', role: 'alert' },
    h('strong', {}, what ? what + ': ' : ''), err && err.message ? err.message : String(err));
}

// confirmDialog shows the page's modal <dialog>; Escape cancels.
export function confirmDialog(text, ok = 'OK') {
  const d = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = ok;
  d.returnValue = '';
  d.showModal();
  return new Promise((resolve) => {
    d.addEventListener('close', () => resolve(d.returnValue === 'ok'), { once: true });
  });
}

export function shortClass(c) {
  if (!c) return '';
  const i = c.lastIndexOf('.');
  return i >= 0 ? c.slice(i + 1) : c;
}
