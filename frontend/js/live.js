// Live data: the orchestrator's Server-Sent Events (GET /api/events, a `snapshot` every second),
// with polling of /api/jobs, /api/workers and /api/scaling as the fallback when the stream
// cannot be opened or goes quiet. Both produce the same snapshot shape:
//   {at, queue: {depth, counts, delayed, in_flight}, workers: {by_status, by_image}, scaling: {backend, images}}
// Views listen for `snapshot` (also their cue to refresh their own data) and `mode`.
import { api, eventsURL } from './api.js';

const POLL_MS = 2000;
const SSE_QUIET_MS = 5000;      // no snapshot for this long: fall back to polling
const SSE_RETRY_MS = 15000;     // while polling, try the stream again this often
const HISTORY = 900;            // snapshots kept (15 min at one per second)

export class LiveSource extends EventTarget {
  constructor() {
    super();
    this.mode = 'connecting';
    this.message = '';
    this.history = [];
    this.latest = null;
    this.es = null;
    this.pollTimer = null;
    this.retryTimer = null;
    this.watchdog = null;
    this.lastEventAt = 0;
    this.lastOkAt = 0;
  }

  start() {
    if (typeof window.EventSource === 'function') this.openStream();
    else this.startPolling('This browser has no EventSource.');
    this.watchdog = setInterval(() => {
      if (this.mode === 'sse' && Date.now() - this.lastEventAt > SSE_QUIET_MS) {
        this.closeStream();
        this.startPolling('The event stream went quiet.');
      }
    }, 1000);
    document.addEventListener('mimir:token', () => this.restart());
  }

  restart() {
    this.closeStream();
    this.stopPolling();
    this.openStream();
  }

  setMode(mode, message = '') {
    if (mode === this.mode && message === this.message) return;
    this.mode = mode;
    this.message = message;
    this.dispatchEvent(new CustomEvent('mode', { detail: { mode, message } }));
  }

  openStream() {
    clearTimeout(this.retryTimer);
    let es;
    try { es = new EventSource(eventsURL()); } catch (err) { this.startPolling(String(err)); return; }
    this.es = es;
    let opened = false;
    const fail = () => {
      if (this.es !== es) return;
      // EventSource reconnects by itself after `retry`; if it closed for good, or nothing
      // arrives, poll instead and try the stream again later.
      if (es.readyState === EventSource.CLOSED || !opened) {
        this.closeStream();
        this.startPolling('The event stream is unavailable.');
      }
    };
    es.addEventListener('snapshot', (e) => {
      if (this.es !== es) return;
      let data;
      try { data = JSON.parse(e.data); } catch { return; }
      opened = true;
      this.lastEventAt = Date.now();
      if (this.mode !== 'sse') { this.stopPolling(); this.setMode('sse', 'Live (Server-Sent Events)'); }
      this.accept(data);
    });
    es.addEventListener('error', () => {
      if (opened && es.readyState === EventSource.CONNECTING) return; // transient; watchdog decides
      fail();
    });
    // A stream that never delivers within the quiet window counts as failed.
    setTimeout(() => { if (this.es === es && !opened) fail(); }, SSE_QUIET_MS);
  }

  closeStream() {
    if (this.es) { this.es.close(); this.es = null; }
  }

  startPolling(reason) {
    if (this.pollTimer) return;
    this.setMode(this.lastOkAt ? 'polling' : 'connecting', `Polling every ${POLL_MS / 1000} s (${reason})`);
    const tick = async () => {
      await this.pollOnce();
      if (this.pollTimer) this.pollTimer = setTimeout(tick, POLL_MS);
    };
    this.pollTimer = setTimeout(tick, 0);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.tryStreamAgain(), SSE_RETRY_MS);
  }

  stopPolling() {
    clearTimeout(this.pollTimer);
    this.pollTimer = null;
    clearTimeout(this.retryTimer);
  }

  tryStreamAgain() {
    if (this.es || !this.pollTimer) return;
    if (typeof window.EventSource !== 'function') return;
    this.openStream(); // stays on polling until the first snapshot arrives
  }

  async pollOnce() {
    try {
      const [page, workers, scaling] = await Promise.all([api.jobs({ limit: 1 }), api.workers(), api.scaling()]);
      const byStatus = {}; const byImage = {};
      for (const w of workers.workers || []) {
        byStatus[w.status] = (byStatus[w.status] || 0) + 1;
        if (w.status !== 'lost') byImage[w.image] = (byImage[w.image] || 0) + 1;
      }
      this.accept({
        at: new Date().toISOString(), queue: page.queue,
        workers: { by_status: byStatus, by_image: byImage },
        scaling: { backend: scaling.backend, images: scaling.images },
      });
      if (this.mode !== 'sse') this.setMode('polling', `Polling every ${POLL_MS / 1000} s`);
    } catch (err) {
      if (this.mode !== 'sse') this.setMode('offline', err && err.message ? err.message : 'The API is unreachable.');
    }
  }

  accept(snapshot) {
    snapshot.receivedAt = Date.now();
    this.latest = snapshot;
    this.lastOkAt = snapshot.receivedAt;
    if (snapshot.queue) {
      this.history.push(snapshot);
      if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    }
    this.dispatchEvent(new CustomEvent('snapshot', { detail: snapshot }));
  }

  /**
   * Jobs per second over the last `window` seconds, from the counts in the snapshots received:
   * `finished` (succeeded + failed + cancelled + dead) and `submitted` (all statuses).
   * Null until two snapshots at least `min` seconds apart exist. Counts shrink when finished jobs
   * expire, so negative differences are reported as 0.
   */
  rates(window = 10, min = 2) {
    const h = this.history.filter((s) => s.queue && s.queue.counts);
    if (h.length < 2) return null;
    const last = h[h.length - 1];
    const cutoff = last.receivedAt - window * 1000;
    let first = h[0];
    for (const s of h) { if (s.receivedAt >= cutoff) { first = s; break; } }
    const dt = (last.receivedAt - first.receivedAt) / 1000;
    if (dt < min) return null;
    const fin = (c) => c.succeeded + c.failed + c.cancelled + c.dead;
    const all = (c) => fin(c) + c.queued + c.running;
    return {
      seconds: dt,
      finished: Math.max(0, fin(last.queue.counts) - fin(first.queue.counts)) / dt,
      submitted: Math.max(0, all(last.queue.counts) - all(first.queue.counts)) / dt,
      succeeded: Math.max(0, last.queue.counts.succeeded - first.queue.counts.succeeded) / dt,
    };
  }
}
