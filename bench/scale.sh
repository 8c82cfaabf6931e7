#!/usr/bin/env bash
# Usage: bench/scale.sh [ROUNDS]
# Scale-up reaction of the local backend, release build: from a job submitted with no worker running
# to a worker the scaler started taking it, ROUNDS times (default 5). The scaler interval is the
# default 1 s, but such a submission starts a pass at once (docs/operations.md, scaling workers).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-5}
. bench/lib/stack.sh
# MIMIR_BIN: use the binaries in that folder as they are instead of building (bench/lib/stack.sh).
bench_binaries mimir-orchestrator mimir-worker MimirNoop
bench_token
work=$(mktemp -d)
mkdir "$work/plugins"
cp "$bin/libMimirNoop.so" "$work/plugins/"
bench_redis "$work"
"$bin/mimir-orchestrator" serve --host 127.0.0.1 --port 0 --redis-url "redis://127.0.0.1:$redis_port" \
    --worker-backend local --local-plugin-dir "$work/plugins" --min-workers 0 --queue-threshold 1 \
    --worker-idle-timeout-seconds 1 --worker-log-dir "$work/logs" --log-level warning >"$work/orchestrator.log" 2>&1 &
orchestrator=$!
# Each step may fail (a process already gone, Redis still writing its log): the cleanup must
# not turn a finished run into a failed one (set -e applies in the trap too).
trap 'kill $orchestrator 2>/dev/null || true; wait $orchestrator 2>/dev/null || true
    kill "$(cat "$work/redis.pid")" 2>/dev/null || true; sleep 0.2; rm -rf "$work" || true' EXIT
bench_port "$work/orchestrator.log"
python3 bench/scale/measure.py "$port" "$rounds"
