#!/usr/bin/env bash
# Removes what scripts/deploy-local.sh deployed, worker Jobs and the mimir-aip namespace included
# (its volumes, and so the project storage and the queue, go with it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v kubectl >/dev/null || {
    echo "error: kubectl is missing: install it (Rancher Desktop ships one) and run again" >&2
    exit 1
}
context=()
[ -z "${KUBE_CONTEXT:-}" ] || context=(--context "$KUBE_CONTEXT")
# Worker Jobs are the orchestrator's, not the manifests': delete them first, while it is gone.
kubectl "${context[@]}" -n mimir-aip scale deployment/orchestrator --replicas=0 2>/dev/null || true
kubectl "${context[@]}" -n mimir-aip delete jobs -l app.kubernetes.io/name=mimir-worker --ignore-not-found
kubectl "${context[@]}" delete -k k8s/development --ignore-not-found --wait=true
echo "removed the development deployment (namespace mimir-aip)"
