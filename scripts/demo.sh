#!/usr/bin/env bash
# Usage: demo.sh [ORCHESTRATOR_URL]   (default http://127.0.0.1:${PORT:-8080})
# Submits one job of each of the four types (examples/jobs/*.json) with mimirctl, follows each to
# its end, and lists them. MIMIRCTL names the binary (default: the release build's).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
url=${1:-http://127.0.0.1:${PORT:-8080}}
mimirctl=${MIMIRCTL:-$(swift build -c release --show-bin-path)/mimirctl}

ids=()
for type in pipeline_execution ml_training ml_inference digital_twin_update; do
    id=$("$mimirctl" submit --url "$url" --file "examples/jobs/$type.json")
    echo "submitted $type: $id"
    ids+=("$id")
done
for id in "${ids[@]}"; do
    echo
    echo "== mimirctl watch $id"
    # watch exits 1 for any end but success; the demo goes on to show every job.
    "$mimirctl" watch --url "$url" "$id" || true
done
echo
echo "== mimirctl list"
"$mimirctl" list --url "$url" --limit 4
