// Hash router: #/jobs?status=running, #/jobs/<id>, #/twins/<id>/entities/<entity>.
// Routes are patterns with :params; each maps to a view's mount(root, ctx) → cleanup.

export function parseHash(hash = window.location.hash) {
  const raw = hash.replace(/^#\/?/, '');
  const [pathPart, queryPart = ''] = raw.split('?');
  const segments = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const query = Object.fromEntries(new URLSearchParams(queryPart));
  return { segments, query };
}

export function buildHash(path, query = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return `#/${path.replace(/^\//, '')}${s ? `?${s}` : ''}`;
}

export function navigate(path, query, { replace = false } = {}) {
  const hash = buildHash(path, query);
  if (replace) { history.replaceState(null, '', hash); window.dispatchEvent(new HashChangeEvent('hashchange')); } else window.location.hash = hash;
}

export class Router {
  constructor(routes, onRoute) {
    this.routes = routes.map((r) => ({ ...r, parts: r.path.split('/').filter(Boolean) }));
    this.onRoute = onRoute;
    window.addEventListener('hashchange', () => this.resolve());
  }

  match(segments) {
    for (const route of this.routes) {
      if (route.parts.length !== segments.length) continue;
      const params = {};
      let ok = true;
      route.parts.forEach((part, i) => {
        if (part.startsWith(':')) params[part.slice(1)] = segments[i];
        else if (part !== segments[i]) ok = false;
      });
      if (ok) return { route, params };
    }
    return null;
  }

  resolve() {
    const { segments, query } = parseHash();
    if (segments.length === 0) { navigate('overview', {}, { replace: true }); return; }
    const found = this.match(segments);
    this.onRoute(found ? { ...found, query, segments } : { route: null, params: {}, query, segments });
  }
}
