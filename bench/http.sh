#!/usr/bin/env bash
# Usage: bench/http.sh [RUNS] [SECONDS]
# HTTP throughput of the orchestrator in a release build, with wrk on loopback: GET /health (a
# route that touches nothing: the server's ceiling), POST /api/jobs, GET /api/jobs/{id} and
# POST /api/jobs/{id} (a worker reporting progress on a job it holds, as workers over HTTP do).
# Redis runs without persistence here (the HTTP path is what is measured). Server, Redis and
# wrk share the machine's cores, so read ratios, not absolutes. Prints a Markdown table; with
# BENCH_JSON=FILE, also appends one JSON line per run to FILE (bench/run-all.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-3}
seconds=${2:-10}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
. bench/lib/stack.sh
# MIMIR_BIN: use the binaries in that folder as they are instead of building (bench/lib/stack.sh).
bench_binaries mimir-orchestrator
bench_token
# No cap on waiting jobs: the POST runs queue more than the default 100,000 (then 429).
export MAX_QUEUED_PER_TYPE=0

work=$(mktemp -d)
bench_redis "$work"
"$bin/mimir-orchestrator" serve --host 127.0.0.1 --port 0 --redis-url "redis://127.0.0.1:$redis_port" \
    --log-level warning >"$work/orchestrator.log" 2>&1 &
orchestrator=$!
# Each step may fail (a process already gone, Redis still writing its log): the cleanup must
# not turn a finished run into a failed one (set -e applies in the trap too).
trap 'kill $orchestrator 2>/dev/null || true; wait $orchestrator 2>/dev/null || true
    kill "$(cat "$work/redis.pid")" 2>/dev/null || true; sleep 0.2; rm -rf "$work" || true' EXIT
bench_port "$work/orchestrator.log"
base="http://127.0.0.1:$port"
auth="Authorization: Bearer $MIMIR_TOKEN"
id=$(curl -s -X POST "$base/api/jobs" -H "$auth" -H 'Content-Type: application/json' -d '{"type":"ml_training"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
# A second job, leased to worker bench-worker for a day (as mimir_take leases it to a worker over
# Redis), which the report route renews.
held=$(curl -s -X POST "$base/api/jobs" -H "$auth" -H 'Content-Type: application/json' -d '{"type":"pipeline_execution"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
now_ms=$(($(date +%s%N) / 1000000))
taken=$(redis-cli -p "$redis_port" FCALL mimir_take 0 mimir bench-worker "$now_ms" 86400000 1 "" "" pipeline_execution "" |
    grep -c "$held" || true)
[ "$taken" -ge 1 ] || { echo "error: could not lease job $held to the benchmark's worker" >&2; exit 1; }
export REPORT_BODY='{"worker_id":"bench-worker","status":"running","progress":0.5,"message":"halfway"}'

# The routes' arguments to wrk, by name.
ceiling_args=("$base/health")
submit_args=(-H "$auth" -s bench/http/submit.lua "$base/api/jobs")
get_args=(-H "$auth" "$base/api/jobs/$id")
report_args=(-H "$auth" -s bench/http/report.lua "$base/api/jobs/$held")
declare -A labels=([ceiling]="GET /health (ceiling)" [submit]="POST /api/jobs" [get]="GET /api/jobs/{id}"
    [report]="POST /api/jobs/{id} (a worker's progress report)")
declare -A rates=() p99s=()

measure() { # route name, run index: one wrk run, its req/s and p99 latency kept under the name
    local name=$1 run=$2
    local -n args="${name}_args"
    local out rate p99
    out=$(wrk -t2 -c32 -d"${seconds}s" --latency "${args[@]}")
    rate=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    if grep -q 'unexpected=[1-9]' <<<"$out"; then
        echo "error: ${labels[$name]} answered with another status than expected" >&2
        exit 1
    fi
    if grep -q 'Non-2xx' <<<"$out"; then echo "error: ${labels[$name]} answered non-2xx" >&2; exit 1; fi
    rates[$name]+="$rate "
    p99s[$name]+="$p99 "
    if [ -n "${BENCH_JSON:-}" ]; then
        printf '{"route": "%s", "label": "%s", "run": %d, "rps": %s, "p99": "%s"}\n' \
            "$name" "${labels[$name]}" "$run" "$rate" "$p99" >>"$BENCH_JSON"
    fi
}

# The routes take turns within each run, so that a machine slower for a while (it is shared)
# weighs on all of them alike, and each run's ratios compare minutes that were alike.
for ((i = 0; i < runs; i++)); do
    for name in ceiling submit get report; do measure "$name" "$i"; done
done

echo "| route ($runs runs of ${seconds}s, wrk -t2 -c32, routes in turn) | req/s median | min | max | p99 latency per run |"
echo "| --- | ---: | ---: | ---: | --- |"
for name in ceiling submit get report; do
    sorted=$(tr ' ' '\n' <<<"${rates[$name]}" | sed '/^$/d' | sort -g)
    median=$(awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}' <<<"$sorted")
    printf '| %s | %.0f | %.0f | %.0f | %s |\n' "${labels[$name]}" "$median" "$(head -1 <<<"$sorted")" \
        "$(tail -1 <<<"$sorted")" "${p99s[$name]}"
    echo "$median" >"$work/$name"
done
ceiling=$(cat "$work/ceiling")
submit=$(cat "$work/submit")
get=$(cat "$work/get")
report=$(cat "$work/report")
awk -v c="$ceiling" -v s="$submit" -v g="$get" -v r="$report" \
    'BEGIN { printf "\nPOST /api/jobs at %.0f%% of the ceiling; GET /api/jobs/{id} at %.0f%%; a progress report at %.0f%%.\n", 100*s/c, 100*g/c, 100*r/c }'
