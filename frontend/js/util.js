// Small DOM and formatting helpers shared by the views.

/** Creates an element: h('a', {href: '#', onclick: fn, class: 'x'}, 'text', child, [more]). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (key === 'class') el.className = value;
      else if (key === 'value' || key === 'checked' || key === 'indeterminate') el[key] = value;
      else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }

/** Replaces the children of el. */
export function render(el, ...children) { clear(el); return append(el, children); }

let idCounter = 0;
export function uid(prefix = 'id') { idCounter += 1; return `${prefix}-${idCounter}`; }

// ---- time -------------------------------------------------------------------------------------

export function parseTime(value) {
  if (value === null || value === undefined || value === '') return null;
  const t = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(t) ? t : null;
}

export function formatAbsolute(value) {
  const t = parseTime(value);
  if (t === null) return '—';
  const d = new Date(t);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.abs(seconds);
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.round((s % 86400) / 3600)} h`;
}

export function formatRelative(value, now = Date.now()) {
  const t = parseTime(value);
  if (t === null) return '—';
  const diff = (now - t) / 1000;
  if (Math.abs(diff) < 1) return 'just now';
  const s = Math.abs(diff);
  let text;
  if (s < 60) text = `${Math.round(s)} s`;
  else if (s < 3600) text = `${Math.round(s / 60)} min`;
  else if (s < 86400) text = `${Math.round(s / 3600)} h`;
  else text = `${Math.round(s / 86400)} d`;
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/** A <time> showing the relative time, with the absolute one beside it (kept fresh by tickTimes). */
export function timeEl(value, { abs = true } = {}) {
  const t = parseTime(value);
  if (t === null) return h('span', { class: 'muted' }, '—');
  const iso = new Date(t).toISOString();
  return h('span', { class: 'nowrap' },
    h('time', { datetime: iso, 'data-rel': '1', title: iso }, formatRelative(t)),
    abs ? h('span', { class: 'muted small' }, ` · ${formatAbsolute(t)}`) : null);
}

/** Refreshes every relative time on the page. */
export function tickTimes(root = document) {
  const now = Date.now();
  for (const el of root.querySelectorAll('time[data-rel]')) {
    el.textContent = formatRelative(el.getAttribute('datetime'), now);
  }
}

// ---- numbers and badges -----------------------------------------------------------------------

export function fmtNum(n, digits = 0) {
  if (n === null || n === undefined || !Number.isFinite(Number(n))) return '—';
  return Number(n).toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function fmtBytes(n) {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0; let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function badge(status, text) {
  return h('span', { class: `badge ${String(status).replace(/[^a-z_]/gi, '')}`, 'data-status': status }, text ?? String(status).replace(/_/g, ' '));
}

export const FINAL_STATUSES = ['succeeded', 'failed', 'cancelled', 'dead'];
export const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'dead'];

/** A progress bar; `value` 0..1. */
export function progressBar(value, status, label = 'Progress') {
  const pct = Math.max(0, Math.min(100, (Number(value) || 0) * 100));
  const shown = pct >= 99.95 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1);
  const el = h('div', {
    class: `progress ${status || ''}`, role: 'progressbar', 'aria-label': label,
    'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': pct.toFixed(1), 'data-progress': String(value ?? 0),
  }, h('div', { class: 'track' }, h('div', { class: 'fill', style: { width: `${pct}%` } })),
  h('span', { class: 'pct' }, `${shown}%`));
  return el;
}

/** Updates a progress bar in place so its width animates. */
export function updateProgressBar(el, value, status) {
  const pct = Math.max(0, Math.min(100, (Number(value) || 0) * 100));
  const shown = pct >= 99.95 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1);
  el.className = `progress ${status || ''}`;
  el.setAttribute('aria-valuenow', pct.toFixed(1));
  el.dataset.progress = String(value ?? 0);
  el.querySelector('.fill').style.width = `${pct}%`;
  el.querySelector('.pct').textContent = `${shown}%`;
}

export function jsonBlock(value, label) {
  return h('pre', { class: 'json', tabindex: '0', 'aria-label': label || 'JSON' }, JSON.stringify(value, null, 2));
}

/** An alert describing an error from the API client. */
export function errorAlert(err, prefix) {
  const msg = err && err.message ? err.message : String(err);
  const box = h('div', { class: 'alert error', role: 'alert' },
    h('strong', null, prefix ? `${prefix}: ` : ''), msg);
  if (err && err.status) box.append(h('span', { class: 'small' }, ` (HTTP ${err.status}${err.code ? `, ${err.code}` : ''})`));
  if (err && Array.isArray(err.problems) && err.problems.length > 1) {
    box.append(h('ul', null, err.problems.map((p) => h('li', null, h('code', null, p.field), ': ', p.message))));
  }
  return box;
}

let announcer = null;
/** Tells assistive technology about a status change (ARIA live region). */
export function announce(message) {
  announcer = announcer || document.getElementById('announcer');
  if (!announcer) return;
  announcer.textContent = '';
  setTimeout(() => { announcer.textContent = message; }, 30);
}

export function shortId(id) { return id ? String(id).slice(0, 8) : '—'; }

export function debounce(fn, ms) {
  let t = null;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

/** Re-renders with fn() while keeping keyboard focus on the element with the same id or data-key. */
export function keepFocus(root, fn) {
  const active = document.activeElement;
  const key = active && root.contains(active) ? (active.id ? `#${CSS.escape(active.id)}` : active.dataset.key ? `[data-key="${CSS.escape(active.dataset.key)}"]` : null) : null;
  fn();
  if (key) { const again = root.querySelector(key); if (again && again !== document.activeElement) again.focus({ preventScroll: true }); }
}
