#!/usr/bin/env bash
# Usage: bench/peers.sh [JOBS] [WORKERS] [SLOTS] [RUNS] [CLIENTS] [SYSTEMS]
# The no-op end-to-end measurement of bench/e2e.sh, for Celery and RQ: JOBS jobs submitted from
# CLIENTS threads (their Python clients; ours goes over REST), run by WORKERS worker processes
# with SLOTS concurrency each (Celery: one worker with SLOTS pool processes per worker; RQ runs one
# job per process, so WORKERS*SLOTS SimpleWorker processes), on a fresh redis-server per run with
# the same settings as ours (7.0.x, no persistence). Prints one JSON line per run.
# CELERY_POOL picks Celery's pool (prefork, the default, or threads / solo); CELERY_PREFETCH its
# prefetch multiplier (default 64).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=${1:-2000}
workers=${2:-2}
slots=${3:-4}
runs=${4:-3}
clients=${5:-8}
systems=${6:-celery rq}
pool=${CELERY_POOL:-prefork}
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server" >&2; exit 1; }
python3 -c 'import celery, rq, redis' 2>/dev/null || {
    echo "Celery and RQ are missing: python3 -m pip install --break-system-packages celery redis rq" >&2
    exit 1
}
export PYTHONPATH="$PWD/bench/peers"

start_workers() { # system, work dir; adds the pids to `pids`
    local system=$1 work=$2
    case $system in
    celery)
        local concurrency=(-c "$slots")
        [ "$pool" = solo ] && concurrency=()
        for ((w = 0; w < workers; w++)); do
            python3 -m celery -A celery_noop worker -P "$pool" "${concurrency[@]}" -n "bench$w@%h" -Q celery \
                --without-gossip --without-mingle --without-heartbeat --loglevel INFO >"$work/worker-$w.log" 2>&1 &
            pids+=($!)
        done
        ;;
    rq)
        for ((w = 0; w < workers * slots; w++)); do
            python3 -m rq.cli worker --worker-class rq.worker.SimpleWorker --url "$PEER_REDIS_URL" -q \
                --disable-job-desc-logging bench >"$work/worker-$w.log" 2>&1 &
            pids+=($!)
        done
        ;;
    esac
}

wait_ready() { # system, work dir
    local system=$1 work=$2
    for _ in $(seq 150); do
        case $system in
        celery) [ "$(grep -l ' ready\.' "$work"/worker-*.log 2>/dev/null | wc -l)" -ge "$workers" ] && return 0 ;;
        rq) [ "$(python3 -c 'import os, redis; print(redis.Redis.from_url(os.environ["PEER_REDIS_URL"]).scard("rq:workers"))')" -ge $((workers * slots)) ] && return 0 ;;
        esac
        sleep 0.1
    done
    echo "error: $system workers did not start; see $work" >&2
    exit 1
}

# Stops one run's workers and Redis; also on the way out after a failure.
pids=() work=""
stop_run() {
    [ "${#pids[@]}" -gt 0 ] && kill "${pids[@]}" 2>/dev/null
    [ "${#pids[@]}" -gt 0 ] && wait "${pids[@]}" 2>/dev/null
    [ -n "$work" ] && [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null
    sleep 0.2
    [ -n "$work" ] && rm -rf "$work"
    pids=() work=""
    return 0
}
trap stop_run EXIT

for system in $systems; do
    for ((run = 1; run <= runs; run++)); do
        work=$(mktemp -d)
        redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
        redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --daemonize yes \
            --logfile "$work/redis.log" --pidfile "$work/redis.pid"
        export PEER_REDIS_URL="redis://127.0.0.1:$redis_port/0"
        for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
        pids=()
        start_workers "$system" "$work"
        wait_ready "$system" "$work"
        python3 bench/peers/measure.py "$system" "$jobs" "$clients" |
            python3 -c 'import json, sys; r = json.load(sys.stdin); r["settings"] = sys.argv[1]; print(json.dumps(r))' \
                "$([ "$system" = celery ] && echo "pool=$pool prefetch=${CELERY_PREFETCH:-64}" || echo "SimpleWorker x$((workers * slots))")"
        stop_run
    done
done
