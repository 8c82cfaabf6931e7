// Entry point: navigation, connection status, the live source and the router.
import { connectivity, onAuthRequired } from './api.js';
import { requestToken } from './auth.js';
import { LiveSource } from './live.js';
import { Router } from './router.js';
import { h, render, tickTimes, announce, formatRelative } from './util.js';
import * as overview from './view-overview.js';
import * as jobs from './view-jobs.js';
import * as job from './view-job.js';
import * as submit from './view-submit.js';
import * as workers from './view-workers.js';
import * as capabilities from './view-capabilities.js';
import * as scaling from './view-scaling.js';
import * as twins from './view-twins.js';

onAuthRequired(requestToken);

const live = new LiveSource();
const main = document.getElementById('main');
const conn = document.getElementById('conn');
const banner = document.getElementById('banner');

const routes = [
  { path: 'overview', view: overview, nav: 'overview', title: 'Overview' },
  { path: 'jobs', view: jobs, nav: 'jobs', title: 'Jobs' },
  { path: 'jobs/:id', view: job, nav: 'jobs', title: 'Job' },
  { path: 'submit', view: submit, nav: 'submit', title: 'Submit a job' },
  { path: 'workers', view: workers, nav: 'workers', title: 'Workers' },
  { path: 'capabilities', view: capabilities, nav: 'capabilities', title: 'Capabilities' },
  { path: 'scaling', view: scaling, nav: 'scaling', title: 'Scaling' },
  { path: 'twins', view: twins, nav: 'twins', title: 'Twins' },
  { path: 'twins/:twin', view: twins, nav: 'twins', title: 'Twin' },
  { path: 'twins/:twin/entities/:entity', view: twins, nav: 'twins', title: 'Twin entity' },
];

// ---- connection state -------------------------------------------------------------------------
let apiState = { state: 'ok', message: '' };
function showConnection() {
  const { mode, message } = live;
  conn.dataset.mode = mode;
  const labels = { sse: 'Live', polling: 'Polling', offline: 'Offline', connecting: 'Connecting…' };
  conn.querySelector('.conn-text').textContent = labels[mode] || mode;
  conn.title = message || '';
  const snapErr = live.latest && live.latest.error;
  let text = null; let warn = false;
  if (mode === 'offline' || apiState.state === 'down') {
    const last = live.lastOkAt ? ` Last update ${formatRelative(live.lastOkAt)}.` : ' No data received yet.';
    text = `The API is unreachable: figures below may be stale.${last} Retrying…`;
  } else if (apiState.state === 'degraded' || snapErr) {
    text = `The orchestrator cannot read its queue: ${snapErr || apiState.message}`;
  } else if (mode === 'polling') {
    warn = true; text = null; // polling works; the indicator says so
  }
  banner.hidden = !text;
  banner.classList.toggle('warn', warn);
  if (text && banner.textContent !== text) banner.textContent = text;
}
let lastMode = null;
live.addEventListener('mode', (e) => {
  showConnection();
  if (lastMode && lastMode !== e.detail.mode) {
    announce(e.detail.mode === 'offline' ? 'Connection to the API lost' : e.detail.mode === 'sse' ? 'Live updates connected' : 'Live updates by polling');
  }
  lastMode = e.detail.mode;
});
live.addEventListener('snapshot', () => { if (apiState.state !== 'ok') apiState = { state: 'ok' }; showConnection(); });
connectivity.addEventListener('change', (e) => { apiState = e.detail; showConnection(); });

// ---- navigation -------------------------------------------------------------------------------
const toggle = document.querySelector('.nav-toggle');
const nav = document.getElementById('nav');
toggle.addEventListener('click', () => {
  const open = !nav.classList.contains('open');
  nav.classList.toggle('open', open);
  toggle.setAttribute('aria-expanded', String(open));
});
nav.addEventListener('click', (e) => {
  if (e.target.closest('a')) { nav.classList.remove('open'); toggle.setAttribute('aria-expanded', 'false'); }
});

let cleanup = null;
let firstRoute = true;
const router = new Router(routes, ({ route, params, query }) => {
  if (cleanup) { try { cleanup(); } catch (err) { console.warn(err); } cleanup = null; }
  for (const a of nav.querySelectorAll('a[data-route]')) {
    if (route && a.dataset.route === route.nav) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const container = h('div', { class: 'view', 'data-view': route ? route.nav : 'not-found' });
  render(main, container);
  if (!route) {
    document.title = 'Not found · Mimir AIP';
    render(container, h('h1', null, 'Not found'), h('p', null, 'No such page. ', h('a', { href: '#/overview' }, 'Go to the overview.')));
    return;
  }
  document.title = `${route.title} · Mimir AIP`;
  cleanup = route.view.mount(container, { params, query, live }) || null;
  if (!firstRoute) main.focus({ preventScroll: true });
  firstRoute = false;
  window.scrollTo(0, 0);
});

setInterval(() => { tickTimes(main); if (!banner.hidden) showConnection(); }, 1000);
live.start();
showConnection();
router.resolve();
