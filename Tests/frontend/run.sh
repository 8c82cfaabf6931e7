#!/usr/bin/env bash
# Browser tests of the web frontend (frontend/) against a real orchestrator, Redis and worker.
#
#   Tests/frontend/run.sh [pytest args]
#
# MIMIR_BIN            folder with mimir-orchestrator, mimir-worker and the executor plugins
#                      (lib*.so, there or in plugins/); default: `swift build --show-bin-path`
# MIMIR_SCREENSHOTS    where screenshots go (default Tests/frontend/screenshots)
# MIMIR_FE_ROWS        rows of the large dataset (default 1000000)
# MIMIR_FE_KEEP=1      keep the temporary folder (logs) afterwards
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${MIMIR_BIN:-}"
if [ -z "$bin" ]; then bin="$(cd "$repo" && swift build --show-bin-path)"; fi
bin="$(cd "$bin" && pwd)"
export MIMIR_SCREENSHOTS="${MIMIR_SCREENSHOTS:-$here/screenshots}"
rows="${MIMIR_FE_ROWS:-1000000}"

# ---- dependencies (only when missing) ---------------------------------------------------------
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else echo "need root for: $*" >&2; return 1; fi; }
if [ ! -x /usr/bin/chromium ]; then
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
if [ ! -x /usr/sbin/nginx ]; then
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx
fi
if ! command -v redis-server >/dev/null; then
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
fi
if ! python3 -c 'import playwright, pytest' 2>/dev/null; then
  python3 -m pip install --break-system-packages -q playwright pytest
fi

for f in mimir-orchestrator mimir-worker; do
  [ -x "$bin/$f" ] || { echo "no $f in $bin (set MIMIR_BIN)" >&2; exit 1; }
done

# ---- temporary world --------------------------------------------------------------------------
tmp="$(mktemp -d "${TMPDIR:-/tmp}/mimir-fe.XXXXXX")"
pids=()
cleanup() {
  local rc=$?
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  # Workers the orchestrator started itself run from our plugin dir: stop those left over.
  for p in $(pgrep -f -- "--plugin-dir $tmp/plugins" 2>/dev/null || true); do kill "$p" 2>/dev/null || true; done
  if [ -n "${redis_port:-}" ]; then redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true; fi
  if [ "$rc" != 0 ]; then
    echo "--- orchestrator log (tail) ---" >&2; tail -n 30 "$tmp/orchestrator.log" 2>/dev/null >&2 || true
  fi
  if [ "${MIMIR_FE_KEEP:-0}" = 1 ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

mkdir -p "$tmp/plugins" "$tmp/data/projects/demo/datasets" "$tmp/logs"
for name in PipelineExecution MLTraining MLInference DigitalTwinUpdate; do
  found=""
  for d in "$bin" "$bin/plugins"; do
    if [ -f "$d/lib$name.so" ]; then found="$d/lib$name.so"; break; fi
  done
  [ -n "$found" ] || { echo "no lib$name.so in $bin" >&2; exit 1; }
  cp "$found" "$tmp/plugins/"
done

python3 - "$tmp/data/projects/demo/datasets" "$rows" <<'PY'
import random, sys
folder, rows = sys.argv[1], int(sys.argv[2])
r = random.Random(7)
regions = ["EU", "US", "ASIA", "AF", "SA"]
with open(f"{folder}/small.csv", "w") as f:
    f.write("id,a,b,region\n")
    f.writelines(f"{i},{r.random():.4f},{r.randint(0, 1000)},{regions[i % 5]}\n" for i in range(500))
with open(f"{folder}/big.csv", "w") as f:
    f.write("id,a,b,region\n")
    for start in range(0, rows, 100000):
        f.writelines(f"{i},{r.random():.4f},{r.randint(0, 1000)},{regions[i % 5]}\n" for i in range(start, min(rows, start + 100000)))
PY

redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
  --logfile "$tmp/redis.log" &
pids+=($!)
for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

port="$(free_port)"
url="http://127.0.0.1:$port"
# The API's tokens (docs/operations.md, "Authentication"): the tests sign in with them.
admin_token="fe-admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
viewer_token="fe-viewer-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
worker_token="fe-worker-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf 'admin:fe-admin:%s\nviewer:fe-viewer:%s\n' "$admin_token" "$viewer_token" >"$tmp/api-tokens"
export MIMIR_WORKER_TOKEN="$worker_token"
# --min-workers 0 plus one worker started here: the scaler's very first launch happens before the
# orchestrator knows its URL, so that worker would never register (see the report). Workers the
# scaler adds later under load register normally.
"$bin/mimir-orchestrator" serve --host 127.0.0.1 --port "$port" --advertise-url "$url" \
  --redis-url "redis://127.0.0.1:$redis_port" --frontend-dir "$repo/frontend" \
  --worker-backend local --local-plugin-dir "$tmp/plugins" --min-workers 0 --max-workers 3 \
  --data-dir "$tmp/data" --worker-log-dir "$tmp/logs" --worker-executable "$bin/mimir-worker" \
  --api-tokens-file "$tmp/api-tokens" >"$tmp/orchestrator.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "$url/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$url/health" >/dev/null || { echo "orchestrator did not start" >&2; exit 1; }

MIMIR_DATA_DIR="$tmp/data" "$bin/mimir-worker" serve --plugin-dir "$tmp/plugins" \
  --redis-url "redis://127.0.0.1:$redis_port" --orchestrator-url "$url" --image local --slots 2 \
  --worker-id "fe-test-worker" >"$tmp/logs/fe-test-worker.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  curl -sf -H "Authorization: Bearer $admin_token" "$url/api/workers" | grep -q fe-test-worker && break
  sleep 0.1
done

# The frontend's own container, minus the container: its nginx configuration (frontend/deploy)
# serving the files and proxying /api to the orchestrator on the same origin.
proxy_port="$(free_port)"
mkdir -p "$tmp/nginx"
sed -e "s|\${ORCHESTRATOR_URL}|$url|g" -e "s|listen 8080;|listen 127.0.0.1:$proxy_port;|" \
  -e "s|root /usr/share/nginx/html;|root $repo/frontend;|" "$repo/frontend/deploy/nginx.conf" >"$tmp/nginx/site.conf"
cat >"$tmp/nginx/nginx.conf" <<NGINX
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events {}
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  include $tmp/nginx/site.conf;
}
NGINX
/usr/sbin/nginx -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" &
pids+=($!)
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$proxy_port/" >/dev/null 2>&1 && break; sleep 0.1; done
export MIMIR_PROXY_URL="http://127.0.0.1:$proxy_port"

mkdir -p "$MIMIR_SCREENSHOTS"
echo "orchestrator $url (redis $redis_port, data $tmp/data); screenshots in $MIMIR_SCREENSHOTS"
MIMIR_URL="$url" MIMIR_DATA_DIR="$tmp/data" MIMIR_TOKEN="$admin_token" MIMIR_VIEWER_TOKEN="$viewer_token" \
  python3 -m pytest -p no:cacheprovider -v "$here/test_frontend.py" "$@"
