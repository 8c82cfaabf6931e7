// Jobs: filters by status and type, status badges, live progress bars, cursor pagination.
// The page is fetched again on every live update (SSE tick or poll) and rows are updated in place.
import { api } from './api.js';
import { h, render, badge, timeEl, progressBar, updateProgressBar, errorAlert, shortId, fmtNum, STATUSES, keepFocus } from './util.js';
import { navigate } from './router.js';

let knownTypes = null;

export function mount(root, { query, live }) {
  const status = query.status || '';
  const type = query.type || '';
  const limit = ['10', '25', '50', '100'].includes(query.limit) ? query.limit : '25';
  const cursor = query.cursor || '';
  // Cursors of the pages before this one, for "Previous" (kept in the URL so reload works).
  const back = query.back ? query.back.split(',').filter(Boolean) : [];

  const statusSel = h('select', { id: 'jobs-status', name: 'status' },
    h('option', { value: '' }, 'All statuses'), STATUSES.map((s) => h('option', { value: s }, s)));
  statusSel.value = status;
  const typeSel = h('select', { id: 'jobs-type', name: 'type' }, h('option', { value: '' }, 'All types'));
  const limitSel = h('select', { id: 'jobs-limit', name: 'limit' }, ['10', '25', '50', '100'].map((n) => h('option', { value: n }, n)));
  limitSel.value = limit;
  const fillTypes = (types) => {
    const all = new Set([...types, ...(type ? [type] : [])]);
    render(typeSel, h('option', { value: '' }, 'All types'), [...all].sort().map((t) => h('option', { value: t }, t)));
    typeSel.value = type;
  };
  fillTypes(knownTypes || []);
  if (!knownTypes) api.capabilities().then((c) => { knownTypes = Object.keys(c.job_types || {}); fillTypes(knownTypes); }).catch(() => {});

  const apply = () => navigate('jobs', { status: statusSel.value, type: typeSel.value, limit: limitSel.value === '25' ? '' : limitSel.value });
  statusSel.addEventListener('change', apply);
  typeSel.addEventListener('change', apply);
  limitSel.addEventListener('change', apply);

  const summary = h('div', { class: 'chips', 'aria-label': 'Counts by status' });
  const msg = h('div');
  const tbody = h('tbody');
  const table = h('div', { class: 'table-wrap' }, h('table', { id: 'jobs-table', class: 'stack' },
    h('caption', { class: 'visually-hidden' }, 'Jobs, newest first'),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Job'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Status'),
      h('th', { scope: 'col', class: 'num' }, 'Prio'), h('th', { scope: 'col' }, 'Progress'),
      h('th', { scope: 'col', class: 'num hide-sm' }, 'Attempts'), h('th', { scope: 'col', class: 'hide-sm' }, 'Worker'),
      h('th', { scope: 'col' }, 'Created'))),
    tbody));
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  render(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Jobs'), summary),
    h('form', { class: 'toolbar', role: 'search', 'aria-label': 'Filter jobs', onsubmit: (e) => { e.preventDefault(); apply(); } },
      h('div', { class: 'field' }, h('label', { for: 'jobs-status' }, 'Status'), statusSel),
      h('div', { class: 'field' }, h('label', { for: 'jobs-type' }, 'Job type'), typeSel),
      h('div', { class: 'field' }, h('label', { for: 'jobs-limit' }, 'Per page'), limitSel),
      (status || type) ? h('a', { class: 'btn', href: '#/jobs' }, 'Clear filters') : null,
      h('a', { class: 'btn primary', href: '#/submit' }, 'Submit a job')),
    msg, table, pager);

  const rows = new Map();
  let inFlight = false;
  let loadedOnce = false;
  let stopped = false;
  const load = async () => {
    if (inFlight || stopped) return;
    inFlight = true;
    try {
      const page = await api.jobs({ status, type, limit, cursor });
      if (stopped) return;
      render(msg);
      loadedOnce = true;
      const c = page.queue?.counts || {};
      render(summary, STATUSES.map((s) => h('a', { href: `#/jobs?status=${s}`, class: 'chip', 'data-count': s, title: `${s} jobs` }, `${s} ${fmtNum(c[s])}`)));
      const seen = new Set();
      const ordered = [];
      for (const job of page.jobs) {
        seen.add(job.id);
        let row = rows.get(job.id);
        if (!row) { row = makeRow(job); rows.set(job.id, row); }
        updateRow(row, job);
        ordered.push(row.tr);
      }
      for (const [id, row] of rows) if (!seen.has(id)) { row.tr.remove(); rows.delete(id); }
      ordered.forEach((tr, i) => { if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] || null); });
      if (!page.jobs.length) {
        render(tbody, h('tr', null, h('td', { colspan: '8', class: 'empty' }, status || type ? 'No job matches these filters.' : 'No jobs yet.')));
        rows.clear();
      } else {
        const placeholder = tbody.querySelector('td.empty');
        if (placeholder) placeholder.parentElement.remove();
      }
      keepFocus(pager, () => render(pager,
        back.length ? h('a', { class: 'btn', id: 'jobs-first', href: `#/jobs?${new URLSearchParams({ status, type, limit: limit === '25' ? '' : limit }).toString()}` }, 'First page') : null,
        back.length ? h('a', { class: 'btn', id: 'jobs-prev', href: pageHash({ status, type, limit, cursor: back[back.length - 1], back: back.slice(0, -1) }) }, 'Previous') : null,
        page.next_cursor ? h('a', { class: 'btn', id: 'jobs-next', href: pageHash({ status, type, limit, cursor: page.next_cursor, back: [...back, cursor || '0'] }) }, 'Next') : null,
        h('span', { class: 'muted small' }, `Page ${back.length + 1} · ${page.jobs.length} job${page.jobs.length === 1 ? '' : 's'}`)));
    } catch (err) {
      if (!stopped) render(msg, errorAlert(err, loadedOnce ? 'Could not refresh the jobs (showing the last list)' : 'Could not load the jobs'));
    } finally { inFlight = false; }
  };
  const onSnap = () => load();
  live.addEventListener('snapshot', onSnap);
  const timer = setInterval(() => { if (live.mode === 'offline') load(); }, 5000);
  load();
  return () => { stopped = true; clearInterval(timer); live.removeEventListener('snapshot', onSnap); };
}

