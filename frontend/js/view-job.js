// Job detail: spec, status timeline, attempts, live logs, result JSON, output locations,
// cancel and retry. Refreshed on every live update while the job is not final.
import { api } from './api.js';
import { h, render, badge, timeEl, progressBar, updateProgressBar, errorAlert, jsonBlock, announce, fmtBytes, fmtNum, formatDuration, parseTime, FINAL_STATUSES, keepFocus } from './util.js';

export function mount(root, { params, live }) {
  const id = params.id;
  const head = h('div', { class: 'page-head' });
  const msg = h('div', { id: 'job-msg' });
  const actions = h('div', { class: 'actions', id: 'job-actions' });
  const bar = progressBar(0, '', 'Job progress');
  bar.id = 'job-progress';
  const progressMsg = h('p', { class: 'muted small', id: 'job-progress-message' });
  const summary = h('dl', { class: 'kv' });
  const timeline = h('ol', { class: 'timeline', id: 'job-timeline' });
  const attempts = h('div', { id: 'job-attempts' });
  const spec = h('div');
  const result = h('div', { id: 'job-result' });
  const outputs = h('div', { id: 'job-outputs' });
  const logBox = h('pre', { class: 'logs', id: 'job-logs', tabindex: '0', 'aria-label': 'Log lines', 'aria-live': 'off' });
  const logInfo = h('p', { class: 'muted small' });
  const body = h('div', { hidden: true },
    h('section', { class: 'panel', 'aria-labelledby': 'job-h-progress' },
      h('h2', { id: 'job-h-progress' }, 'Progress', actions), bar, progressMsg),
    h('div', { class: 'grid cols-2' },
      h('section', { class: 'panel', 'aria-labelledby': 'job-h-summary' }, h('h2', { id: 'job-h-summary' }, 'Summary'), summary),
      h('section', { class: 'panel', 'aria-labelledby': 'job-h-timeline' }, h('h2', { id: 'job-h-timeline' }, 'Status timeline'), timeline,
        h('h3', { id: 'job-h-attempts', style: { marginTop: '10px' } }, 'Attempts'), attempts)),
    h('section', { class: 'panel', 'aria-labelledby': 'job-h-logs' }, h('h2', { id: 'job-h-logs' }, 'Logs', logInfo), logBox),
    h('div', { class: 'grid cols-2' },
      h('section', { class: 'panel', 'aria-labelledby': 'job-h-result' }, h('h2', { id: 'job-h-result' }, 'Result'), outputs, result),
      h('section', { class: 'panel', 'aria-labelledby': 'job-h-spec' }, h('h2', { id: 'job-h-spec' }, 'Specification'), spec)));
  render(root, h('p', null, h('a', { href: '#/jobs' }, '← Jobs')), head, msg, body);
  render(head, h('h1', null, 'Job ', h('span', { class: 'id' }, id)));

  let job = null;
  let stopped = false;
  let inFlight = false;
  let logOffset = 0;
  let logLines = 0;
  let lastStatus = null;
  let specSig = null;
  let resultSig = null;
  let confirming = false;
  let actionBusy = false;
  const observed = [];       // status changes seen by this page: [{status, at}]

  const drawActions = () => keepFocus(actions, () => {
    if (!job) { render(actions); return; }
    const final = FINAL_STATUSES.includes(job.status);
    const canCancel = !final && !(job.status === 'running' && job.cancel_requested);
    const canRetry = job.status === 'failed' || job.status === 'dead';
    if (confirming && canCancel) {
      render(actions,
        h('span', { class: 'small', id: 'job-cancel-question' }, job.status === 'running' ? 'Stop this running job?' : 'Cancel this queued job?'),
        h('button', { type: 'button', class: 'btn danger', id: 'job-cancel-confirm', 'aria-describedby': 'job-cancel-question', disabled: actionBusy, onclick: doCancel }, 'Yes, cancel job'),
        h('button', { type: 'button', class: 'btn', id: 'job-cancel-keep', onclick: () => { confirming = false; drawActions(); document.getElementById('job-cancel')?.focus(); } }, 'Keep it'));
      return;
    }
    confirming = false;
    render(actions,
      h('button', { type: 'button', class: 'btn danger', id: 'job-cancel', disabled: !canCancel || actionBusy,
        title: final ? 'The job is already final' : job.cancel_requested ? 'Cancellation already requested' : null,
        onclick: () => { confirming = true; drawActions(); document.getElementById('job-cancel-confirm')?.focus(); } },
      job.cancel_requested && !final ? 'Cancellation requested…' : 'Cancel job'),
      h('button', { type: 'button', class: 'btn', id: 'job-retry', disabled: !canRetry || actionBusy, title: canRetry ? null : 'Only failed or dead jobs can be retried', onclick: doRetry }, 'Retry'),
      h('a', { class: 'btn', id: 'job-copy', href: `#/submit?from=${encodeURIComponent(id)}` }, 'Copy to a new job'));
  });

  const doCancel = async () => {
    actionBusy = true; drawActions();
    try {
      const j = await api.cancel(id);
      confirming = false;
      render(msg, h('div', { class: 'alert ok', role: 'status' }, j.status === 'cancelled' ? 'The job was cancelled.' : 'Cancellation requested: the worker will stop the job.'));
      announce(j.status === 'cancelled' ? 'Job cancelled' : 'Cancellation requested');
      apply(j);
    } catch (err) { render(msg, errorAlert(err, 'Cancel failed')); } finally { actionBusy = false; drawActions(); }
  };
  const doRetry = async () => {
    actionBusy = true; drawActions();
    try {
      const j = await api.retry(id);
      render(msg, h('div', { class: 'alert ok', role: 'status' }, 'The job is queued again.'));
      announce('Job queued again');
      logOffset = 0; logLines = 0; render(logBox);
      apply(j);
    } catch (err) { render(msg, errorAlert(err, 'Retry failed')); } finally { actionBusy = false; drawActions(); }
  };

  const apply = (j) => {
    job = j;
    body.hidden = false;
    if (j.status !== lastStatus) {
      observed.push({ status: j.status, at: Date.now() });
      if (lastStatus) announce(`Job ${id.slice(0, 8)} is now ${j.status}`);
      lastStatus = j.status;
    }
    render(head, h('h1', null, 'Job ', h('span', { class: 'id' }, j.id)), h('div', { class: 'actions' }, h('span', { id: 'job-status' }, badge(j.status)), h('span', { class: 'chip' }, j.type), h('span', { class: 'chip' }, `priority ${j.priority}`)));
    updateProgressBar(bar, j.progress, j.status);
    progressMsg.textContent = j.progress_message || (j.status === 'queued' ? (j.waiting_reason ? `Waiting: ${j.waiting_reason}` : 'Waiting for a worker.') : '');
    drawActions();
    drawSummary(summary, j);
    drawTimeline(timeline, j, observed);
    drawAttempts(attempts, j);
    const sSig = JSON.stringify([j.task_spec, j.resource_requirements, j.data_access, j.project_id]);
    if (sSig !== specSig) {
      specSig = sSig;
      render(spec, jsonBlock({ type: j.type, priority: j.priority, project_id: j.project_id, max_attempts: j.max_attempts, task_spec: j.task_spec, resource_requirements: j.resource_requirements, data_access: j.data_access }, 'Job specification'));
    }
    const rSig = JSON.stringify(j.result);
    if (rSig !== resultSig) {
      resultSig = rSig;
      render(result, j.result === null || j.result === undefined ? h('p', { class: 'empty' }, FINAL_STATUSES.includes(j.status) ? 'No result was reported.' : 'No result yet.') : jsonBlock(j.result, 'Result JSON'));
    }
    drawOutputs(outputs, j);
  };

  const loadLogs = async () => {
    for (let i = 0; i < 5; i += 1) {
      const page = await api.logs(id, logOffset, 1000);
      if (stopped) return;
      const atBottom = logBox.scrollHeight - logBox.scrollTop - logBox.clientHeight < 30;
      if (page.lines.length && !logLines) logBox.textContent = '';
      for (const line of page.lines) {
        const lvl = String(line.level || 'info').toLowerCase();
        logBox.append(h('span', { class: 'log-line' }, h('time', { datetime: line.time, title: line.time }, line.time.slice(11, 23)), ' ', h('span', { class: `lvl-${lvl}` }, lvl.padEnd(7)), ' ', line.message, '\n'));
        logLines += 1;
      }
      logOffset = page.next_offset;
      logInfo.textContent = `${fmtNum(logLines)} line${logLines === 1 ? '' : 's'}${page.dropped ? ` · ${fmtNum(page.dropped)} older dropped` : ''}`;
      if (atBottom) logBox.scrollTop = logBox.scrollHeight;
      if (page.lines.length < 1000) break;
    }
    if (!logLines) { logBox.textContent = 'No log lines yet.'; logInfo.textContent = ''; }
  };

  let lastFinalLoad = 0;
  const load = async () => {
    if (inFlight || stopped) return;
    if (job && FINAL_STATUSES.includes(job.status) && Date.now() - lastFinalLoad < 5000) return;
    inFlight = true;
    try {
      const j = await api.job(id);
      if (stopped) return;
      if (msg.querySelector('.alert.error')) render(msg);
      apply(j);
      await loadLogs();
      if (FINAL_STATUSES.includes(j.status)) lastFinalLoad = Date.now();
    } catch (err) {
      if (stopped) return;
      if (err.status === 404) { body.hidden = true; render(msg, h('div', { class: 'alert error', role: 'alert' }, 'No such job: it never existed or it expired. ', h('a', { href: '#/jobs' }, 'Back to the jobs.'))); stopped = true; }
      else render(msg, errorAlert(err, job ? 'Could not refresh the job (showing the last state)' : 'Could not load the job'));
    } finally { inFlight = false; }
  };
  const onSnap = () => load();
  live.addEventListener('snapshot', onSnap);
  const timer = setInterval(() => { if (live.mode !== 'sse' || Date.now() - (live.latest?.receivedAt || 0) > 3000) load(); }, 2000);
  load();
  return () => { stopped = true; clearInterval(timer); live.removeEventListener('snapshot', onSnap); };
}

