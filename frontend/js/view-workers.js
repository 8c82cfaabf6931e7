// Workers: every registered worker with its image, resources, status, heartbeat age, current
// jobs and executors (GET /api/workers), refreshed on every live update.
import { api } from './api.js';
import { h, render, badge, timeEl, errorAlert, formatDuration, shortId, keepFocus, fmtNum } from './util.js';

export function mount(root, { query, live }) {
  const summary = h('p', { class: 'muted small', id: 'workers-summary' });
  const msg = h('div');
  const list = h('div', { id: 'workers-list' });
  render(root, h('div', { class: 'page-head' }, h('h1', null, 'Workers'), summary), msg, list);
  let stopped = false; let inFlight = false; let loaded = false; let scrolled = false;
  const load = async () => {
    if (stopped || inFlight) return;
    inFlight = true;
    try {
      const data = await api.workers();
      if (stopped) return;
      render(msg);
      loaded = true;
      const workers = (data.workers || []).slice().sort((a, b) => a.image.localeCompare(b.image) || a.id.localeCompare(b.id));
      const byStatus = {};
      for (const w of workers) byStatus[w.status] = (byStatus[w.status] || 0) + 1;
      render(summary, workers.length ? `${workers.length} worker${workers.length === 1 ? '' : 's'}: ${Object.entries(byStatus).map(([s, n]) => `${n} ${s}`).join(', ')}` : '');
      keepFocus(list, () => render(list, workers.length === 0
        ? h('p', { class: 'empty' }, 'No worker has registered. Workers appear here once they register with the orchestrator (mimir-worker serve --orchestrator-url).')
        : h('div', { class: 'table-wrap' }, h('table', { id: 'workers-table', class: 'stack' },
          h('caption', { class: 'visually-hidden' }, 'Registered workers'),
          h('thead', null, h('tr', null, ['Worker', 'Image', 'Status', 'Heartbeat', 'Running jobs', 'Slots', 'Resources', 'Executors', 'Host · version', 'Registered'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, workers.map((w) => row(w, query.focus)))))));
      if (query.focus && !scrolled) { const r = list.querySelector(`tr[data-worker-id="${CSS.escape(query.focus)}"]`); if (r) { r.scrollIntoView({ block: 'center' }); scrolled = true; } }
    } catch (err) {
      if (!stopped) render(msg, errorAlert(err, loaded ? 'Could not refresh the workers (showing the last list)' : 'Could not load the workers'));
    } finally { inFlight = false; }
  };
  const onSnap = () => load();
  live.addEventListener('snapshot', onSnap);
  const timer = setInterval(() => { if (live.mode === 'offline') load(); }, 5000);
  load();
  return () => { stopped = true; clearInterval(timer); live.removeEventListener('snapshot', onSnap); };
}

function resources(r) {
  if (!r || typeof r !== 'object') return h('span', { class: 'muted' }, '—');
  const parts = [];
  if (r.cpu !== undefined) parts.push(`CPU ${r.cpu}`);
  if (r.memory !== undefined) parts.push(`mem ${r.memory}`);
  if (r.gpu !== undefined) parts.push(`GPU ${r.gpu}`);
  return h('span', { class: 'nowrap' }, parts.join(' · ') || '—');
}

function row(w, focus) {
  const age = Number(w.heartbeat_age_seconds);
  const stale = w.status !== 'lost' && age > 10;
  return h('tr', { 'data-worker-id': w.id, 'data-image': w.image, 'data-status': w.status, class: focus === w.id ? 'focus' : null, style: focus === w.id ? { outline: '2px solid var(--focus)' } : null },
    h('td', { 'data-label': 'Worker', class: 'id' }, w.id),
    h('td', { 'data-label': 'Image', class: 'mono', 'data-col': 'image' }, w.image),
    h('td', { 'data-label': 'Status', 'data-col': 'status' }, badge(w.status)),
    h('td', { 'data-label': 'Heartbeat', class: 'nowrap' }, h('span', { class: stale ? 'flag' : null, title: `Last heartbeat ${w.last_heartbeat}` }, `${formatDuration(age)} ago`), h('div', { class: 'muted small' }, timeEl(w.last_heartbeat, { abs: true }))),
    h('td', { 'data-label': 'Running jobs' }, (w.running_jobs || []).length ? h('span', { class: 'chips' }, w.running_jobs.map((id) => h('a', { class: 'chip', href: `#/jobs/${id}`, title: id }, shortId(id)))) : h('span', { class: 'muted' }, 'none')),
    h('td', { 'data-label': 'Slots', class: 'num' }, w.slots !== undefined ? fmtNum(w.slots) : '—'),
    h('td', { 'data-label': 'Resources' }, resources(w.resources)),
    h('td', { 'data-label': 'Executors' }, h('span', { class: 'chips' }, (w.capabilities || []).map((c) => h('span', { class: 'chip', title: [c.plugin && `${c.plugin} ${c.plugin_version || ''}`, c.abi && `ABI ${c.abi}`, c.needs_gpu ? 'needs GPU' : null, c.concurrent === false ? 'not concurrent' : null].filter(Boolean).join(' · ') }, `${c.job_type}@${c.executor_version}`)))),
    h('td', { 'data-label': 'Host · version', class: 'small' }, [w.host, w.version].filter(Boolean).join(' · ') || '—'),
    h('td', { 'data-label': 'Registered' }, timeEl(w.registered_at, { abs: false })));
}
