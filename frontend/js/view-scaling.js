// Scaling: the scaler's backend and settings, desired and running workers per image, queued
// jobs no image can serve, and the latest decisions (GET /api/scaling).
import { api } from './api.js';
import { h, render, badge, timeEl, errorAlert, fmtNum, keepFocus } from './util.js';

export function mount(root, { live }) {
  const msg = h('div');
  const body = h('div', { id: 'scaling-body' });
  render(root, h('div', { class: 'page-head' }, h('h1', null, 'Scaling'), h('p', { class: 'muted small' }, 'GET /api/scaling')), msg, body);
  let stopped = false; let inFlight = false; let loaded = false; let last = 0;
  const load = async () => {
    if (stopped || inFlight || Date.now() - last < 1500) return;
    inFlight = true; last = Date.now();
    try {
      const s = await api.scaling();
      if (stopped) return;
      render(msg); loaded = true;
      keepFocus(body, () => draw(body, s));
    } catch (err) { if (!stopped) render(msg, errorAlert(err, loaded ? 'Could not refresh (showing the last answer)' : 'Could not load the scaler state')); } finally { inFlight = false; }
  };
  const onSnap = () => load();
  live.addEventListener('snapshot', onSnap);
  const timer = setInterval(() => { if (live.mode === 'offline') load(); }, 5000);
  load();
  return () => { stopped = true; clearInterval(timer); live.removeEventListener('snapshot', onSnap); };
}

function draw(el, s) {
  const st = s.settings || {};
  render(el,
    s.error ? h('div', { class: 'alert error', role: 'alert' }, `The last scaler pass failed: ${s.error}`) : null,
    h('div', { class: 'grid cols-2' },
      h('section', { class: 'panel', 'aria-labelledby': 'sc-h-backend' },
        h('h2', { id: 'sc-h-backend' }, 'Backend and settings'),
        h('dl', { class: 'kv', id: 'scaling-settings' },
          h('dt', null, 'Backend'), h('dd', null, badge(s.backend === 'none' ? 'warn' : 'info', s.backend)),
          h('dt', null, 'Pass interval'), h('dd', null, `${st.interval_seconds} s`),
          h('dt', null, 'Workers min / max'), h('dd', null, `${st.min_workers} / ${st.max_workers}`),
          h('dt', null, 'Queue threshold'), h('dd', null, `${st.queue_threshold} queued jobs per worker`),
          h('dt', null, 'Idle timeout'), h('dd', null, `${st.worker_idle_timeout_seconds} s`))),
      h('section', { class: 'panel', 'aria-labelledby': 'sc-h-unserved' },
        h('h2', { id: 'sc-h-unserved' }, 'Unserved queued jobs'),
        (s.unserved || []).length === 0 ? h('p', { class: 'empty' }, 'None: every queued job has an image that can serve it.')
          : h('ul', null, s.unserved.map((u) => h('li', null, h('a', { href: `#/jobs?type=${u.type}&status=queued` }, u.type), `: ${fmtNum(u.count)} job${u.count === 1 ? '' : 's'} no known image can serve`))))),
    h('section', { class: 'panel', 'aria-labelledby': 'sc-h-images' },
      h('h2', { id: 'sc-h-images' }, 'Per image'),
      (s.images || []).length === 0 ? h('p', { class: 'empty' }, 'No image known to the scaler.') : h('div', { class: 'table-wrap' }, h('table', { id: 'scaling-images' },
        h('caption', { class: 'visually-hidden' }, 'Desired and running workers per image'),
        h('thead', null, h('tr', null, ['Image', 'Desired', 'Running', 'Busy', 'Idle', 'Starting', 'Pending jobs', 'Min', 'Max', 'Launchable', 'Reasoning'].map((t, i) => h('th', { scope: 'col', class: i > 0 && i < 9 ? 'num' : null }, t)))),
        h('tbody', null, s.images.map((im) => h('tr', { 'data-image': im.image },
          h('th', { scope: 'row', class: 'mono' }, im.image),
          [im.desired, im.running, im.busy, im.idle, im.starting, im.pending, im.min_workers, im.max_workers].map((v) => h('td', { class: 'num' }, fmtNum(v))),
          h('td', null, im.launchable ? badge('ok', 'yes') : badge('warn', 'no')),
          h('td', { class: 'small' }, im.reason))))))),
    h('section', { class: 'panel', 'aria-labelledby': 'sc-h-decisions' },
      h('h2', { id: 'sc-h-decisions' }, 'Recent decisions', h('span', { class: 'muted small' }, 'newest first')),
      (s.decisions || []).length === 0 ? h('p', { class: 'empty' }, 'No decision yet.') : h('div', { class: 'table-wrap' }, h('table', { id: 'scaling-decisions' },
        h('thead', null, h('tr', null, ['When', 'Image', 'Kind', 'Message'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, s.decisions.map((d) => h('tr', null, h('td', null, timeEl(d.at)), h('td', { class: 'mono' }, d.image), h('td', null, badge(d.kind)), h('td', { class: 'small' }, d.message))))))));
}
