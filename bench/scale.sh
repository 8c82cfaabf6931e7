#!/usr/bin/env bash
# Usage: bench/scale.sh [ROUNDS]
# Scale-up reaction of the local backend, release build: from a job submitted with no worker running
# to a worker the scaler started taking it (scaler interval 1 s, the default), ROUNDS times (default 5).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-5}
scratch=.build-release
# MIMIR_BIN: use the binaries in that folder as they are (e.g. a copy of an earlier build, for a
# before/after comparison) instead of building.
if [ -n "${MIMIR_BIN:-}" ]; then
    bin=$MIMIR_BIN
else
    for product in mimir-orchestrator mimir-worker MimirNoop; do
        swift build -c release --scratch-path "$scratch" --product "$product" >/dev/null
    done
    bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)
fi
# The API with authentication on, as deployed; one admin token, no rate limit (measured here).
MIMIR_TOKEN="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export MIMIR_TOKEN API_TOKENS="admin:bench:$MIMIR_TOKEN" RATE_LIMIT_PER_SECOND=0
work=$(mktemp -d)
mkdir "$work/plugins"
cp "$bin/libMimirNoop.so" "$work/plugins/"
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --daemonize yes \
    --logfile "$work/redis.log" --pidfile "$work/redis.pid"
"$bin/mimir-orchestrator" serve --host 127.0.0.1 --port 0 --redis-url "redis://127.0.0.1:$redis_port" \
    --worker-backend local --local-plugin-dir "$work/plugins" --min-workers 0 --queue-threshold 1 \
    --worker-idle-timeout-seconds 1 --worker-log-dir "$work/logs" --log-level warning >"$work/orchestrator.log" 2>&1 &
orchestrator=$!
# Each step may fail (a process already gone, Redis still writing its log): the cleanup must
# not turn a finished run into a failed one (set -e applies in the trap too).
trap 'kill $orchestrator 2>/dev/null || true; wait $orchestrator 2>/dev/null || true
    kill "$(cat "$work/redis.pid")" 2>/dev/null || true; sleep 0.2; rm -rf "$work" || true' EXIT
for _ in $(seq 100); do
    port=$(sed -n 's/^mimir-orchestrator listening on port //p' "$work/orchestrator.log")
    [ -n "$port" ] && break
    sleep 0.1
done
python3 bench/scale/measure.py "$port" "$rounds"