function kv(dt, dd) { return [h('dt', null, dt), h('dd', null, dd)]; }

function drawSummary(el, j) {
  render(el,
    kv('Status', [badge(j.status), j.cancel_requested && j.status === 'running' ? ' cancellation requested' : '']),
    kv('Type', j.type),
    kv('Project', j.project_id ?? h('span', { class: 'muted' }, 'none')),
    kv('Priority', String(j.priority)),
    kv('Attempts', `${j.attempts} of ${j.max_attempts}${j.manual_retries ? ` · retried manually ${j.manual_retries}×` : ''}`),
    kv('Worker', j.worker_id ? h('a', { href: `#/workers?focus=${encodeURIComponent(j.worker_id)}`, class: 'id' }, j.worker_id) : h('span', { class: 'muted' }, 'none')),
    kv('Created', timeEl(j.created_at)),
    kv('Updated', timeEl(j.updated_at)),
    j.started_at ? kv('Started', timeEl(j.started_at)) : null,
    j.finished_at ? kv('Finished', timeEl(j.finished_at)) : null,
    j.started_at && j.finished_at ? kv('Ran for', formatDuration((parseTime(j.finished_at) - parseTime(j.started_at)) / 1000)) : null,
    j.lease_expires_at ? kv('Lease expires', timeEl(j.lease_expires_at)) : null,
    j.run_after ? kv('Retry after', timeEl(j.run_after)) : null,
    j.waiting_reason ? kv('Waiting because', h('span', { class: 'flag' }, j.waiting_reason)) : null,
    j.error ? kv('Error', h('span', { class: 'anomaly' }, j.error)) : null,
    j.error_kind ? kv('Error kind', badge('error', j.error_kind)) : null,
    j.last_error ? kv('Previous error', j.last_error) : null,
    j.idempotency_key ? kv('Idempotency key', h('code', null, j.idempotency_key)) : null,
    j.logs_dropped ? kv('Log lines dropped', fmtNum(j.logs_dropped)) : null);
}