function pageHash({ status, type, limit, cursor, back }) {
  const q = new URLSearchParams();
  if (status) q.set('status', status);
  if (type) q.set('type', type);
  if (limit && limit !== '25') q.set('limit', limit);
  if (cursor && cursor !== '0') q.set('cursor', cursor);
  const b = back.filter((x) => x !== undefined);
  if (b.length) q.set('back', b.join(','));
  return `#/jobs?${q.toString()}`;
}

function makeRow(job) {
  const tr = h('tr', { 'data-job-id': job.id });
  const cells = {
    id: h('td', { class: 'id', 'data-label': 'Job' }, h('a', { href: `#/jobs/${job.id}`, title: job.id, 'aria-label': `Job ${job.id}` }, shortId(job.id))),
    type: h('td', { 'data-label': 'Type' }, job.type),
    status: h('td', { 'data-label': 'Status' }),
    prio: h('td', { class: 'num', 'data-label': 'Priority' }),
    progress: h('td', { 'data-label': 'Progress', class: 'wide' }),
    attempts: h('td', { class: 'num hide-sm' }),
    worker: h('td', { class: 'id hide-sm' }),
    created: h('td', { 'data-label': 'Created' }),
  };
  const bar = progressBar(job.progress, job.status, `Progress of job ${shortId(job.id)}`);
  cells.progress.append(bar);
  tr.append(...Object.values(cells));
  return { tr, cells, bar, last: null };
}

function updateRow(row, job) {
  const sig = JSON.stringify([job.status, job.progress, job.attempts, job.worker_id, job.cancel_requested, job.progress_message, job.updated_at]);
  if (row.last === sig) return;
  row.last = sig;
  const { cells } = row;
  render(cells.status, badge(job.status), job.cancel_requested && job.status === 'running' ? h('span', { class: 'small muted' }, ' cancelling') : null,
    job.waiting_reason ? h('span', { class: 'flag', title: job.waiting_reason }, ' waiting') : null);
  cells.prio.textContent = String(job.priority);
  updateProgressBar(row.bar, job.progress, job.status);
  row.bar.title = job.progress_message || '';
  cells.attempts.textContent = `${job.attempts}/${job.max_attempts}`;
  cells.worker.textContent = job.worker_id || '—';
  render(cells.created, timeEl(job.created_at, { abs: false }));
  cells.created.title = job.created_at;
}
