#!/usr/bin/env bash
# The embedded default on one machine: installs what is missing, builds everything in release
# mode, starts Redis (append-only file under build/redis, so accepted jobs survive a restart), the
# orchestrator and one worker serving every plugin in build/plugins (the four executors and the C
# example), submits a job over the REST API and shows it finish, and keeps everything running
# until Ctrl-C. Ports: REDIS_PORT (default 6379), PORT (default 8080).
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
    --job-types pipeline_execution,ml_training,ml_inference,digital_twin_update,text_stats --log-level notice &
orchestrator=$!
"$bin/mimir-worker" serve --plugin-dir build/plugins --redis-url "redis://127.0.0.1:$redis_port" \
    --orchestrator-url "http://127.0.0.1:$port" --image local-all --slots 2 --log-level notice &
worker=$!
stop() {
    kill "$worker" 2>/dev/null || true
    wait "$worker" 2>/dev/null || true
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
echo "== a text_stats job submitted to the orchestrator and run by the worker"
id=$(curl -s -X POST "http://127.0.0.1:$port/api/jobs" -H 'Content-Type: application/json' \
    -d '{"type": "text_stats", "task_spec": {"parameters": {"text": "to be or not to be", "top": 2}}}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
for _ in $(seq 100); do
    status=$(curl -s "http://127.0.0.1:$port/api/jobs/$id" | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])')
    [ "$status" = queued ] || [ "$status" = running ] || break
    sleep 0.1
done
curl -s "http://127.0.0.1:$port/api/jobs/$id" | python3 -m json.tool
echo
echo "Workers: curl http://127.0.0.1:$port/api/workers; capabilities: curl http://127.0.0.1:$port/api/capabilities"
echo "Orchestrator: http://127.0.0.1:$port (API /api/jobs, /openapi.json, /metrics). Redis: 127.0.0.1:$redis_port."
echo "Press Ctrl-C to stop everything."
wait "$orchestrator"
