#!/usr/bin/env bash
# The embedded default on one machine: installs what is missing, builds everything in release
# mode, starts Redis (append-only file under build/redis, so accepted jobs survive a restart), the
# orchestrator, which starts local worker processes serving every plugin in build/plugins (the four
# executors and the C example) and scales them with the queue; then
# mimirctl submits one job of each type over the example data and follows each to its end. Everything keeps running
# until Ctrl-C (or SIGTERM), which stops the workers, the orchestrator and Redis, in that order.
# Ports: REDIS_PORT (default 6379), PORT (default 8080). WORKERS kept running (default 2), MAX_WORKERS
# (default 4), SLOTS per worker (default 2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
redis_port=${REDIS_PORT:-6379}
port=${PORT:-8080}
workers=${WORKERS:-2}
slots=${SLOTS:-2}

scripts/install-deps.sh
swift build -c release
bin=$(swift build -c release --show-bin-path)
scripts/stage-plugins.sh "$bin" build/plugins
make -s -C examples/c-plugin BUILD_DIR="$PWD/build/plugins"

mkdir -p build/redis build/logs build/data/projects/demo/datasets
# The example jobs' data, in the demo project of the storage root the workers share.
cp examples/datasets/*.csv build/data/projects/demo/datasets/
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$PWD/build/redis" --appendonly yes \
    --daemonize yes --pidfile "$PWD/build/redis/redis.pid" --logfile "$PWD/build/redis/redis.log"
# The orchestrator starts and stops the workers itself (the local backend): the image `local` is
# the plugins in build/plugins, WORKERS are kept running, up to MAX_WORKERS under load, and extra
# ones retire after 60 s idle.
"$bin/mimir-orchestrator" serve --host 127.0.0.1 --port "$port" --redis-url "redis://127.0.0.1:$redis_port" \
    --worker-backend local --local-plugin-dir build/plugins --local-worker-slots "$slots" \
    --min-workers "$workers" --max-workers "${MAX_WORKERS:-4}" --data-dir build/data --worker-log-dir build/logs \
    --frontend-dir frontend \
    --log-level notice >build/logs/orchestrator.log 2>&1 &
orchestrator=$!
stop() {
    # A second Ctrl-C must not cut the clean-up short (and leave Redis running).
    trap '' INT TERM
    trap - EXIT
    # The orchestrator asks its workers to drain and waits for them before it exits.
    kill "$orchestrator" 2>/dev/null || true
    wait "$orchestrator" 2>/dev/null || true
    kill "$(cat build/redis/redis.pid)" 2>/dev/null || true
    echo "stopped the orchestrator, its workers and Redis (data kept in build/redis and build/data, logs in build/logs)"
}
trap stop EXIT INT TERM
ready=no
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/ready" >/dev/null && ready=yes && break
    sleep 0.1
done
if [ "$ready" = no ]; then
    echo "error: the orchestrator is not ready on port $port after 10 s; its log:" >&2
    cat build/logs/orchestrator.log >&2
    exit 1
fi

# No API tokens are configured here, so the orchestrator generated an admin token (kept, mode 0600,
# in build/data/.secrets/api-tokens, and the same on every run) and printed it: mimirctl and the
# web console need it.
MIMIR_TOKEN=$(sed -n 's/^admin:admin://p' build/data/.secrets/api-tokens)
export MIMIR_TOKEN
for _ in $(seq 100); do
    [ "$("$bin/mimirctl" workers --url "http://127.0.0.1:$port" --json |
        python3 -c 'import json, sys; print(len(json.load(sys.stdin)["workers"]))')" -ge "$workers" ] && break
    sleep 0.1
done

echo "== plugins in build/plugins"
"$bin/mimir-worker" plugins --plugin-dir build/plugins
echo
echo "== workers the orchestrator started, and what they run (mimirctl workers, mimirctl capabilities)"
"$bin/mimirctl" workers --url "http://127.0.0.1:$port"
echo
"$bin/mimirctl" capabilities --url "http://127.0.0.1:$port"
echo
echo "== one job of each type (scripts/demo.sh)"
MIMIRCTL="$bin/mimirctl" scripts/demo.sh "http://127.0.0.1:$port"
echo
echo "== the pipeline's output: build/data/projects/demo/outputs/iris_by_species.csv"
cat build/data/projects/demo/outputs/iris_by_species.csv 2>/dev/null || echo "(not written)"
echo
echo "== a text_stats job through the C example plugin"
id=$("$bin/mimirctl" submit --url "http://127.0.0.1:$port" --file examples/c-plugin/job.json)
"$bin/mimirctl" watch --url "http://127.0.0.1:$port" "$id" || true
"$bin/mimirctl" get --url "http://127.0.0.1:$port" "$id"
echo
echo "Web console: http://127.0.0.1:$port/ (sign in with the admin token below)"
echo "Admin token: $MIMIR_TOKEN (export MIMIR_TOKEN=... for mimirctl; kept in build/data/.secrets/api-tokens)"
echo "Orchestrator: http://127.0.0.1:$port (API /api/jobs, /api/workers, /api/capabilities, /api/scaling, /openapi.json, /metrics)."
echo "Redis: 127.0.0.1:$redis_port (data in build/redis). Logs: build/logs. mimirctl: $bin/mimirctl --url http://127.0.0.1:$port"
echo "Press Ctrl-C to stop everything."
wait "$orchestrator"
