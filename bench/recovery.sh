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
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server" >&2; exit 1; }
. bench/lib/stack.sh
# MIMIR_BIN: use the binaries in that folder as they are instead of building (bench/lib/stack.sh).
bench_binaries mimir-orchestrator mimir-worker MimirNoop
bench_token
[ -n "$lease" ] && export LEASE_SECONDS="$lease"
work=$(mktemp -d)
mkdir "$work/plugins"
cp "$bin/libMimirNoop.so" "$work/plugins/"
bench_redis "$work"
"$bin/mimir-orchestrator" serve --host 127.0.0.1 --port 0 --redis-url "redis://127.0.0.1:$redis_port" \
    --worker-backend local --local-plugin-dir "$work/plugins" --min-workers 2 --queue-threshold 1 \
    --worker-idle-timeout-seconds 600 --worker-log-dir "$work/logs" --log-level warning >"$work/orchestrator.log" 2>&1 &
orchestrator=$!
# Each step may fail (a process already gone, Redis still writing its log): the cleanup must
# not turn a finished run into a failed one (set -e applies in the trap too).
trap 'kill $orchestrator 2>/dev/null || true; wait $orchestrator 2>/dev/null || true
    kill "$(cat "$work/redis.pid")" 2>/dev/null || true; sleep 0.2; rm -rf "$work" || true' EXIT
bench_port "$work/orchestrator.log"
python3 bench/recovery/measure.py "$port" "$orchestrator" "$rounds"
