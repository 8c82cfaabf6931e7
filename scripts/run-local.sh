#!/usr/bin/env bash
# The embedded default on one machine: installs what is missing, builds everything in release
# mode, starts Redis (append-only file under build/redis, so accepted jobs survive a restart) and
# the orchestrator, submits a sample job over the REST API, runs a sample job through the C
# example plugin with the worker, and keeps Redis and the orchestrator running until Ctrl-C.
# Ports: REDIS_PORT (default 6379), PORT (default 8080). Workers that take jobs from the queue
# arrive in the next version; until then queued jobs wait.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
redis_port=${REDIS_PORT:-6379}
port=${PORT:-8080}

scripts/install-deps.sh
swift build -c release
bin=$(swift build -c release --show-bin-path)
scripts/stage-plugins.sh "$bin" build/plugins
make -s -C examples/c-plugin BUILD_DIR="$PWD/build/plugins"

mkdir -p build/redis
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$PWD/build/redis" --appendonly yes \
    --daemonize yes --pidfile "$PWD/build/redis/redis.pid" --logfile "$PWD/build/redis/redis.log"
"$bin/mimir-orchestrator" serve --host 127.0.0.1 --port "$port" --redis-url "redis://127.0.0.1:$redis_port" \
    --log-level notice &
orchestrator=$!
stop() {
    kill "$orchestrator" 2>/dev/null || true
    wait "$orchestrator" 2>/dev/null || true
    kill "$(cat build/redis/redis.pid)" 2>/dev/null || true
    echo "stopped the orchestrator and Redis (data kept in build/redis)"
}
trap stop EXIT INT TERM
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.1; done

echo "== plugins in build/plugins"
"$bin/mimir-worker" plugins --plugin-dir build/plugins
echo
echo "== a text_stats job through the C example plugin (mimir-worker run)"
"$bin/mimir-worker" run --plugin-dir build/plugins --job examples/c-plugin/job.json
echo
echo "== a job submitted to the orchestrator (POST /api/jobs)"
curl -s -X POST "http://127.0.0.1:$port/api/jobs" -H 'Content-Type: application/json' \
    -d '{"type": "pipeline_execution", "task_spec": {"parameters": {"steps": [{"kind": "source"}]}}}'
echo
echo
echo "Orchestrator: http://127.0.0.1:$port (API /api/jobs, /openapi.json, /metrics). Redis: 127.0.0.1:$redis_port."
echo "Press Ctrl-C to stop both."
wait "$orchestrator"
