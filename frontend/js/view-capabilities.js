// Capabilities: per job type, whether it is configured and served, and each executor with the
// images and workers that provide it; then the image catalog, with mismatches flagged.
import { api } from './api.js';
import { h, render, badge, timeEl, errorAlert, jsonBlock } from './util.js';

export function mount(root, { live }) {
  const msg = h('div');
  const types = h('div', { id: 'capabilities-types' });
  const images = h('div', { id: 'capabilities-images' });
  const flags = h('div', { id: 'capabilities-flags' });
  render(root, h('div', { class: 'page-head' }, h('h1', null, 'Capabilities'), h('p', { class: 'muted small' }, 'What can run where: GET /api/capabilities')), msg, flags,
    h('section', { class: 'panel', 'aria-labelledby': 'cap-h-types' }, h('h2', { id: 'cap-h-types' }, 'Job types'), types),
    h('section', { class: 'panel', 'aria-labelledby': 'cap-h-images' }, h('h2', { id: 'cap-h-images' }, 'Worker image catalog'), images));
  let stopped = false; let sig = null; let lastLoad = 0;
  const load = async (force) => {
    if (stopped || (!force && Date.now() - lastLoad < 4000)) return;
    lastLoad = Date.now();
    try {
      const caps = await api.capabilities();
      if (stopped) return;
      render(msg);
      const s = JSON.stringify(caps);
      if (s === sig) return;
      sig = s;
      draw(caps);
    } catch (err) { if (!stopped) render(msg, errorAlert(err, sig ? 'Could not refresh the capabilities (showing the last answer)' : 'Could not load the capabilities')); }
  };
  const draw = (caps) => {
    const jt = Object.entries(caps.job_types || {}).sort(([a], [b]) => a.localeCompare(b));
    const problems = [];
    for (const [name, t] of jt) {
      if (t.configured && !t.available) problems.push(`${name}: accepted, but no live worker serves it now`);
      if (!t.configured) problems.push(`${name}: served by a worker, but the orchestrator does not accept it`);
      if (!(t.executors || []).length) problems.push(`${name}: no image or worker provides an executor`);
    }
    for (const im of caps.images || []) for (const m of im.mismatches || []) problems.push(`image ${im.image}: ${m}`);
    render(flags, problems.length ? h('div', { class: 'alert warn', role: 'status' }, h('strong', null, `${problems.length} thing${problems.length === 1 ? '' : 's'} to look at:`), h('ul', null, problems.map((p) => h('li', null, p)))) : null);
    render(types, jt.length === 0 ? h('p', { class: 'empty' }, 'No job type known.') : h('div', { class: 'table-wrap' }, h('table', { id: 'capabilities-table' },
      h('caption', { class: 'visually-hidden' }, 'Job types and their executors'),
      h('thead', null, h('tr', null, ['Job type', 'Accepted', 'Served now', 'Executor', 'Plugin', 'GPU', 'Images', 'Declared by', 'Live workers', 'Parameters'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, jt.flatMap(([name, t]) => {
        const exs = t.executors && t.executors.length ? t.executors : [null];
        return exs.map((ex, i) => h('tr', { 'data-job-type': name },
          i === 0 ? h('th', { scope: 'row', rowspan: String(exs.length), class: 'mono' }, name) : null,
          i === 0 ? h('td', { rowspan: String(exs.length) }, t.configured ? badge('ok', 'yes') : badge('error', 'no')) : null,
          i === 0 ? h('td', { rowspan: String(exs.length) }, t.available ? badge('ok', 'yes') : badge('warn', 'no')) : null,
          ex ? [
            h('td', { class: 'mono' }, ex.executor_version),
            h('td', { class: 'small' }, ex.plugin ? `${ex.plugin} ${ex.plugin_version || ''}` : '—'),
            h('td', null, ex.needs_gpu ? 'needs GPU' : 'no'),
            h('td', null, chips(ex.images)),
            h('td', null, chips(ex.declared_by, ex.images)),
            h('td', null, chips(ex.workers)),
            h('td', null, ex.parameters_schema ? h('details', null, h('summary', null, 'Schema'), jsonBlock(ex.parameters_schema, `Parameter schema of ${name} ${ex.executor_version}`)) : h('span', { class: 'muted' }, 'none')),
          ] : h('td', { colspan: '7', class: 'muted' }, 'No executor')));
      })))));
    render(images, (caps.images || []).length === 0 ? h('p', { class: 'empty' }, 'No worker image known: declare them with WORKER_IMAGES or start a worker.') : h('div', { class: 'table-wrap' }, h('table', { id: 'images-table' },
      h('caption', { class: 'visually-hidden' }, 'Worker images'),
      h('thead', null, h('tr', null, ['Image', 'Source', 'Declared', 'Capabilities', 'Resources', 'Live workers', 'Reported', 'Mismatches'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, caps.images.map((im) => h('tr', { 'data-image': im.image, class: im.mismatches?.length ? 'mismatch' : null },
        h('th', { scope: 'row', class: 'mono' }, im.image),
        h('td', null, im.source),
        h('td', null, im.declared ? 'yes' : 'no'),
        h('td', null, h('span', { class: 'chips' }, (im.capabilities || []).map((c) => h('span', { class: 'chip' }, `${c.job_type}@${c.executor_version}`)))),
        h('td', { class: 'small' }, im.resources ? Object.entries(im.resources).map(([k, v]) => `${k} ${v}`).join(' · ') : '—'),
        h('td', null, chips(im.live_workers)),
        h('td', { class: 'small' }, im.reported_at ? [timeEl(im.reported_at, { abs: false }), im.reported_by ? h('div', { class: 'muted' }, `by ${im.reported_by}`) : null] : h('span', { class: 'muted' }, 'never')),
        h('td', null, im.mismatches?.length ? h('ul', { class: 'small', style: { margin: 0, paddingLeft: '16px' } }, im.mismatches.map((m) => h('li', null, h('span', { class: 'flag' }, 'mismatch'), ' ', m))) : h('span', { class: 'muted' }, 'none'))))))));
  };
  const onSnap = () => load(false);
  live.addEventListener('snapshot', onSnap);
  load(true);
  return () => { stopped = true; live.removeEventListener('snapshot', onSnap); };
}

function chips(list, others) {
  if (!list || !list.length) return h('span', { class: 'muted' }, 'none');
  return h('span', { class: 'chips' }, list.map((x) => h('span', { class: 'chip', title: others && !others.includes(x) ? 'declared, but not reported' : null }, x, others && !others.includes(x) ? ' ⚠' : '')));
}
