#!/usr/bin/env bash
# Builds the images of a Mimir AIP deployment with Docker (BuildKit) from the repository root:
#   mimir-aip/orchestrator   orchestrator + mimirctl + web console   docker/orchestrator.Dockerfile
#   mimir-aip/worker         worker, all four executors              docker/worker.Dockerfile --target worker
#   mimir-aip/worker-etl     worker without MLTraining               docker/worker.Dockerfile --target worker-etl
#   mimir-aip/frontend       the console's own nginx                 frontend/deploy/Dockerfile
# then collects the workers' declarations (/etc/mimir/image.json in each worker image) into the
# orchestrator's image catalog: k8s/base/worker-images.json (development) or, with
# CATALOG=production, k8s/production/worker-images.json.
#
#   scripts/build-images.sh                        # tag 0.1.0, local names (Rancher Desktop)
#   TAG=0.2.0 REGISTRY=registry.example.com/ CATALOG=production PUSH=1 scripts/build-images.sh
#
# TAG (default 0.1.0; avoid `latest`, which Kubernetes always pulls), REGISTRY (prefix, with its
# trailing slash), PUSH=1 pushes, CATALOG=development|production|none, WORKER_CPU, WORKER_MEMORY,
# WORKER_SLOTS (what each worker Job gets; defaults per catalog), DOCKER (default docker; nerdctl
# --namespace k8s.io works too on Rancher Desktop with containerd).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tag=${TAG:-0.1.0}
registry=${REGISTRY:-}
catalog=${CATALOG:-development}
read -r -a docker <<<"${DOCKER:-docker}"
case "$catalog" in
development) cpu=${WORKER_CPU:-500m} memory=${WORKER_MEMORY:-1Gi} slots=${WORKER_SLOTS:-2}
    catalog_file=k8s/base/worker-images.json ;;
production) cpu=${WORKER_CPU:-2} memory=${WORKER_MEMORY:-4Gi} slots=${WORKER_SLOTS:-4}
    catalog_file=k8s/production/worker-images.json ;;
none) cpu=${WORKER_CPU:-1} memory=${WORKER_MEMORY:-1Gi} slots=${WORKER_SLOTS:-2} catalog_file= ;;
*) echo "error: CATALOG must be development, production or none, got $catalog" >&2; exit 2 ;;
esac

command -v "${docker[0]}" >/dev/null || {
    echo "error: ${docker[0]} is missing: install Docker (or Rancher Desktop, which brings docker or nerdctl)" >&2
    echo "       and run again; images cannot be built without a container engine." >&2
    exit 1
}
"${docker[@]}" info >/dev/null 2>&1 || {
    echo "error: ${docker[*]} cannot reach a container engine (is Docker / Rancher Desktop running?)" >&2
    exit 1
}
export DOCKER_BUILDKIT=1

build() { # NAME DOCKERFILE CONTEXT [docker build arguments...]
    local name=$1 dockerfile=$2 context=$3
    shift 3
    echo "== $registry$name:$tag"
    "${docker[@]}" build -f "$dockerfile" -t "$registry$name:$tag" "$@" "$context"
    if [ "${PUSH:-0}" = 1 ]; then "${docker[@]}" push "$registry$name:$tag"; fi
}

build mimir-aip/orchestrator docker/orchestrator.Dockerfile .
for target in worker worker-etl; do
    build "mimir-aip/$target" docker/worker.Dockerfile . --target "$target" \
        --build-arg "IMAGE_NAME=${registry}mimir-aip/$target:$tag" \
        --build-arg "WORKER_CPU=$cpu" --build-arg "WORKER_MEMORY=$memory" --build-arg "WORKER_SLOTS=$slots"
done
build mimir-aip/frontend frontend/deploy/Dockerfile frontend

if [ -n "$catalog_file" ]; then
    declarations=$(mktemp -d)
    trap 'rm -rf "$declarations"' EXIT
    for target in worker worker-etl; do
        "${docker[@]}" run --rm --entrypoint cat "${registry}mimir-aip/$target:$tag" /etc/mimir/image.json \
            >"$declarations/$target.json"
    done
    python3 -c 'import json, sys; print(json.dumps({"images": [json.load(open(f)) for f in sys.argv[1:]]}, indent=2))' \
        "$declarations/worker.json" "$declarations/worker-etl.json" >"$catalog_file"
    echo "wrote the worker image catalog $catalog_file (the orchestrator's WORKER_IMAGES ConfigMap)"
fi
echo "built: ${registry}mimir-aip/{orchestrator,worker,worker-etl,frontend}:$tag"
