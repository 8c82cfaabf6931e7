#!/usr/bin/env bash
# Usage: bench/recovery.sh [ROUNDS] [LEASE_SECONDS]
# Dead-worker recovery, release build, local backend keeping two workers (MIN_WORKERS=2): a
# running job's worker is killed with SIGKILL and the time until the job runs again on the other
# worker is measured, ROUNDS times (default 3). LEASE_SECONDS (default: the workers' default)
# sets the workers' lease. Prints one JSON line per round.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-3}
lease=${2:-}
scratch=.build-release
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server" >&2; exit 1; }
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
[ -n "$lease" ] && export LEASE_SECONDS="$lease"
work=$(mktemp -d)
mkdir "$work/plugins"
cp "$bin/libMimirNoop.so" "$work/plugins/"
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --daemonize yes \
    --logfile "$work/redis.log" --pidfile "$work/redis.pid"
"$bin/mimir-orchestrator" serve --host 127.0.0.1 --port 0 --redis-url "redis://127.0.0.1:$redis_port" \
    --worker-backend local --local-plugin-dir "$work/plugins" --min-workers 2 --queue-threshold 1 \
    --worker-idle-timeout-seconds 600 --worker-log-dir "$work/logs" --log-level warning >"$work/orchestrator.log" 2>&1 &
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
python3 bench/recovery/measure.py "$port" "$orchestrator" "$rounds"
