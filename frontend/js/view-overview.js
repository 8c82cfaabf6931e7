// Overview: queue depth per job type over time, jobs per second, counts by status, workers by
// status and image, the scaler per image. Everything from the live snapshots (SSE or polling).
import { h, render, fmtNum, badge, timeEl, keepFocus, STATUSES } from './util.js';
import { lineChart } from './chart.js';

export function mount(root, { live }) {
  const updated = h('p', { class: 'muted small', 'aria-live': 'off' });
  const body = h('div');
  render(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Overview'), updated),
    body);

  let chartSpanMin = 5;
  const draw = () => {
    const snap = live.latest;
    if (!snap) {
      render(body, h('p', { class: 'empty' }, live.mode === 'offline' ? 'No data: the API is unreachable.' : 'Waiting for the first update from the orchestrator…'));
      return;
    }
    render(updated, 'Updated ', timeEl(snap.at || snap.receivedAt), live.mode === 'sse' ? ' · live' : live.mode === 'polling' ? ' · polling' : ' · offline');
    const q = snap.queue;
    const rates = live.rates(10);
    keepFocus(body, () => render(body,
      q ? countsPanel(q, rates) : h('div', { class: 'alert error', role: 'alert' }, `The queue could not be read: ${snap.error || 'unknown error'}`),
      h('div', { class: 'grid cols-2' },
        depthPanel(live, chartSpanMin, (m) => { chartSpanMin = m; draw(); }),
        h('div', null, workersPanel(snap.workers, snap.error), scalingPanel(snap.scaling)))));
  };
  const onSnap = () => draw();
  const onMode = () => draw();
  live.addEventListener('snapshot', onSnap);
  live.addEventListener('mode', onMode);
  draw();
  return () => { live.removeEventListener('snapshot', onSnap); live.removeEventListener('mode', onMode); };
}

function countsPanel(q, rates) {
  const c = q.counts || {};
  return h('section', { class: 'panel', 'aria-labelledby': 'ov-counts' },
    h('h2', { id: 'ov-counts' }, 'Jobs'),
    h('div', { class: 'stats' },
      STATUSES.map((s) => h('a', { class: 'stat', href: `#/jobs?status=${s}`, id: `ov-count-${s}`, 'data-count': s },
        h('div', { class: 'k' }, badge(s)), h('div', { class: 'v' }, fmtNum(c[s])))),
      h('div', { class: 'stat', title: 'Queued jobs waiting out a retry backoff' }, h('div', { class: 'k' }, 'Delayed (backoff)'), h('div', { class: 'v' }, fmtNum(q.delayed))),
      h('div', { class: 'stat', title: 'Running jobs holding a lease' }, h('div', { class: 'k' }, 'In flight'), h('div', { class: 'v' }, fmtNum(q.in_flight))),
      h('div', { class: 'stat', 'data-rate': 'finished', title: rates ? `Over the last ${rates.seconds.toFixed(0)} s of updates` : 'Needs a few seconds of updates' },
        h('div', { class: 'k' }, 'Finished / s'), h('div', { class: 'v' }, rates ? fmtNum(rates.finished, 2) : '—')),
      h('div', { class: 'stat', 'data-rate': 'submitted', title: rates ? `Over the last ${rates.seconds.toFixed(0)} s of updates` : 'Needs a few seconds of updates' },
        h('div', { class: 'k' }, 'Submitted / s'), h('div', { class: 'v' }, rates ? fmtNum(rates.submitted, 2) : '—'))),
    h('p', { class: 'hint muted small' }, 'Counts include finished jobs until they expire. Rates are over the last 10 s of updates received by this page.'));
}

