// Creating connectors: a plugin picker, a form generated from the plugin's
// ConfigDef (through PUT /connector-plugins/{p}/config/validate), and a JSON
// editor taking both shapes users POST with curl.
import { api, enc, curlFor } from './api.js';
import { h, clear, debounce, emptyState, errorBox, shortClass } from './dom.js';

export function pluginsPage(root) {
  const list = h('div', { id: 'plugins' }, h('p', { class: 'muted' }, 'Loading plugins…'));
  let plugins = [];
  let q = '';
  const search = h('input', { type: 'search', placeholder: 'Filter plugins (press /)', 'aria-label': 'Filter plugins',
    oninput: (e) => { q = e.target.value.toLowerCase(); render(); } });
  clear(root,
    h('div', { class: 'page-head' }, h('h1', {}, 'New connector'),
      h('div', { class: 'row' }, search, h('a', { class: 'btn', href: '#/new-json', id: 'paste-json' }, 'Paste or upload JSON…'))),
    h('p', { class: 'muted' }, 'Pick a plugin to get a form generated from its configuration definition.'),
    list);
  function render() {
    const shown = plugins.filter((p) => !q || p.class.toLowerCase().includes(q));
    if (!shown.length) { clear(list, emptyState('No plugin matches.')); return; }
    const section = (type, title) => {
      const ps = shown.filter((p) => p.type === type);
      if (!ps.length) return null;
      return h('section', {}, h('h2', {}, title), h('div', { class: 'tiles' }, ps.map((p) =>
        h('a', { class: 'tile', href: '#/new/' + enc(p.class), 'data-plugin': p.class },
          h('strong', {}, shortClass(p.class)), h('span', { class: 'muted small' }, p.class),
          h('span', { class: 'dir dir-' + p.type }, p.type === 'source' ? 'source → Kafka' : 'Kafka → sink'),
          p.version ? h('span', { class: 'muted small' }, 'version ' + p.version) : null))));
    };
    clear(list, section('source', 'Sources'), section('sink', 'Sinks'));
  }
  api('GET', '/connector-plugins').then((ps) => { plugins = ps; render(); })
    .catch((e) => clear(list, errorBox(e, 'Cannot list plugins')));
}

// Keys the form shows first and never hides.
const FIRST = ['name', 'connector.class', 'tasks.max', 'topics', 'topic'];

