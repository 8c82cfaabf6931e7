#!/usr/bin/env bash
# Usage: bench/http.sh [RUNS] [SECONDS]
# HTTP throughput of the orchestrator in a release build, with wrk on loopback: GET /health (a
# route that touches nothing: the server's ceiling), POST /api/jobs and GET /api/jobs/{id}.
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

measure() { # file name, label, then wrk arguments; prints the median req/s and p99 latency of $runs runs
    local name=$1 label=$2
    shift 2
    local rates=() p99s=()
    for ((i = 0; i < runs; i++)); do
        out=$(wrk -t2 -c32 -d"${seconds}s" --latency "$@")
        rates+=("$(awk '/Requests\/sec/ {print $2}' <<<"$out")")
        p99s+=("$(awk '$1 == "99%" {print $2}' <<<"$out")")
        if grep -q 'non_201=[1-9]' <<<"$out"; then echo "error: $label answered non-201" >&2; exit 1; fi
        if grep -q 'Non-2xx' <<<"$out"; then echo "error: $label answered non-2xx" >&2; exit 1; fi
        if [ -n "${BENCH_JSON:-}" ]; then
            printf '{"route": "%s", "label": "%s", "rps": %s, "p99": "%s"}\n' \
                "$name" "$label" "${rates[-1]}" "${p99s[-1]}" >>"$BENCH_JSON"
        fi
    done
    median=$(printf '%s\n' "${rates[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
    min=$(printf '%s\n' "${rates[@]}" | sort -g | head -1)
    max=$(printf '%s\n' "${rates[@]}" | sort -g | tail -1)
    printf '| %s | %.0f | %.0f | %.0f | %s |\n' "$label" "$median" "$min" "$max" "$(printf '%s ' "${p99s[@]}")"
    echo "$median" >"$work/$name"
}

echo "| route ($runs runs of ${seconds}s, wrk -t2 -c32) | req/s median | min | max | p99 latency per run |"
echo "| --- | ---: | ---: | ---: | --- |"
measure ceiling "GET /health (ceiling)" "$base/health"
measure submit "POST /api/jobs" -H "$auth" -s bench/http/submit.lua "$base/api/jobs"
measure get "GET /api/jobs/{id}" -H "$auth" "$base/api/jobs/$id"
ceiling=$(cat "$work/ceiling")
submit=$(cat "$work/submit")
get=$(cat "$work/get")
awk -v c="$ceiling" -v s="$submit" -v g="$get" \
    'BEGIN { printf "\nPOST /api/jobs at %.0f%% of the ceiling; GET /api/jobs/{id} at %.0f%%.\n", 100*s/c, 100*g/c }'