function drawTimeline(el, j, observed) {
  const final = FINAL_STATUSES.includes(j.status);
  const items = [h('li', { class: 'done' }, h('strong', null, 'Submitted'), ' ', timeEl(j.created_at))];
  if (j.started_at) items.push(h('li', { class: 'done' }, h('strong', null, `Attempt ${j.attempts || 1} started`), j.worker_id ? ` on ${j.worker_id} ` : ' ', timeEl(j.started_at)));
  else if (!final) items.push(h('li', { class: 'pending' }, j.run_after ? ['Waiting for the retry backoff until ', timeEl(j.run_after)] : 'Waiting for a worker'));
  if (j.status === 'running') items.push(h('li', { class: 'pending' }, j.cancel_requested ? 'Cancellation requested; waiting for the worker to stop' : `Running: ${Math.round((j.progress || 0) * 100)}%`));
  if (j.status === 'queued' && j.attempts > 0) items.push(h('li', { class: 'pending' }, `Queued again after attempt ${j.attempts}${j.error ? ` (${j.error})` : ''}`));
  if (final) items.push(h('li', { class: 'done' }, h('strong', null, j.status.replace(/^./, (c) => c.toUpperCase())), ' ', j.finished_at ? timeEl(j.finished_at) : null, j.error ? h('div', { class: 'small' }, j.error) : null));
  if (observed.length > 1) {
    items.push(h('li', { class: 'pending' }, h('details', null, h('summary', null, 'Changes seen on this page'),
      h('ul', null, observed.map((o) => h('li', null, badge(o.status), ' ', timeEl(o.at)))))));
  }
  render(el, items);
}