export function createFormPage(root, cls) {
  const values = { 'connector.class': cls };
  const touched = new Set();
  let infos = null;
  let showAll = false;
  let submitted = false;
  const form = h('form', { id: 'create-form', class: 'config-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); create(); } });
  const status = h('div', { id: 'form-status', 'aria-live': 'polite' });
  const curl = h('pre', { id: 'curl', class: 'code' });
  const allToggle = h('label', { class: 'toggle' }, h('input', { type: 'checkbox', id: 'show-all',
    onchange: (e) => { showAll = e.target.checked; render(); } }), ' Show every key (framework, converters, errors, transforms)');
  clear(root,
    h('div', { class: 'page-head' }, h('h1', {}, 'New ', h('span', { title: cls }, shortClass(cls))),
      h('div', { class: 'row' }, h('a', { class: 'btn', href: '#/new' }, '← Plugins'), h('a', { class: 'btn', href: '#/new-json' }, 'JSON editor'))),
    h('p', { class: 'muted' }, cls),
    h('div', { class: 'split' },
      h('div', {}, allToggle, form),
      h('aside', {}, h('h2', {}, 'Equivalent curl'), curl, status)));

  const validate = debounce(runValidate, 350);

  function config() {
    const out = {};
    for (const [k, v] of Object.entries(values)) if (v !== '' && v !== undefined) out[k] = v;
    return out;
  }

  async function runValidate() {
    const cfg = config();
    updateCurl();
    try {
      infos = await api('PUT', '/connector-plugins/' + enc(cls) + '/config/validate', cfg);
      render();
    } catch (e) {
      clear(status, errorBox(e, 'Validation failed'));
    }
  }

  function updateCurl() {
    const cfg = config();
    const name = cfg.name || '';
    delete cfg.name;
    curl.textContent = curlFor('POST', '/connectors', { name, config: cfg });
  }

  function render() {
    if (!infos) return;
    const active = document.activeElement;
    const focused = active && active.id;
    const sel = active && 'selectionStart' in active && active.type !== 'checkbox' ? [active.selectionStart, active.selectionEnd] : null;
    const groups = new Map();
    for (const c of infos.configs) {
      const d = c.definition;
      if (!d || !c.value.visible) continue;
      const g = d.group || 'Connector';
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(c);
    }
    const order = [...groups.keys()].sort((a, b) => rank(a) - rank(b));
    const fieldsets = [];
    for (const g of order) {
      const items = groups.get(g).filter((c) => showAll || shown(c));
      if (!items.length) continue;
      items.sort((a, b) => keyRank(a.definition) - keyRank(b.definition));
      fieldsets.push(h('fieldset', { 'data-group': g }, h('legend', {}, g), items.map(field)));
    }
    const submit = h('div', { class: 'row sticky' },
      h('button', { class: 'btn primary', type: 'submit', id: 'create-btn' }, 'Create connector'),
      h('span', { class: infos.error_count ? 'err' : 'ok', id: 'error-count' },
        infos.error_count ? `${infos.error_count} error${infos.error_count === 1 ? '' : 's'}` : 'Configuration is valid'));
    clear(form, fieldsets, submit);
    if (focused) {
      const el = document.getElementById(focused);
      if (el) { el.focus(); if (sel && el.setSelectionRange) try { el.setSelectionRange(...sel); } catch { /* not a text field */ } }
    }
  }

  function rank(group) {
    if (group === 'Common') return 0;
    if (['Transforms', 'Predicates', 'Error Handling', 'Topic Creation', 'Exactly Once Support', 'offsets.topic'].includes(group)) return 2;
    return 1;
  }
  function keyRank(d) {
    const i = FIRST.indexOf(d.name);
    return i >= 0 ? i - 100 : (d.required ? -50 : 0) + (d.order >= 0 ? d.order / 1000 : 0.9);
  }
  function shown(c) {
    const d = c.definition;
    return FIRST.includes(d.name) || d.required || c.value.errors.length > 0 || touched.has(d.name) ||
      (rank(d.group || 'Connector') === 1 && d.importance !== 'LOW');
  }

  function field(c) {
    const d = c.definition;
    const id = 'f-' + d.name.replace(/[^a-zA-Z0-9_-]/g, '_');
    // Errors show once the user touched the key, gave it a value or tried
    // to create; a fresh form is not a wall of "missing required" errors.
    const errors = submitted || touched.has(d.name) || (values[d.name] ?? '') !== '' ? c.value.errors : [];
    const cur = values[d.name] ?? '';
    const onInput = (e) => { values[d.name] = e.target.value; touched.add(d.name); validate(); };
    let input;
    if (d.type === 'BOOLEAN') {
      input = h('select', { id, name: d.name, onchange: onInput },
        h('option', { value: '' }, d.default_value != null ? `(default: ${d.default_value})` : '(unset)'),
        h('option', { value: 'true', selected: cur === 'true' }, 'true'),
        h('option', { value: 'false', selected: cur === 'false' }, 'false'));
    } else {
      const listId = c.value.recommended_values.length ? id + '-rec' : undefined;
      input = h('input', { id, name: d.name, value: cur, type: d.type === 'PASSWORD' ? 'password' : 'text',
        placeholder: d.default_value != null && d.default_value !== '' ? d.default_value : '',
        list: listId, autocomplete: 'off', 'aria-invalid': errors.length ? 'true' : undefined,
        'aria-describedby': id + '-doc', oninput: onInput, readonly: d.name === 'connector.class' });
      if (listId) input = [input, h('datalist', { id: listId }, c.value.recommended_values.map((v) => h('option', { value: v })))];
    }
    return h('div', { class: 'field' + (errors.length ? ' invalid' : ''), 'data-key': d.name },
      h('label', { for: id }, d.display_name !== d.name ? d.display_name : d.name, d.required ? h('span', { class: 'req', title: 'required' }, ' *') : null,
        h('code', { class: 'key muted small' }, d.display_name !== d.name ? ' ' + d.name : '')),
      input,
      errors.length ? h('ul', { class: 'field-errors' }, errors.map((e) => h('li', {}, e))) : null,
      h('p', { class: 'doc muted small', id: id + '-doc' },
        d.type.toLowerCase(), d.default_value != null ? ` · default ${d.default_value === '' ? '""' : d.default_value}` : '',
        d.documentation ? ' · ' + d.documentation : ''));
  }

  async function create() {
    submitted = true;
    await runValidate();
    const cfg = config();
    const name = (cfg.name || '').trim();
    if (!name) { clear(status, errorBox('Give the connector a name.', 'Cannot create')); document.getElementById('f-name')?.focus(); return; }
    if (infos && infos.error_count) {
      clear(status, errorBox(`Fix the ${infos.error_count} error(s) shown at the fields first.`, 'Cannot create'));
      form.querySelector('.invalid input, .invalid select')?.focus();
      return;
    }
    delete cfg.name;
    try {
      await api('POST', '/connectors', { name, config: cfg });
      location.hash = '#/connectors/' + enc(name);
    } catch (e) {
      clear(status, errorBox(e, 'Create failed'));
    }
  }

  runValidate();
}

// parseConnectorJSON accepts {"name","config"[,"initial_state"]} and a flat
// config (with "name"), as POST /connectors and PUT …/config take them.
export function parseConnectorJSON(text) {
  let obj;
  try { obj = JSON.parse(text); } catch (e) { throw new Error('Not valid JSON: ' + e.message); }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('Expected a JSON object');
  let name, config, initial;
  if (obj.config && typeof obj.config === 'object') {
    config = { ...obj.config };
    name = obj.name ?? config.name;
    initial = obj.initial_state;
  } else {
    config = { ...obj };
    name = obj.name;
  }
  if (!name) throw new Error('The connector needs a "name" (top level, or in the flat config)');
  if (!config['connector.class']) throw new Error('The config needs "connector.class"');
  for (const [k, v] of Object.entries(config)) {
    if (v !== null && typeof v === 'object') throw new Error(`"${k}" must be a string, number or boolean`);
    if (typeof v === 'number' || typeof v === 'boolean') config[k] = String(v);
  }
  delete config.name;
  const body = { name: String(name), config };
  if (initial) body.initial_state = initial;
  return body;
}

const EXAMPLE = `{
  "name": "my-connector",
  "config": {
    "connector.class": "FileStreamSource",
    "tasks.max": "1",
    "file": "/tmp/input.txt",
    "topic": "lines"
  }
}`;

export function createJsonPage(root) {
  const ta = h('textarea', { id: 'json-input', rows: 18, spellcheck: 'false', 'aria-label': 'Connector JSON' }, '');
  ta.value = sessionStorage.getItem('wharf.json') || EXAMPLE;
  const curl = h('pre', { id: 'curl', class: 'code' });
  const status = h('div', { id: 'json-status', 'aria-live': 'polite' });
  const file = h('input', { type: 'file', id: 'json-file', accept: '.json,application/json', 'aria-label': 'Upload a JSON file',
    onchange: async (e) => { const f = e.target.files[0]; if (f) { ta.value = await f.text(); changed(); } } });
  clear(root,
    h('div', { class: 'page-head' }, h('h1', {}, 'New connector from JSON'),
      h('div', { class: 'row' }, h('a', { class: 'btn', href: '#/new' }, '← Plugins'))),
    h('p', { class: 'muted' }, 'Paste the body you would POST: ', h('code', {}, '{"name": …, "config": {…}}'),
      ' or a flat config with ', h('code', {}, '"name"'), '. Or upload a file: ', file),
    h('div', { class: 'split' },
      h('div', {}, ta, h('div', { class: 'row' },
        h('button', { class: 'btn', id: 'json-validate', onclick: validate }, 'Validate'),
        h('button', { class: 'btn primary', id: 'json-create', onclick: create }, 'Create connector')), status),
      h('aside', {}, h('h2', {}, 'Equivalent curl'), curl)));

  function parsed() {
    try { return parseConnectorJSON(ta.value); } catch (e) { clear(status, errorBox(e, 'JSON')); return null; }
  }
  function changed() {
    sessionStorage.setItem('wharf.json', ta.value);
    const b = parsed();
    if (b) { clear(status); curl.textContent = curlFor('POST', '/connectors', b); }
  }
  ta.addEventListener('input', debounce(changed, 250));
  async function validate() {
    const b = parsed();
    if (!b) return false;
    try {
      const r = await api('PUT', '/connector-plugins/' + enc(b.config['connector.class']) + '/config/validate', { ...b.config, name: b.name });
      const errs = r.configs.filter((c) => c.value.errors.length);
      if (!errs.length) { clear(status, h('p', { class: 'ok' }, 'Configuration is valid.')); return true; }
      clear(status, h('div', { class: 'error-box' }, h('strong', {}, `${r.error_count} error(s):`),
        h('ul', { class: 'field-errors' }, errs.map((c) => h('li', {}, h('code', {}, c.value.name), ': ', c.value.errors.join('; '))))));
      return false;
    } catch (e) {
      clear(status, errorBox(e, 'Validation failed'));
      return false;
    }
  }
  async function create() {
    const b = parsed();
    if (!b) return;
    try {
      await api('POST', '/connectors', b);
      sessionStorage.removeItem('wharf.json');
      location.hash = '#/connectors/' + enc(b.name);
    } catch (e) {
      clear(status, errorBox(e, 'Create failed'));
    }
  }
  changed();
}
