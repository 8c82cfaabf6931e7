#!/usr/bin/env bash
# Deploys k8s/development to the current kubectl context (Rancher Desktop): the images must have
# been built on this machine first (scripts/build-images.sh); nothing is pulled.
#   scripts/deploy-local.sh            # KUBE_CONTEXT=rancher-desktop to pick a context
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v kubectl >/dev/null || {
    echo "error: kubectl is missing: install it (Rancher Desktop ships one) and run again" >&2
    exit 1
}
context=()
[ -z "${KUBE_CONTEXT:-}" ] || context=(--context "$KUBE_CONTEXT")
echo "deploying k8s/development to context $(kubectl "${context[@]}" config current-context)"
kubectl "${context[@]}" apply -k k8s/development
echo "done: kubectl -n mimir-aip get pods; console: kubectl -n mimir-aip port-forward svc/orchestrator 8080:8080"
