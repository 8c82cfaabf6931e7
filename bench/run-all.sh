#!/usr/bin/env bash
# Usage: bench/run-all.sh            (QUICK=1 for a shorter run with fewer repetitions)
# Builds the release products once, records the machine and tool versions, runs every benchmark
# several times (Mimir next to Celery and RQ on the same machine and redis-server, one after the
# other in this one run) and rewrites the generated part of docs/benchmarks.md from the results
# (bench/report.py). Every piece also runs alone: see the usage line of each bench/*.sh.
# Raw results stay in $BENCH_RESULTS (default: a new folder under /tmp), printed at the end;
# BENCH_DOCS names another file to write instead of docs/benchmarks.md, MIMIR_BIN a folder of
# binaries to measure instead of this build (as in the before/after comparisons).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for tool in swift redis-server redis-cli wrk hey python3 gcc valgrind; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (see docs/benchmarks.md, Running)" >&2; exit 1; }
done
python3 -c 'import celery, rq, redis' 2>/dev/null || {
    echo "Celery and RQ are missing: python3 -m pip install --break-system-packages celery redis rq" >&2
    exit 1
}
if [ "${QUICK:-0}" = 1 ]; then
    runs=2 jobs=1000 batch_jobs=3000 paced_jobs=1500 http_seconds=4 abi_runs=3 rounds=2
else
    runs=3 jobs=2000 batch_jobs=6000 paced_jobs=3000 http_seconds=8 abi_runs=5 rounds=3
fi
batch=100
workers=2 slots=4 clients=8
results=${BENCH_RESULTS:-$(mktemp -d /tmp/mimir-bench.XXXXXX)}
mkdir -p "$results"
step() { printf '\n== %s (%s)\n' "$1" "$(date +%H:%M:%S)" >&2; }
# A piece that fails leaves its figures out of the report rather than stopping the others.
failed() { echo "warning: $1 failed; its figures are missing from the report" >&2; }

step "release build"
swift build -c release --scratch-path .build-release >/dev/null
swift build -c release --scratch-path .build-release --product mimir-bench-abi >/dev/null
# The pieces use these binaries as built here rather than each checking the build again.
MIMIR_BIN=${MIMIR_BIN:-$(swift build -c release --scratch-path .build-release --show-bin-path)}
export MIMIR_BIN
python3 bench/lib/machine.py >"$results/machine.json"
cat >"$results/settings.json" <<JSON
{"runs": $runs, "jobs": $jobs, "batch_jobs": $batch_jobs, "batch": $batch, "paced_jobs": $paced_jobs, "paced_rate": 1000, "workers": $workers, "slots": $slots,
 "clients": $clients, "http_seconds": $http_seconds, "abi_runs": $abi_runs, "rounds": $rounds}
JSON

# The systems take turns within each run (Mimir both ways, then Celery and RQ, one run each),
# so that a slower stretch of this shared machine weighs on all of them alike rather than on
# whichever ran then.
: >"$results/e2e.jsonl" >"$results/e2e-none.jsonl" >"$results/e2e-paced.jsonl" >"$results/peers.jsonl"
: >"$results/e2e-batch.jsonl" >"$results/e2e-batch-none.jsonl" >"$results/peers-batch.jsonl"
for ((run = 1; run <= runs; run++)); do
    step "run $run of $runs, end to end, no-op jobs: Mimir (executor processes, the default, then in-process), Celery and RQ"
    bench/e2e.sh "$jobs" "$workers" "$slots" 1 "$clients" | tee -a "$results/e2e.jsonl" || failed bench/e2e.sh
    MIMIR_WORKER_ISOLATION=none bench/e2e.sh "$jobs" "$workers" "$slots" 1 "$clients" |
        tee -a "$results/e2e-none.jsonl" || failed bench/e2e.sh
    bench/peers.sh "$jobs" "$workers" "$slots" 1 "$clients" | tee -a "$results/peers.jsonl" || failed bench/peers.sh
    step "run $run of $runs, end to end, paced at 1,000 jobs/s (submitted with hey: Python clients do not reach that rate here)"
    SUBMITTER=hey bench/e2e.sh "$paced_jobs" "$workers" "$slots" 1 "$clients" 1000 |
        tee -a "$results/e2e-paced.jsonl" || failed bench/e2e.sh
    step "run $run of $runs, end to end, submitted $batch at a time: Mimir (both isolations), Celery (group) and RQ (enqueue_many)"
    BATCH=$batch bench/e2e.sh "$batch_jobs" "$workers" "$slots" 1 "$clients" | tee -a "$results/e2e-batch.jsonl" ||
        failed bench/e2e.sh
    MIMIR_WORKER_ISOLATION=none BATCH=$batch bench/e2e.sh "$batch_jobs" "$workers" "$slots" 1 "$clients" |
        tee -a "$results/e2e-batch-none.jsonl" || failed bench/e2e.sh
    BATCH=$batch bench/peers.sh "$batch_jobs" "$workers" "$slots" 1 "$clients" | tee -a "$results/peers-batch.jsonl" ||
        failed bench/peers.sh
done
step "HTTP (wrk)"
BENCH_JSON="$results/http.jsonl" bench/http.sh "$runs" "$http_seconds" || failed bench/http.sh
step "plugin call overhead"
BENCH_JSON="$results/abi.jsonl" bench/abi-call.sh "$abi_runs" || failed bench/abi-call.sh
step "dead-worker recovery"
bench/recovery.sh "$rounds" | tee "$results/recovery.jsonl" || failed bench/recovery.sh
step "scale-up reaction"
bench/scale.sh "$((rounds + 2))" | tee "$results/scale.jsonl" || failed bench/scale.sh
step "Redis' instructions per job (callgrind: one run, it repeats to a fraction of a percent)"
BENCH_JSON="$results/redis-functions.jsonl" bench/redis-functions.sh 2000 || failed bench/redis-functions.sh
step "report"
python3 bench/report.py "$results" "${BENCH_DOCS:-docs/benchmarks.md}"
echo "results in $results; docs/benchmarks.md rewritten (generated part)" >&2
