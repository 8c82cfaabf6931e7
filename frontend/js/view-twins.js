// Twins: there is no endpoint listing twins, so the view takes a twin id (recent ids are kept in
// sessionStorage). A twin shows its entities with their latest values, the anomalies and changes
// of its recent history; an entity shows each attribute's recent values.
import { api } from './api.js';
import { h, render, timeEl, errorAlert, jsonBlock, fmtNum } from './util.js';
import { navigate } from './router.js';
import { sparkline } from './chart.js';

const RECENT_KEY = 'mimir.recentTwins';
function recentTwins() { try { return JSON.parse(sessionStorage.getItem(RECENT_KEY) || '[]'); } catch { return []; } }
function remember(id) {
  const list = [id, ...recentTwins().filter((x) => x !== id)].slice(0, 10);
  try { sessionStorage.setItem(RECENT_KEY, JSON.stringify(list)); } catch { /* ignore */ }
}

export function mount(root, { params, live }) {
  const twin = params.twin || '';
  const entity = params.entity || '';
  const input = h('input', { type: 'text', id: 'twin-id', name: 'twin', value: twin, autocomplete: 'off', spellcheck: 'false', required: true, pattern: '[A-Za-z0-9_.\\-]{1,128}', 'aria-describedby': 'twin-id-hint' });
  const picker = h('form', { class: 'toolbar', role: 'search', 'aria-label': 'Open a twin', onsubmit: (e) => {
    e.preventDefault();
    const v = input.value.trim();
    if (v) navigate(`twins/${encodeURIComponent(v)}`); else input.focus();
  } },
  h('div', { class: 'field', style: { flex: '1 1 220px' } }, h('label', { for: 'twin-id' }, 'Twin id'), input),
  h('button', { type: 'submit', class: 'btn primary', id: 'twin-open' }, 'Open'));
  const recent = recentTwins();
  const msg = h('div');
  const body = h('div', { id: 'twin-body' });
  render(root,
    h('div', { class: 'page-head' }, h('h1', null, twin ? ['Twin ', h('span', { class: 'mono' }, twin), entity ? [' / ', h('span', { class: 'mono' }, entity)] : null] : 'Digital twins')),
    picker,
    h('p', { class: 'hint muted small', id: 'twin-id-hint' }, 'The API has no list of twins: enter the id a digital_twin_update job defined (its task_spec.parameters.twin_id).'),
    recent.length ? h('nav', { 'aria-label': 'Recent twins', class: 'chips', style: { marginBottom: '12px' } }, h('span', { class: 'muted small' }, 'Recent: '), recent.map((id) => h('a', { class: 'chip', href: `#/twins/${encodeURIComponent(id)}` }, id))) : null,
    msg, body);
  if (!twin) { render(body, h('p', { class: 'empty' }, 'Enter a twin id to see its entities, latest values, anomalies and history.')); return () => {}; }

  let stopped = false; let lastVersion = null; let last = 0; let inFlight = false;
  const load = async (force) => {
    if (stopped || inFlight || (!force && Date.now() - last < 3000)) return;
    inFlight = true; last = Date.now();
    try {
      if (entity) {
        const [detail, hist] = await Promise.all([api.twinEntity(twin, entity, 50), api.twinHistory(twin, { limit: 50 })]);
        if (stopped) return;
        remember(twin);
        render(msg);
        if (detail.version !== lastVersion) { lastVersion = detail.version; drawEntity(body, twin, detail, hist); }
      } else {
        const [state, hist] = await Promise.all([api.twin(twin), api.twinHistory(twin, { limit: 20 })]);
        if (stopped) return;
        remember(twin);
        render(msg);
        if (state.version !== lastVersion) { lastVersion = state.version; drawTwin(body, state, hist); }
      }
    } catch (err) {
      if (stopped) return;
      if (err.status === 404) { render(body); render(msg, h('div', { class: 'alert error', role: 'alert' }, entity ? `Twin ${twin} has no entity ${entity}.` : `No twin ${twin}: it was never defined (a digital_twin_update job with operation "define").`)); }
      else render(msg, errorAlert(err, 'Could not load the twin'));
    } finally { inFlight = false; }
  };
  const onSnap = () => load(false);
  live.addEventListener('snapshot', onSnap);
  load(true);
  return () => { stopped = true; live.removeEventListener('snapshot', onSnap); };
}

function value(v) {
  if (v === null || v === undefined) return h('span', { class: 'muted' }, 'null');
  if (typeof v === 'object') return h('code', null, JSON.stringify(v));
  if (typeof v === 'number') return h('span', { class: 'mono' }, fmtNum(v, 6));
  return String(v);
}

