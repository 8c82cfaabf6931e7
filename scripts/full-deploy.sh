#!/usr/bin/env bash
# Build the images, deploy k8s/development and wait until Redis, the orchestrator and the
# frontend are rolled out (Rancher Desktop). TIMEOUT (default 300s) per rollout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for tool in docker kubectl; do
    command -v "$tool" >/dev/null || {
        echo "error: $tool is missing: install Rancher Desktop (docker and kubectl) and run again" >&2
        exit 1
    }
done
timeout=${TIMEOUT:-300s}
context=()
[ -z "${KUBE_CONTEXT:-}" ] || context=(--context "$KUBE_CONTEXT")
scripts/build-images.sh
scripts/deploy-local.sh
for deployment in redis orchestrator frontend; do
    kubectl "${context[@]}" -n mimir-aip rollout status "deployment/$deployment" --timeout="$timeout"
done
kubectl "${context[@]}" -n mimir-aip get pods,jobs
echo "deployed. API and console: kubectl -n mimir-aip port-forward svc/orchestrator 8080:8080"
echo "then scripts/run-integration-tests.sh"