function depthPanel(live, spanMin, setSpan) {
  const types = new Set();
  for (const s of live.history) for (const t of Object.keys(s.queue?.depth || {})) types.add(t);
  const series = [...types].sort().map((t) => ({
    name: t,
    points: live.history.filter((s) => s.queue).map((s) => [s.receivedAt, s.queue.depth?.[t]?.ready ?? 0]),
  }));
  const latest = live.latest?.queue?.depth || {};
  const spans = [1, 5, 15];
  return h('section', { class: 'panel', 'aria-labelledby': 'ov-depth' },
    h('h2', { id: 'ov-depth' }, 'Queue depth by job type',
      h('span', { class: 'seg', role: 'group', 'aria-label': 'Time span' }, spans.map((m) => h('button', {
        type: 'button', 'aria-pressed': String(m === spanMin), id: `ov-span-${m}`, onclick: () => setSpan(m),
      }, `${m} min`)))),
    series.length
      ? lineChart(series, { title: 'Ready jobs per job type over time', span: spanMin * 60000 })
      : h('p', { class: 'empty' }, 'No job type has been submitted yet.'),
    Object.keys(latest).length ? h('div', { class: 'table-wrap' }, h('table', null,
      h('caption', { class: 'visually-hidden' }, 'Ready jobs per job type and priority now'),
      h('thead', null, h('tr', null, h('th', null, 'Job type'), h('th', { class: 'num' }, 'Ready'), h('th', null, 'By priority'))),
      h('tbody', null, Object.entries(latest).sort().map(([t, d]) => h('tr', null,
        h('td', null, h('a', { href: `#/jobs?type=${t}&status=queued` }, t)), h('td', { class: 'num' }, fmtNum(d.ready)),
        h('td', null, Object.keys(d.by_priority || {}).length ? h('span', { class: 'chips' }, Object.entries(d.by_priority).sort((a, b) => b[0] - a[0]).map(([p, n]) => h('span', { class: 'chip' }, `p${p}: ${n}`))) : h('span', { class: 'muted' }, '—'))))))) : null,
    h('p', { class: 'hint muted small' }, 'The chart covers what this page has received since it was opened.'));
}

function workersPanel(w, error) {
  if (!w) return h('section', { class: 'panel' }, h('h2', null, 'Workers'), h('p', { class: 'alert error' }, `Workers could not be read: ${error || 'unknown error'}`));
  const byStatus = Object.entries(w.by_status || {});
  const byImage = Object.entries(w.by_image || {});
  return h('section', { class: 'panel', 'aria-labelledby': 'ov-workers' },
    h('h2', { id: 'ov-workers' }, 'Workers', h('a', { class: 'small', href: '#/workers' }, 'All workers')),
    byStatus.length === 0 ? h('p', { class: 'empty' }, 'No worker has registered.') : h('div', { class: 'stats' },
      byStatus.sort().map(([s, n]) => h('div', { class: 'stat', 'data-worker-status': s }, h('div', { class: 'k' }, badge(s)), h('div', { class: 'v' }, fmtNum(n))))),
    byImage.length ? h('div', { class: 'table-wrap' }, h('table', null,
      h('caption', { class: 'visually-hidden' }, 'Live workers by image'),
      h('thead', null, h('tr', null, h('th', null, 'Image'), h('th', { class: 'num' }, 'Live workers'))),
      h('tbody', null, byImage.sort().map(([img, n]) => h('tr', null, h('td', { class: 'mono' }, img), h('td', { class: 'num' }, fmtNum(n))))))) : null);
}

function scalingPanel(s) {
  if (!s) return null;
  return h('section', { class: 'panel', 'aria-labelledby': 'ov-scaling' },
    h('h2', { id: 'ov-scaling' }, h('span', null, 'Scaling ', badge(s.backend || 'none', `backend: ${s.backend || 'none'}`)), h('a', { class: 'small', href: '#/scaling' }, 'Details')),
    (s.images || []).length === 0 ? h('p', { class: 'empty' }, 'No image known to the scaler.') : h('div', { class: 'table-wrap' }, h('table', null,
      h('caption', { class: 'visually-hidden' }, 'Workers desired and running per image'),
      h('thead', null, h('tr', null, ['Image', 'Desired', 'Running', 'Busy', 'Idle', 'Starting', 'Pending jobs'].map((t, i) => h('th', { class: i ? 'num' : null }, t)))),
      h('tbody', null, s.images.map((im) => h('tr', null, h('td', { class: 'mono' }, im.image),
        [im.desired, im.running, im.busy, im.idle, im.starting, im.pending].map((v) => h('td', { class: 'num' }, fmtNum(v)))))))));
}