function anomalyRows(entries, onlyEntity) {
  const rows = [];
  for (const e of entries || []) {
    for (const a of e.anomalies || []) {
      if (onlyEntity && a.entity !== onlyEntity) continue;
      rows.push(h('tr', null, h('td', null, String(e.version)), h('td', null, timeEl(a.timestamp || e.committed_at, { abs: false })),
        h('td', { class: 'mono' }, a.entity), h('td', { class: 'mono' }, a.attribute), h('td', { class: 'anomaly' }, value(a.value)), h('td', null, a.kind.replace(/_/g, ' ')),
        h('td', { class: 'small' }, [a.z !== undefined ? `z ${a.z.toFixed(2)}` : null, a.mean !== undefined ? `mean ${a.mean.toFixed(3)}` : null, a.stddev !== undefined ? `σ ${a.stddev.toFixed(3)}` : null, a.threshold !== undefined ? `threshold ${a.threshold}` : null].filter(Boolean).join(' · '))));
    }
  }
  return rows;
}

function anomaliesPanel(entries, onlyEntity) {
  const rows = anomalyRows(entries, onlyEntity);
  return h('section', { class: 'panel', 'aria-labelledby': 'tw-h-anom' },
    h('h2', { id: 'tw-h-anom' }, `Anomalies (${rows.length})`, h('span', { class: 'muted small' }, `in the ${entries.length} most recent versions`)),
    rows.length ? h('div', { class: 'table-wrap' }, h('table', { id: 'twin-anomalies' },
      h('thead', null, h('tr', null, ['Version', 'When', 'Entity', 'Attribute', 'Value', 'Kind', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', null, rows))) : h('p', { class: 'empty' }, 'No anomaly.'));
}

function historyPanel(hist) {
  const entries = hist.entries || [];
  return h('section', { class: 'panel', 'aria-labelledby': 'tw-h-hist' },
    h('h2', { id: 'tw-h-hist' }, 'History', h('span', { class: 'muted small' }, `versions ${hist.oldest_version}–${hist.version}, newest first`)),
    entries.length === 0 ? h('p', { class: 'empty' }, 'No history.') : h('div', { class: 'table-wrap' }, h('table', { id: 'twin-history' },
      h('thead', null, h('tr', null, ['Version', 'Committed', 'Operation', 'Changes', 'Derived', 'Anomalies', 'Observations', 'Job'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, entries.map((e) => h('tr', null,
        h('td', null, String(e.version)), h('td', null, timeEl(e.committed_at, { abs: false })), h('td', null, e.operation || '—'),
        h('td', { class: 'small' }, (e.changes || []).slice(0, 4).map((c) => h('div', null, `${c.entity}.${c.attribute}: `, value(c.before), ' → ', value(c.after))), (e.changes || []).length > 4 ? h('div', { class: 'muted' }, `+${e.changes.length - 4} more`) : null, (e.entities_added || []).length ? h('div', null, `added ${e.entities_added.join(', ')}`) : null),
        h('td', { class: 'small' }, (e.derived || []).slice(0, 3).map((c) => h('div', null, `${c.entity}.${c.attribute}: `, value(c.before), ' → ', value(c.after)))),
        h('td', null, (e.anomalies || []).length ? h('span', { class: 'anomaly' }, String(e.anomalies.length)) : '0'),
        h('td', { class: 'small' }, e.observations ? `${e.observations.applied}/${e.observations.received} applied${e.observations.skipped ? `, ${e.observations.skipped} skipped` : ''}` : '—'),
        h('td', { class: 'id' }, e.job_id ? h('a', { href: `#/jobs/${e.job_id}` }, e.job_id.slice(0, 8)) : '—')))))));
}

function drawTwin(el, state, hist) {
  const entities = Object.values(state.entities || {}).sort((a, b) => a.type.localeCompare(b.type) || a.id.localeCompare(b.id));
  const anomalous = new Set();
  for (const e of hist.entries || []) for (const a of e.anomalies || []) anomalous.add(`${a.entity}\u0000${a.attribute}`);
  render(el,
    h('section', { class: 'panel', 'aria-labelledby': 'tw-h-state' },
      h('h2', { id: 'tw-h-state' }, 'State'),
      h('dl', { class: 'kv' }, h('dt', null, 'Version'), h('dd', { id: 'twin-version' }, String(state.version)), h('dt', null, 'Created'), h('dd', null, timeEl(state.created_at)), h('dt', null, 'Updated'), h('dd', null, timeEl(state.updated_at)), h('dt', null, 'Entities'), h('dd', null, String(entities.length)))),
    h('section', { class: 'panel', 'aria-labelledby': 'tw-h-entities' },
      h('h2', { id: 'tw-h-entities' }, 'Entities and latest values'),
      entities.length === 0 ? h('p', { class: 'empty' }, 'No entity.') : h('div', { class: 'table-wrap' }, h('table', { id: 'twin-entities' },
        h('thead', null, h('tr', null, ['Entity', 'Type', 'Attributes (latest)', 'Observed', 'Relationships'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, entities.map((en) => h('tr', { 'data-entity': en.id },
          h('th', { scope: 'row', class: 'mono' }, h('a', { href: `#/twins/${encodeURIComponent(state.twin_id)}/entities/${encodeURIComponent(en.id)}` }, en.id)),
          h('td', null, en.type),
          h('td', null, Object.keys(en.attributes || {}).length ? h('dl', { class: 'kv' }, Object.entries(en.attributes).map(([k, v]) => [h('dt', null, k), h('dd', { class: anomalous.has(`${en.id}\u0000${k}`) ? 'anomaly' : null }, value(v), anomalous.has(`${en.id}\u0000${k}`) ? h('span', { class: 'flag', style: { marginLeft: '6px' } }, 'anomaly') : null)])) : h('span', { class: 'muted' }, 'none')),
          h('td', { class: 'small' }, Object.entries(en.observed_at || {}).map(([k, t]) => h('div', null, `${k}: `, timeEl(t, { abs: false })))),
          h('td', { class: 'small' }, Object.entries(en.relationships || {}).map(([k, v]) => h('div', null, `${k} → `, v.map((id, i) => [i ? ', ' : '', h('a', { href: `#/twins/${encodeURIComponent(state.twin_id)}/entities/${encodeURIComponent(id)}` }, id)])))))))))),
    anomaliesPanel(hist.entries || []),
    historyPanel(hist),
    h('section', { class: 'panel' }, h('details', null, h('summary', null, 'Schema (ontology)'), jsonBlock(state.schema, 'Twin schema'))));
}

function drawEntity(el, twin, d, hist) {
  const en = d.entity;
  const derived = new Set(d.derived_attributes || []);
  const attrs = [...new Set([...Object.keys(en.attributes || {}), ...Object.keys(d.recent || {})])].sort();
  render(el,
    h('p', null, h('a', { href: `#/twins/${encodeURIComponent(twin)}` }, `← Twin ${twin}`)),
    h('section', { class: 'panel', 'aria-labelledby': 'tw-h-entity' },
      h('h2', { id: 'tw-h-entity' }, `${en.type} ${en.id}`, h('span', { class: 'muted small' }, `twin version ${d.version}`)),
      h('dl', { class: 'kv' }, Object.entries(en.relationships || {}).map(([k, v]) => [h('dt', null, k), h('dd', null, v.map((id, i) => [i ? ', ' : '', h('a', { href: `#/twins/${encodeURIComponent(twin)}/entities/${encodeURIComponent(id)}` }, id)]))]))),
    h('section', { class: 'panel', 'aria-labelledby': 'tw-h-attrs' },
      h('h2', { id: 'tw-h-attrs' }, 'Attributes'),
      attrs.length === 0 ? h('p', { class: 'empty' }, 'No attribute has a value yet.') : h('div', { class: 'table-wrap' }, h('table', { id: 'entity-attributes' },
        h('thead', null, h('tr', null, ['Attribute', 'Latest', 'Observed', 'Trend', 'Recent values (newest first)'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, attrs.map((a) => {
          const recent = (d.recent || {})[a] || [];
          return h('tr', null,
            h('th', { scope: 'row', class: 'mono' }, a, derived.has(a) ? h('span', { class: 'chip', style: { marginLeft: '6px' } }, 'derived') : null),
            h('td', null, value(en.attributes?.[a])),
            h('td', null, en.observed_at?.[a] ? timeEl(en.observed_at[a]) : '—'),
            h('td', null, sparkline(recent.map((r) => r.value).reverse(), { label: `Recent values of ${a}` })),
            h('td', { class: 'small' }, recent.slice(0, 12).map((r, i) => [i ? ', ' : '', h('span', { title: `${r.timestamp} (version ${r.version})` }, value(r.value))]), recent.length > 12 ? h('span', { class: 'muted' }, ` … ${recent.length - 12} more`) : null));
        }))))),
    anomaliesPanel(hist.entries || [], en.id));
}
