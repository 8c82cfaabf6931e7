// The REST client: same-origin /api (the orchestrator itself, or a reverse proxy in front of it).
// A 401 answer asks for a token (auth.js), keeps it in sessionStorage and retries with
// `Authorization: Bearer <token>`. Connectivity is reported to whoever listens on `connectivity`.

const TOKEN_KEY = 'mimir.token';
const base = (document.querySelector('meta[name="mimir-api-base"]')?.content || '').replace(/\/$/, '');

export const connectivity = new EventTarget();
let lastState = null;
function setConnectivity(state, detail) {
  if (state === lastState && state === 'ok') return;
  lastState = state;
  connectivity.dispatchEvent(new CustomEvent('change', { detail: { state, ...detail } }));
}

export class ApiError extends Error {
  constructor(status, body, text) {
    const e = body && body.error ? body.error : null;
    super(e?.message || text || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = e?.code || null;
    this.problems = Array.isArray(e?.problems) ? e.problems : [];
    this.knownTypes = e?.known_types || null;
    this.body = body;
  }
}

export class NetworkError extends Error {
  constructor(cause) {
    super('The API is unreachable (no answer from the server).');
    this.name = 'NetworkError';
    this.cause = cause;
  }
}

export function getToken() { try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; } }
export function setToken(token) { try { if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY); } catch { /* private mode */ } }

let authHandler = null;
/** fn(reason) → Promise<boolean>: true once a new token is stored. */
export function onAuthRequired(fn) { authHandler = fn; }

export function url(path, query) {
  const u = new URL(base + path, window.location.href);
  if (query) {
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, String(v));
    }
  }
  return u.pathname + u.search;
}

export async function request(method, path, { query, body, headers = {}, signal } = {}) {
  for (let prompts = 0; ;) {
    const h = { Accept: 'application/json', ...headers };
    const token = getToken();
    if (token) h.Authorization = `Bearer ${token}`;
    let payload;
    if (body !== undefined) { h['Content-Type'] = 'application/json'; payload = typeof body === 'string' ? body : JSON.stringify(body); }
    let res;
    try {
      res = await fetch(url(path, query), { method, headers: h, body: payload, signal, cache: 'no-store' });
    } catch (err) {
      if (err && err.name === 'AbortError') throw err;
      setConnectivity('down', { message: 'The API is unreachable.' });
      throw new NetworkError(err);
    }
    const text = await res.text();
    let data = null;
    if (text && (res.headers.get('content-type') || '').includes('json')) {
      try { data = JSON.parse(text); } catch { data = null; }
    }
    // A request sent with a token that has since been replaced (another request's prompt was
    // answered meanwhile) is retried with the new one: asking again would reopen the dialog the
    // user just closed, with a stale complaint.
    if (res.status === 401 && getToken() && getToken() !== token) continue;
    if (res.status === 401 && authHandler && prompts < 3) {
      prompts += 1;
      const reason = data?.error?.message || (token ? 'The token was refused.' : 'The server asks for an access token.');
      const ok = await authHandler(reason);
      if (ok) continue;
      throw new ApiError(401, data, 'Not signed in.');
    }
    if (res.status === 502 || res.status === 504 || (res.status === 503 && !data)) {
      setConnectivity('down', { message: `The API is unreachable (HTTP ${res.status} from the proxy).` });
    } else if (res.status === 503 && data?.error?.code === 'redis_unavailable') {
      setConnectivity('degraded', { message: data.error.message || 'Redis is unavailable.' });
    } else {
      setConnectivity('ok');
    }
    if (!res.ok) throw new ApiError(res.status, data, text && !data ? text.slice(0, 300) : null);
    return data;
  }
}

export const api = {
  jobs: (q = {}, opts) => request('GET', '/api/jobs', { query: q, ...opts }),
  job: (id, opts) => request('GET', `/api/jobs/${encodeURIComponent(id)}`, opts),
  logs: (id, offset = 0, limit = 1000, opts) => request('GET', `/api/jobs/${encodeURIComponent(id)}/logs`, { query: { offset, limit }, ...opts }),
  submit: (submission, idempotencyKey) => request('POST', '/api/jobs', {
    body: submission, headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {},
  }),
  cancel: (id) => request('POST', `/api/jobs/${encodeURIComponent(id)}/cancel`),
  retry: (id) => request('POST', `/api/jobs/${encodeURIComponent(id)}/retry`),
  workers: (opts) => request('GET', '/api/workers', opts),
  capabilities: (opts) => request('GET', '/api/capabilities', opts),
  scaling: (opts) => request('GET', '/api/scaling', opts),
  twin: (id, opts) => request('GET', `/api/twins/${encodeURIComponent(id)}`, opts),
  twinHistory: (id, { before, limit = 20 } = {}, opts) => request('GET', `/api/twins/${encodeURIComponent(id)}/history`, { query: { before, limit }, ...opts }),
  twinEntity: (id, entity, recent = 50, opts) => request('GET', `/api/twins/${encodeURIComponent(id)}/entities/${encodeURIComponent(entity)}`, { query: { recent }, ...opts }),
};

/** The SSE URL; EventSource cannot set headers, so the token goes in the query. */
export function eventsURL() {
  const token = getToken();
  return url('/api/events', token ? { access_token: token } : null);
}
