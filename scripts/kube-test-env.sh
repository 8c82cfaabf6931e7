#!/usr/bin/env bash
# A real Kubernetes control plane on loopback for the Kubernetes worker backend's tests: etcd,
# kube-apiserver (RBAC, token auth), kube-controller-manager (job, garbage collector, TTL),
# kube-scheduler, one fake Ready node and a stand-in kubelet that moves pods to Running and then
# Succeeded (or Failed, or ErrImagePull for images named *does-not-exist*). No containers run.
#
#   scripts/kube-test-env.sh build       # once: builds v1.20.2 from Debian's source (~10 min)
#   scripts/kube-test-env.sh start DIR   # seconds; writes DIR/env for MIMIR_KUBE_ENV
#   scripts/kube-test-env.sh stop DIR
#
# The binaries are cached outside the repository, in ${MIMIR_KUBE_CACHE:-/var/cache/mimir-kube}.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
version=1.20.2
cache="${MIMIR_KUBE_CACHE:-/var/cache/mimir-kube}/v$version"
binaries=(kube-apiserver kube-controller-manager kube-scheduler)
# The namespace k8s/base/orchestrator-rbac.yaml names: the test applies that file unchanged.
namespace=mimir-aip

usage() {
    echo "usage: $0 build | start DIR | stop DIR" >&2
    exit 2
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
    local missing=() package
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing: ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

have_binaries() {
    local binary
    for binary in "${binaries[@]}"; do
        [ -x "$cache/$binary" ] || return 1
    done
}

# Builds kube-apiserver, kube-controller-manager and kube-scheduler from Debian's `kubernetes`
# source package: the only offline source of a real API server here (no release binaries).
build() {
    install_packages golang-1.19-go rsync jq golang-github-modern-go-reflect2-dev etcd-server openssl python3 \
        dpkg-dev ca-certificates curl
    if have_binaries; then
        echo "kubernetes v$version binaries already in $cache"
        return
    fi
    mkdir -p "$cache"
    # Global, not local: the EXIT trap runs after this function has returned.
    work="$(mktemp -d "${cache}/build.XXXXXX")"
    # The tree and Go cache take 2+ GB: never leave them behind, built or not.
    trap 'rm -rf "${work:-}"' EXIT
    chmod 0755 "$work"  # apt's _apt user downloads into it (no secrets here)
    # A private apt configuration with deb-src entries, so the system's sources stay untouched.
    local apt="$work/apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$apt/debian-src.sources"
    local apt_options=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt"
        -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache")
    apt-get "${apt_options[@]}" update -qq
    (cd "$work" && apt-get "${apt_options[@]}" source --download-only kubernetes)
    (cd "$work" && tar xzf kubernetes_*.orig.tar.gz)
    local tree="$work/kubernetes-$version"
    [ -d "$tree" ] || {
        echo "error: $tree missing after unpacking Debian's kubernetes source" >&2
        exit 1
    }
    # The vendored reflect2 v1.0.1 faults under Go >= 1.18 on the first Job write; Debian's is fixed.
    local reflect2="$tree/vendor/github.com/modern-go/reflect2"
    rm -f "$reflect2"/*.go "$reflect2"/*.s
    cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go "$reflect2/"
    cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$reflect2/" 2>/dev/null || true
    mkdir -p "$tree/.go/src/k8s.io"
    ln -s ../../.. "$tree/.go/src/k8s.io/kubernetes"
    (cd "$tree" && PATH=/usr/lib/go-1.19/bin:$PATH GOPATH="$tree/.go" GOPROXY=off CGO_ENABLED=0 \
        GOCACHE="$work/gocache" make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler" \
        GOLDFLAGS="-s -w")
    local binary
    for binary in "${binaries[@]}"; do
        install -m 0755 "$tree/_output/bin/$binary" "$cache/$binary"
    done
    echo "built kubernetes v$version into $cache"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

random_token() {
    od -An -N24 -tx1 /dev/urandom | tr -d ' \n'
}

# Starts `name` in the background with its output in DIR/NAME.log and its pid in DIR/NAME.pid.
spawn() {
    local name="$1"
    shift
    "$@" >"$dir/$name.log" 2>&1 &
    echo $! >"$dir/$name.pid"
}

wait_until() {
    local what="$1" seconds="$2" log="$3"
    shift 3
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            echo "error: $what not ready after ${seconds}s; last lines of $log:" >&2
            tail -n 20 "$log" >&2 || true
            exit 1
        fi
        sleep 0.2
    done
}

kubectl_admin() {
    kubectl --kubeconfig "$dir/admin.kubeconfig" "$@"
}

start() {
    dir="$1"
    have_binaries || {
        echo "error: no kubernetes binaries in $cache: run $0 build first" >&2
        exit 1
    }
    command -v etcd >/dev/null || {
        echo "error: etcd is missing: run $0 build first (it installs etcd-server)" >&2
        exit 1
    }
    local tool
    for tool in kubectl curl openssl python3; do
        command -v "$tool" >/dev/null || {
            echo "error: $tool is missing (kubectl comes with the machine image; $0 build installs the others)" >&2
            exit 1
        }
    done
    if [ -f "$dir/apiserver.pid" ] && kill -0 "$(cat "$dir/apiserver.pid")" 2>/dev/null; then
        echo "error: an environment is already running in $dir (stop it first: $0 stop $dir)" >&2
        exit 1
    fi
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    rm -rf "$dir/etcd-data" "$dir/certs"
    mkdir -p "$dir/certs"
    local started=$SECONDS
    # A start that fails half-way stops what it had started.
    trap 'echo "error: start failed; stopping what was started (logs in $dir)" >&2; stop "$dir" >/dev/null' EXIT

    local etcd_port etcd_peer_port api_port scheduler_port
    etcd_port=$(free_port)
    etcd_peer_port=$(free_port)
    api_port=$(free_port)
    scheduler_port=$(free_port)

    openssl genrsa -out "$dir/certs/sa.key" 2048 2>/dev/null
    openssl rsa -in "$dir/certs/sa.key" -pubout -out "$dir/certs/sa.pub" 2>/dev/null
    local admin_token orchestrator_token
    admin_token=$(random_token)
    orchestrator_token=$(random_token)
    # The orchestrator's token authenticates as the ServiceAccount the manifests bind, so the test
    # exercises the very RoleBinding a deployment ships.
    cat >"$dir/tokens.csv" <<TOKENS
$admin_token,mimir-test-admin,mimir-test-admin,"system:masters"
$orchestrator_token,system:serviceaccount:$namespace:mimir-orchestrator,mimir-orchestrator-uid,"system:serviceaccounts,system:serviceaccounts:$namespace,system:authenticated"
TOKENS
    (umask 077 && printf '%s\n' "$admin_token" >"$dir/admin.token" && printf '%s\n' "$orchestrator_token" >"$dir/orchestrator.token")

    spawn etcd etcd --name mimir-test --data-dir "$dir/etcd-data" \
        --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
        --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" \
        --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
        --initial-cluster "mimir-test=http://127.0.0.1:$etcd_peer_port" --unsafe-no-fsync=true --log-level=warn
    wait_until etcd 30 "$dir/etcd.log" curl -fsS "http://127.0.0.1:$etcd_port/health"

    spawn apiserver "$cache/kube-apiserver" --etcd-servers="http://127.0.0.1:$etcd_port" \
        --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" --insecure-port=0 \
        --cert-dir="$dir/certs" --token-auth-file="$dir/tokens.csv" --authorization-mode=RBAC \
        --service-account-issuer=https://kubernetes.default.svc --service-account-key-file="$dir/certs/sa.pub" \
        --service-account-signing-key-file="$dir/certs/sa.key" --service-cluster-ip-range=10.96.0.0/24 \
        --disable-admission-plugins=ServiceAccount --feature-gates=TTLAfterFinished=true --profiling=false \
        --logtostderr=true --v=0
    local server="https://127.0.0.1:$api_port"
    wait_until "kube-apiserver" 60 "$dir/apiserver.log" \
        test -s "$dir/certs/apiserver.crt"
    local ca="$dir/certs/apiserver.crt"
    wait_until "kube-apiserver" 60 "$dir/apiserver.log" \
        curl -fsS --cacert "$ca" -H "Authorization: Bearer $admin_token" "$server/readyz"

    cat >"$dir/admin.kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: mimir-test
  cluster:
    server: $server
    certificate-authority: $ca
users:
- name: admin
  user:
    token: $admin_token
contexts:
- name: mimir-test
  context:
    cluster: mimir-test
    user: admin
    namespace: $namespace
current-context: mimir-test
KUBECONFIG
    chmod 600 "$dir/admin.kubeconfig"

    spawn controller-manager "$cache/kube-controller-manager" --kubeconfig="$dir/admin.kubeconfig" \
        --controllers=job,garbagecollector,ttl-after-finished --leader-elect=false --port=0 --secure-port=0 \
        --feature-gates=TTLAfterFinished=true --logtostderr=true --v=0
    spawn scheduler "$cache/kube-scheduler" --kubeconfig="$dir/admin.kubeconfig" --leader-elect=false --port=0 \
        --bind-address=127.0.0.1 --secure-port="$scheduler_port" --logtostderr=true --v=0

    kubectl_admin create namespace "$namespace" >/dev/null
    kubectl_admin -n "$namespace" create serviceaccount mimir-orchestrator >/dev/null
    kubectl_admin apply -f "$repo/k8s/base/orchestrator-rbac.yaml" >/dev/null
    # The Secret worker Jobs read REDIS_URL from (KubernetesJobSettings' defaults).
    kubectl_admin -n "$namespace" create secret generic mimir-redis --from-literal=url=redis://redis.invalid:6379 \
        >/dev/null
    # ... and the worker credential (KUBE_WORKER_TOKEN_SECRET=mimir-api-tokens/worker-token).
    kubectl_admin -n "$namespace" create secret generic mimir-api-tokens \
        --from-literal=worker-token=test-worker-0123456789abcdef >/dev/null
    wait_until "the default service account" 30 "$dir/apiserver.log" \
        kubectl_admin -n "$namespace" get serviceaccount mimir-orchestrator

    spawn kubelet python3 "$here/kube-fake-kubelet.py" --server "$server" --ca "$ca" \
        --token-file "$dir/admin.token" --node mimir-fake-node
    wait_until "the fake node" 30 "$dir/kubelet.log" \
        sh -c "kubectl --kubeconfig '$dir/admin.kubeconfig' get node mimir-fake-node \
            -o jsonpath='{.status.conditions[0].status}{.spec.taints}' | grep -qx True"

    cat >"$dir/env" <<ENV
KUBE_SERVER=$server
KUBE_CA=$ca
KUBE_ADMIN_TOKEN=$admin_token
KUBE_ORCHESTRATOR_TOKEN=$orchestrator_token
KUBE_ADMIN_TOKEN_FILE=$dir/admin.token
KUBE_ORCHESTRATOR_TOKEN_FILE=$dir/orchestrator.token
KUBE_NAMESPACE=$namespace
KUBE_ADMIN_KUBECONFIG=$dir/admin.kubeconfig
ENV
    chmod 600 "$dir/env"
    trap - EXIT
    echo "kubernetes v$version test environment ready in $((SECONDS - started))s: $server (namespace $namespace)"
    echo "  export MIMIR_KUBE_ENV=$dir/env    # logs in $dir/*.log; stop with: $0 stop $dir"
}

# Stops what `start DIR` started, by the pids it recorded; logs stay in DIR. All are asked at once
# (SIGTERM), then any still running after 10 s is killed.
stop() {
    dir="$1"
    local name pid pids=()
    for name in kubelet scheduler controller-manager apiserver etcd; do
        [ -f "$dir/$name.pid" ] || continue
        pid=$(cat "$dir/$name.pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
        rm -f "$dir/$name.pid"
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$dir/etcd-data"
    rm -f "$dir/env"
    echo "stopped the kubernetes test environment in $dir"
}

case "${1:-}" in
build) build ;;
start)
    [ $# -eq 2 ] || usage
    start "$2"
    ;;
stop)
    [ $# -eq 2 ] || usage
    stop "$2"
    ;;
*) usage ;;
esac
