#!/usr/bin/env bash
# Usage: bench/e2e.sh [JOBS] [WORKERS] [SLOTS] [RUNS] [CLIENTS] [RATE]
# End to end: JOBS no-op jobs submitted over REST (CLIENTS threads, default 8; 1 submits one job at a
# time, which measures dispatch latency rather than a backlog) and run by WORKERS local
# `mimir-worker serve` processes with SLOTS slots each, in a release build, Redis without
# persistence, all on this machine. Prints one JSON line per run: jobs/s over the whole span
# (first submission to last completion) and submit→start, submit→done p50/p99 in milliseconds.
# With RATE (jobs/s) submissions are paced instead of sent as fast as possible; SUBMITTER=hey
# submits with hey instead of Python threads (bench/e2e/measure.py). Each line also
# holds the resident memory of the orchestrator and a worker (alone and with its executor
# processes) when idle before the run and at their peak during it (bench/lib/rss.py).
# Workers run executors in executor processes (the default); MIMIR_WORKER_ISOLATION=none runs them
# inside the workers, for comparison (docs/executor-isolation.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=${1:-2000}
workers=${2:-2}
slots=${3:-4}
runs=${4:-3}
clients=${5:-8}
rate=${6:-0}
. bench/lib/stack.sh
# MIMIR_BIN: use the binaries in that folder as they are instead of building (bench/lib/stack.sh).
bench_binaries mimir-orchestrator mimir-worker MimirNoop
bench_token

# Stops one run's processes and removes its folder; also on the way out after a failure, so a
# failed measurement leaves nothing running.
pids=() work="" sampler=""
stop_run() {
    [ -n "$sampler" ] && kill -TERM "$sampler" 2>/dev/null
    [ "${#pids[@]}" -gt 0 ] && kill "${pids[@]}" 2>/dev/null
    [ "${#pids[@]}" -gt 0 ] && wait "${pids[@]}" 2>/dev/null
    [ -n "$work" ] && [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null
    sleep 0.2
    [ -n "$work" ] && rm -rf "$work"
    pids=() work="" sampler=""
    return 0
}
trap stop_run EXIT

for ((run = 1; run <= runs; run++)); do
    work=$(mktemp -d)
    mkdir "$work/plugins"
    cp "$bin/libMimirNoop.so" "$work/plugins/"
    bench_redis "$work"
    "$bin/mimir-orchestrator" serve --host 127.0.0.1 --port 0 --redis-url "redis://127.0.0.1:$redis_port" \
        --job-types noop --log-level warning >"$work/orchestrator.log" 2>&1 &
    pids=($!)
    bench_port "$work/orchestrator.log"
    for ((w = 0; w < workers; w++)); do
        "$bin/mimir-worker" serve --plugin-dir "$work/plugins" --redis-url "redis://127.0.0.1:$redis_port" \
            --worker-id "bench-$w" --slots "$slots" --log-level warning >"$work/worker-$w.log" 2>&1 &
        pids+=($!)
    done
    sleep 1
    idle=$(python3 bench/lib/rss.py "${pids[@]}")
    python3 bench/lib/rss.py --peak "${pids[@]}" >"$work/peak.json" &
    sampler=$!
    result=$(python3 bench/e2e/measure.py 127.0.0.1 "$port" "$jobs" "$clients" "$rate")
    kill -TERM "$sampler"
    wait "$sampler" || true
    sampler=""
    python3 -c 'import json, sys; r = json.loads(sys.argv[1]); r["isolation"] = sys.argv[2]
r["rss_idle"] = json.loads(sys.argv[3]); r["rss_peak"] = json.load(open(sys.argv[4])); print(json.dumps(r))' \
        "$result" "${MIMIR_WORKER_ISOLATION:-process}" "$idle" "$work/peak.json"
    stop_run
done
