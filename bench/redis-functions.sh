#!/usr/bin/env bash
# Usage: bench/redis-functions.sh [JOBS]
# What the queue's Redis functions cost Redis, counted in instructions with valgrind's callgrind
# (repeatable to a fraction of a percent, unlike time on this shared machine): JOBS jobs (default
# 2000) submitted, taken and finished one call per job, as a lone job goes, then in batches, as a
# backlog goes, each step's calls pipelined from one client. Redis is the one process every
# orchestrator and worker shares, so its cost per job is the platform's ceiling. The library is
# the one a release orchestrator loads (MIMIR_REDIS_LIBRARY=FILE: that file's instead, to count an
# edit before building it). Prints a Markdown table; with BENCH_JSON=FILE, also appends one JSON
# line per step to FILE.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=${1:-2000}
for tool in redis-server valgrind callgrind_control python3; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install redis-server valgrind python3)" >&2; exit 1; }
done
. bench/lib/stack.sh
# MIMIR_BIN: use the binaries in that folder as they are instead of building (bench/lib/stack.sh).
bench_binaries mimir-orchestrator
python3 bench/redis-functions/measure.py "$bin/mimir-orchestrator" "$jobs"