function drawAttempts(el, j) {
  const rows = [];
  if (j.attempts === 0) { render(el, h('p', { class: 'empty' }, 'No attempt has started yet.')); return; }
  rows.push(h('tr', null, h('td', null, `#${j.attempts} (latest)`), h('td', null, j.status === 'running' || j.status === 'succeeded' || FINAL_STATUSES.includes(j.status) ? badge(j.status) : badge('queued', 'ended')),
    h('td', { class: 'id' }, j.worker_id || '—'), h('td', null, j.started_at ? timeEl(j.started_at, { abs: false }) : '—'),
    h('td', null, j.error ? `${j.error_kind ? `${j.error_kind}: ` : ''}${j.error}` : '—')));
  if (j.attempts > 1) rows.push(h('tr', null, h('td', null, `#${j.attempts - 1}`), h('td', null, badge('failed', 'ended')), h('td', null, '—'), h('td', null, '—'), h('td', null, j.last_error || '—')));
  render(el, h('div', { class: 'table-wrap' }, h('table', null,
    h('thead', null, h('tr', null, ['Attempt', 'Outcome', 'Worker', 'Started', 'Error'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, rows))),
  h('p', { class: 'muted small' }, `${j.attempts} of ${j.max_attempts} attempts used. The API keeps the latest attempt and the previous attempt's error.`));
}

function drawOutputs(el, j) {
  const items = [];
  if (j.data_access?.output_location) items.push(h('li', null, 'Requested output location: ', h('code', null, j.data_access.output_location)));
  if (j.data_access?.input_datasets?.length) items.push(h('li', null, 'Inputs: ', j.data_access.input_datasets.map((d, i) => [i ? ', ' : '', h('code', null, d)])));
  const res = j.result && typeof j.result === 'object' ? j.result : null;
  if (res && Array.isArray(res.outputs)) {
    for (const o of res.outputs) {
      items.push(h('li', null, h('code', null, o.path || o.dataset || JSON.stringify(o)),
        h('span', { class: 'muted small' }, [o.dataset && o.path ? ` (${o.dataset})` : '', o.rows !== undefined ? ` · ${fmtNum(o.rows)} rows` : '', o.bytes !== undefined ? ` · ${fmtBytes(o.bytes)}` : '', o.format ? ` · ${o.format}` : ''].join(''))));
    }
  }
  if (res) {
    for (const [k, v] of Object.entries(res)) {
      if (typeof v === 'string' && /(path|uri|location|artifact|directory)$/i.test(k)) items.push(h('li', null, `${k}: `, h('code', null, v)));
    }
  }
  render(el, items.length ? [h('h3', null, 'Output locations'), h('ul', { id: 'job-output-list' }, items)] : null);
}
