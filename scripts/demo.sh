#!/usr/bin/env bash
# Usage: demo.sh [ORCHESTRATOR_URL]   (default http://127.0.0.1:${PORT:-8080})
# Submits one job of each of the four types (examples/jobs/*.json; the twin is defined first if it
# does not exist yet) with mimirctl, follows each to its end, and shows the jobs and the twin.
# The workers must see the example datasets in the demo project (scripts/run-local.sh copies them).
# MIMIRCTL names the binary (default: the release build's). MIMIR_TOKEN must hold a submitter's or
# admin's API token (scripts/run-local.sh sets it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
url=${1:-http://127.0.0.1:${PORT:-8080}}
[ -n "${MIMIR_TOKEN:-}" ] || {
    echo "error: MIMIR_TOKEN is not set: export an API token that may submit jobs (docs/operations.md, Authentication)" >&2
    exit 1
}
mimirctl=${MIMIRCTL:-$(swift build -c release --show-bin-path)/mimirctl}

submit_and_watch() {
    local id
    id=$("$mimirctl" submit --url "$url" --file "examples/jobs/$1.json")
    echo "== $1: job $id"
    # watch exits 1 for any end but success; the demo goes on to show every job.
    "$mimirctl" watch --url "$url" "$id" || true
    # The outcome in brief; `mimirctl get ID` shows the whole job.
    "$mimirctl" get --url "$url" "$id" | python3 -c '
import json, sys
job = json.load(sys.stdin)
print("status:", job["status"])
if job.get("error"): print("error:", job["error"])
if job.get("result") is not None:
    text = json.dumps(job["result"], separators=(",", ":"))
    print("result:", text if len(text) <= 600 else text[:600] + " …")'
    echo
}

if ! "$mimirctl" twin --url "$url" greenhouse-1 >/dev/null 2>&1; then
    submit_and_watch digital_twin_define
fi
for type in pipeline_execution ml_training ml_inference digital_twin_update; do
    submit_and_watch "$type"
done
echo "== mimirctl twin greenhouse-1"
"$mimirctl" twin --url "$url" greenhouse-1
echo
echo "== mimirctl list"
"$mimirctl" list --url "$url" --limit 6
