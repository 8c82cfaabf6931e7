#!/usr/bin/env bash
# Integration test of a deployed system (k8s/development or k8s/production in the mimir-aip
# namespace of the current kubectl context): port-forwards the orchestrator, checks /health and
# /ready, copies the example datasets into the project storage (the demo project), submits one job
# of each type (examples/jobs/*.json; the greenhouse twin is defined first) with curl and waits
# for each to end. Exit 0 only when every job succeeded.
#   scripts/run-integration-tests.sh      # LOCAL_PORT (default 18080), TIMEOUT seconds per job (300)
# The API token: MIMIR_TOKEN (a submitter's or admin's), else the first admin line of the Secret
# mimir-api-tokens (which needs a kubectl identity that may read Secrets).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for tool in kubectl curl python3; do
    command -v "$tool" >/dev/null || {
        echo "error: $tool is missing; install it and run again" >&2
        exit 1
    }
done
namespace=mimir-aip
port=${LOCAL_PORT:-18080}
timeout=${TIMEOUT:-300}
url=http://127.0.0.1:$port
context=()
[ -z "${KUBE_CONTEXT:-}" ] || context=(--context "$KUBE_CONTEXT")
k() { kubectl "${context[@]}" -n "$namespace" "$@"; }

token=${MIMIR_TOKEN:-}
if [ -z "$token" ]; then
    token=$(k get secret mimir-api-tokens -o jsonpath='{.data.tokens}' 2>/dev/null | base64 -d |
        sed -n 's/^admin:[^:]*://p' | head -n 1) || true
fi
[ -n "$token" ] || {
    echo "error: no API token: set MIMIR_TOKEN, or let kubectl read the Secret mimir-api-tokens" >&2
    exit 1
}
auth="Authorization: Bearer $token"

k rollout status deployment/orchestrator --timeout=120s
log=$(mktemp)
k port-forward svc/orchestrator "$port:8080" >"$log" 2>&1 &
forward=$!
trap 'kill "$forward" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
    curl -sf "$url/health" >/dev/null && break
    sleep 0.2
done
curl -sf "$url/health" >/dev/null || {
    echo "error: no answer from the orchestrator through the port-forward:" >&2
    cat "$log" >&2
    exit 1
}
curl -sf "$url/ready" >/dev/null || {
    echo "error: the orchestrator is not ready (Redis unreachable?): $(curl -s "$url/ready")" >&2
    exit 1
}
echo "ok: /health and /ready"

# The example data, in the demo project of the project storage.
pod=$(k get pods -l component=orchestrator -o jsonpath='{.items[0].metadata.name}')
k exec "$pod" -- mkdir -p /data/projects/demo/datasets
for file in examples/datasets/*.csv; do
    k cp "$file" "$pod:/data/projects/demo/datasets/$(basename "$file")"
done

submit() { # FILE -> job id
    curl -sf -X POST "$url/api/jobs" -H "$auth" -H 'Content-Type: application/json' --data-binary "@$1" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}
wait_for() { # ID -> final status
    local id=$1 deadline=$((SECONDS + timeout)) status=queued
    while [ $SECONDS -lt $deadline ]; do
        status=$(curl -sf -H "$auth" "$url/api/jobs/$id" | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])')
        case "$status" in succeeded | failed | cancelled | dead) break ;; esac
        sleep 1
    done
    echo "$status"
}

failures=0
run() { # NAME
    local id status
    id=$(submit "examples/jobs/$1.json")
    status=$(wait_for "$id")
    if [ "$status" = succeeded ]; then
        echo "ok: $1 (job $id)"
    else
        echo "FAIL: $1 (job $id) ended $status" >&2
        curl -s -H "$auth" "$url/api/jobs/$id" | python3 -c 'import json, sys; j = json.load(sys.stdin); print("  error:", j.get("error"))' >&2
        failures=$((failures + 1))
    fi
}
curl -sf -H "$auth" "$url/api/twins/greenhouse-1" >/dev/null 2>&1 || run digital_twin_define
for type in pipeline_execution ml_training ml_inference digital_twin_update; do
    run "$type"
done
echo "== workers and scaling"
curl -s -H "$auth" "$url/api/scaling" | python3 -m json.tool | head -40
k get jobs -l app.kubernetes.io/name=mimir-worker
if [ "$failures" -gt 0 ]; then
    echo "$failures job(s) did not succeed" >&2
    exit 1
fi
echo "all jobs succeeded"
