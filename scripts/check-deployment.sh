#!/usr/bin/env bash
# Checks the deployment files without a container engine (CI runs this):
#   1. shellcheck on every shell script in scripts/;
#   2. `kubectl kustomize` of k8s/development and k8s/production, every rendered object validated
#      offline with kubernetes-validate --strict against Kubernetes 1.30, plus the project's own
#      rules (securityContext, probes, resources, labels, image names, the worker catalog);
#   3. against a running test control plane (MIMIR_KUBE_ENV, written by
#      `scripts/kube-test-env.sh start DIR`): `kubectl apply --dry-run=server` of both overlays
#      with the admin token, then the orchestrator ServiceAccount's permissions with
#      `kubectl auth can-i`: exactly the verbs the Kubernetes worker backend uses, nothing else.
# The test control plane is kube-apiserver v1.20: objects of APIs it does not serve are skipped
# there, and only those on the list below (policy/v1 PodDisruptionBudget, from 1.21 on).
#
#   MIMIR_KUBE_ENV=/tmp/kenv/env scripts/check-deployment.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

kube_version=1.30
overlays=(development production)
namespace=mimir-aip
subject=system:serviceaccount:$namespace:mimir-orchestrator
# apiVersion/kind pairs the v1.20 test API server does not serve, skipped in its dry run only.
skip_on_old_server=("policy/v1/PodDisruptionBudget")

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
ok() { echo "ok: $*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

command -v kubectl >/dev/null || {
    echo "error: kubectl is missing: install it (https://kubernetes.io/docs/tasks/tools/) and run again" >&2
    exit 1
}
if ! command -v shellcheck >/dev/null; then
    echo "installing shellcheck (Debian package)"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq shellcheck >/dev/null
fi
if ! command -v kubernetes-validate >/dev/null; then
    echo "installing kubernetes-validate (PyPI)"
    python3 -m pip install -q --break-system-packages kubernetes-validate
fi
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install -q --break-system-packages pyyaml

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- 1. shellcheck -------------------------------------------------------------------------------
echo "== shellcheck scripts/"
for script in scripts/*; do
    [ -f "$script" ] || continue
    case "$script" in
    *.sh) ;;
    *) head -n 1 "$script" | grep -Eq '^#!.*(/|env )(ba)?sh\b' || continue ;;
    esac
    if shellcheck "$script"; then ok "shellcheck $script"; else fail "shellcheck $script"; fi
done

# --- 2. render and validate offline --------------------------------------------------------------
for overlay in "${overlays[@]}"; do
    echo "== k8s/$overlay: kustomize, kubernetes-validate --strict $kube_version, project rules"
    if ! kubectl kustomize "k8s/$overlay" >"$work/$overlay.yaml"; then
        fail "kubectl kustomize k8s/$overlay"
        continue
    fi
    if kubernetes-validate --strict --quiet -k "$kube_version" "$work/$overlay.yaml"; then
        ok "k8s/$overlay: every object valid against Kubernetes $kube_version (strict)"
    else
        fail "k8s/$overlay: kubernetes-validate"
    fi
    if python3 - "$work/$overlay.yaml" "$overlay" <<'PY'; then ok "k8s/$overlay: project rules"; else fail "k8s/$overlay: project rules"; fi
import json, sys, yaml

path, overlay = sys.argv[1], sys.argv[2]
docs = [d for d in yaml.safe_load_all(open(path)) if d]
problems = []
def problem(obj, text):
    problems.append(f"{obj['kind']}/{obj['metadata']['name']}: {text}")

by_kind = {}
for d in docs:
    by_kind.setdefault(d["kind"], []).append(d)
    if d["kind"] != "Namespace" and d["metadata"].get("namespace") != "mimir-aip":
        problem(d, "not in namespace mimir-aip")
if docs[0]["kind"] != "Namespace":
    problem(docs[0], "the Namespace must come first")

def settings_of(by_kind):
    return next((cm.get("data", {}) for cm in by_kind.get("ConfigMap", []) if cm["metadata"]["name"] == "mimir-orchestrator"), {})

workloads = by_kind.get("Deployment", []) + by_kind.get("StatefulSet", [])
components = {}
for w in workloads:
    pod = w["spec"]["template"]
    component = pod["metadata"]["labels"].get("component")
    components[component] = w
    spec = pod["spec"]
    psc = spec.get("securityContext", {})
    if psc.get("runAsNonRoot") is not True:
        problem(w, "pod securityContext.runAsNonRoot must be true")
    if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problem(w, "pod seccompProfile must be RuntimeDefault")
    tmp_volumes = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
    for c in spec["containers"]:
        sc = c.get("securityContext", {})
        if sc.get("allowPrivilegeEscalation") is not False:
            problem(w, f"{c['name']}: allowPrivilegeEscalation must be false")
        if sc.get("readOnlyRootFilesystem") is not True:
            problem(w, f"{c['name']}: readOnlyRootFilesystem must be true")
        if sc.get("capabilities", {}).get("drop") != ["ALL"]:
            problem(w, f"{c['name']}: capabilities must drop ALL")
        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
        if mounts.get("/tmp") not in tmp_volumes:
            problem(w, f"{c['name']}: /tmp must be an emptyDir")
        for kind in ("requests", "limits"):
            if not {"cpu", "memory"} <= set(c.get("resources", {}).get(kind, {})):
                problem(w, f"{c['name']}: resources.{kind} needs cpu and memory")
        if "readinessProbe" not in c or "livenessProbe" not in c:
            problem(w, f"{c['name']}: readiness and liveness probes required")
        image = c["image"]
        if component in ("orchestrator", "frontend"):
            if not image.split(":")[0].endswith(f"mimir-aip/{component}"):
                problem(w, f"image {image} is not mimir-aip/{component}")
            pull = c.get("imagePullPolicy")
            if overlay == "development" and pull != "Never":
                problem(w, "development images are built locally: imagePullPolicy Never")

for needed in ("orchestrator", "redis", "frontend"):
    if needed not in components:
        problems.append(f"no workload labelled component={needed}")

orch = components.get("orchestrator")
if orch:
    c = orch["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in c.get("env", [])}
    want = {"WORKER_BACKEND": "kubernetes", "KUBE_REDIS_SECRET": "mimir-redis/url",
            "ADVERTISE_URL": "http://orchestrator.mimir-aip.svc:8080"}
    for name, value in want.items():
        if env.get(name, {}).get("value") != value:
            problem(orch, f"{name} must be {value}")
    for name, secret in (("REDIS_URL", ("mimir-redis", "url")), ("MIMIR_WORKER_TOKEN", ("mimir-api-tokens", "worker-token"))):
        ref = env.get(name, {}).get("valueFrom", {}).get("secretKeyRef", {})
        if (ref.get("name"), ref.get("key")) != secret:
            problem(orch, f"{name} must come from Secret {secret[0]} key {secret[1]}")
    if env.get("KUBE_WORKER_TOKEN_SECRET", {}).get("value") != "mimir-api-tokens/worker-token":
        problem(orch, "KUBE_WORKER_TOKEN_SECRET must be mimir-api-tokens/worker-token")
    # API tokens from the mounted Secret; authentication never switched off.
    token_mounts = [m for m in c.get("volumeMounts", []) if m["mountPath"] == "/etc/mimir/api-tokens"]
    token_volumes = [v for v in orch["spec"]["template"]["spec"]["volumes"]
                     if v.get("secret", {}).get("secretName") == "mimir-api-tokens"]
    if env.get("API_TOKENS_FILE", {}).get("value") != "/etc/mimir/api-tokens/tokens" or not token_mounts or not token_volumes:
        problem(orch, "API_TOKENS_FILE must be /etc/mimir/api-tokens/tokens from the mounted Secret mimir-api-tokens")
    if "AUTH" in env or "AUTH" in settings_of(by_kind):
        problem(orch, "AUTH must not be set in the manifests: authentication stays on")
    if "KUBE_NAMESPACE" not in env or "WORKER_IMAGES" not in env or "FRONTEND_DIR" not in env:
        problem(orch, "KUBE_NAMESPACE, WORKER_IMAGES and FRONTEND_DIR must be set")
    spec = orch["spec"]["template"]["spec"]
    if spec.get("serviceAccountName") != "mimir-orchestrator":
        problem(orch, "must run as ServiceAccount mimir-orchestrator")
    probes = (c["readinessProbe"].get("httpGet", {}).get("path"), c["livenessProbe"].get("httpGet", {}).get("path"))
    if probes != ("/ready", "/health"):
        problem(orch, f"probes must be /ready and /health, got {probes}")
    claims = [v["persistentVolumeClaim"]["claimName"] for v in spec["volumes"] if "persistentVolumeClaim" in v]
    if claims != ["mimir-data"]:
        problem(orch, "must mount the PVC mimir-data")

# The scaling settings and the worker image catalog.
config = {cm["metadata"]["name"]: cm for cm in by_kind.get("ConfigMap", [])}
settings = config.get("mimir-orchestrator", {}).get("data", {})
for key in ("MIN_WORKERS", "MAX_WORKERS", "QUEUE_THRESHOLD"):
    if not settings.get(key, "").isdigit():
        problems.append(f"ConfigMap mimir-orchestrator: {key} missing or not a number")
pull = settings.get("KUBE_IMAGE_PULL_POLICY")
if overlay == "development" and pull != "Never":
    problems.append("development worker Jobs use local images: KUBE_IMAGE_PULL_POLICY must be Never")
if pull not in (None, "Always", "IfNotPresent", "Never"):
    problems.append(f"KUBE_IMAGE_PULL_POLICY {pull!r} is not a pull policy")
catalogs = [cm for name, cm in config.items() if name.startswith("mimir-worker-images")]
if len(catalogs) != 1:
    problems.append("exactly one mimir-worker-images ConfigMap expected")
else:
    catalog = json.loads(catalogs[0]["data"]["worker-images.json"])
    names = {}
    for image in catalog["images"]:
        names[image["image"].rsplit(":", 1)[0]] = {c["job_type"] for c in image["capabilities"]}
    all_types = {"pipeline_execution", "ml_training", "ml_inference", "digital_twin_update"}
    if names.get("mimir-aip/worker") != all_types:
        problems.append(f"catalog: mimir-aip/worker must run {sorted(all_types)}")
    if names.get("mimir-aip/worker-etl") != all_types - {"ml_training"}:
        problems.append("catalog: mimir-aip/worker-etl must run all but ml_training")

# Secrets: development ships obvious dev values; production none (created outside git).
secrets = {s["metadata"]["name"]: s for s in by_kind.get("Secret", [])}
if overlay == "production" and secrets:
    problems.append(f"production must not carry Secrets in git: {sorted(secrets)}")
if overlay == "development":
    tokens = secrets.get("mimir-api-tokens", {}).get("stringData", {})
    if not {"tokens", "worker-token"} <= set(tokens) or "not-secret" not in tokens.get("worker-token", ""):
        problems.append("development Secret mimir-api-tokens needs tokens and worker-token with obvious dev values")
    url = secrets.get("mimir-redis", {}).get("stringData", {}).get("url", "")
    if "dev" not in url or not url.startswith("redis://"):
        problems.append("development Secret mimir-redis needs a url with an obvious dev password")

# Redis is reachable only from the orchestrator and from worker pods, selected by the labels
# the Kubernetes backend puts on them (Sources/MimirKubernetes/Jobs/WorkerLabels.swift).
worker_labels = {"app.kubernetes.io/name": "mimir-worker", "app.kubernetes.io/part-of": "mimir-aip"}
redis_policy = [p for p in by_kind.get("NetworkPolicy", [])
                if p["spec"]["podSelector"].get("matchLabels") == {"component": "redis"}]
if len(redis_policy) != 1:
    problems.append("one NetworkPolicy must select component=redis")
else:
    peers = [peer.get("podSelector", {}).get("matchLabels")
             for rule in redis_policy[0]["spec"].get("ingress", []) for peer in rule.get("from", [])]
    if sorted(map(json.dumps, peers)) != sorted(map(json.dumps, [{"component": "orchestrator"}, worker_labels])):
        problems.append(f"Redis NetworkPolicy must admit only the orchestrator and workers, got {peers}")

rules = [r for role in by_kind.get("Role", []) for r in role["rules"]]
granted = {(g, res, v) for r in rules for g in r["apiGroups"] for res in r["resources"] for v in r["verbs"]}
expected = {("batch", "jobs", v) for v in ("create", "get", "list", "watch", "delete")} | \
    {("", res, v) for res in ("pods", "events") for v in ("get", "list", "watch")}
if granted != expected:
    problems.append(f"Role grants {sorted(granted ^ expected)} beyond or short of the backend's needs")

storage = [p for p in by_kind.get("PersistentVolumeClaim", []) if p["metadata"]["name"] == "mimir-data"]
if overlay == "production":
    if not storage or storage[0]["spec"]["accessModes"] != ["ReadWriteMany"]:
        problems.append("production mimir-data must be ReadWriteMany")
    if not by_kind.get("PodDisruptionBudget"):
        problems.append("production needs a PodDisruptionBudget for the orchestrator")
    redis = components.get("redis")
    if not redis or redis["kind"] != "StatefulSet" or not redis["spec"].get("volumeClaimTemplates"):
        problems.append("production Redis must be a StatefulSet with a volume claim")
for p in problems:
    print("  " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
done

# --- 3. a real API server -------------------------------------------------------------------------
if [ -z "${MIMIR_KUBE_ENV:-}" ] || [ ! -f "${MIMIR_KUBE_ENV}" ]; then
    echo "error: MIMIR_KUBE_ENV does not name a test control plane's env file, so the server-side" >&2
    echo "checks cannot run. Start one and point MIMIR_KUBE_ENV at it:" >&2
    echo "  scripts/kube-test-env.sh build            # once (~10 min), binaries are cached" >&2
    echo "  scripts/kube-test-env.sh start /tmp/kenv  # seconds" >&2
    echo "  MIMIR_KUBE_ENV=/tmp/kenv/env scripts/check-deployment.sh" >&2
    echo "  scripts/kube-test-env.sh stop /tmp/kenv" >&2
    echo "($failures failure(s) in the offline checks)" >&2
    exit 1
fi
server=$(sed -n 's/^KUBE_SERVER=//p' "$MIMIR_KUBE_ENV")
ca=$(sed -n 's/^KUBE_CA=//p' "$MIMIR_KUBE_ENV")
admin_token_file=$(sed -n 's/^KUBE_ADMIN_TOKEN_FILE=//p' "$MIMIR_KUBE_ENV")
orchestrator_token_file=$(sed -n 's/^KUBE_ORCHESTRATOR_TOKEN_FILE=//p' "$MIMIR_KUBE_ENV")
for value in server ca admin_token_file orchestrator_token_file; do
    [ -n "${!value}" ] || {
        echo "error: $MIMIR_KUBE_ENV has no ${value^^} (written by scripts/kube-test-env.sh start)" >&2
        exit 1
    }
done
# The version-skew warning (kubectl 1.3x against a 1.20 server) is expected here.
kube() { kubectl --server "$server" --certificate-authority "$ca" --token "$(cat "$admin_token_file")" --warnings-as-errors=false "$@"; }
kube_orchestrator() { kubectl --server "$server" --certificate-authority "$ca" --token "$(cat "$orchestrator_token_file")" "$@"; }
kube get --raw /readyz >/dev/null || {
    echo "error: the API server in $MIMIR_KUBE_ENV ($server) is not answering; start it again" >&2
    exit 1
}
server_version=$(kube version -o json 2>/dev/null | python3 -c 'import json,sys; v=json.load(sys.stdin)["serverVersion"]; print(v["gitVersion"])')
kube api-versions >"$work/api-versions"
echo "== API server $server_version at $server"

for overlay in "${overlays[@]}"; do
    # Drop the objects of APIs this server does not serve, when (and only when) they are on the
    # list of expected ones; anything else unknown is a failure.
    if ! python3 - "$work/$overlay.yaml" "$work/$overlay.server.yaml" "$work/api-versions" "${skip_on_old_server[@]}" <<'PY'; then
import sys, yaml
source, target, versions_file, *allowed = sys.argv[1:]
served = set(open(versions_file).read().split())
kept, bad = [], False
for doc in yaml.safe_load_all(open(source)):
    if not doc:
        continue
    if doc["apiVersion"] in served:
        kept.append(doc)
    elif f"{doc['apiVersion']}/{doc['kind']}" in allowed:
        print(f"  skipped on this server: {doc['apiVersion']} {doc['kind']}/{doc['metadata']['name']} (API not served)")
    else:
        print(f"  {doc['apiVersion']} {doc['kind']}/{doc['metadata']['name']}: API not served by this server", file=sys.stderr)
        bad = True
yaml.safe_dump_all(kept, open(target, "w"), sort_keys=False)
sys.exit(1 if bad else 0)
PY
        fail "k8s/$overlay: objects of APIs the server does not serve"
        continue
    fi
    if kube apply --dry-run=server -f "$work/$overlay.server.yaml" >"$work/$overlay.apply.log" 2>&1; then
        ok "k8s/$overlay: kubectl apply --dry-run=server ($(grep -c 'server dry run' "$work/$overlay.apply.log") objects)"
    else
        grep -v 'last-applied-configuration\|version difference' "$work/$overlay.apply.log" >&2 || true
        fail "k8s/$overlay: kubectl apply --dry-run=server"
    fi
done

# The shipped ServiceAccount, Role and RoleBinding, applied for real (the test control plane's
# own setup applied the same file), then what the orchestrator may and may not do.
echo "== RBAC of $subject"
python3 - "$work/development.yaml" "$work/rbac.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
keep = [d for d in docs if d["kind"] in ("Role", "RoleBinding")
        or (d["kind"] == "ServiceAccount" and d["metadata"]["name"] == "mimir-orchestrator")]
yaml.safe_dump_all(keep, open(sys.argv[2], "w"), sort_keys=False)
PY
kube get namespace "$namespace" >/dev/null 2>&1 || kube create namespace "$namespace" >/dev/null
if kube apply -f "$work/rbac.yaml" >"$work/rbac.log" 2>&1; then
    ok "applied the shipped ServiceAccount, Role and RoleBinding"
else
    cat "$work/rbac.log" >&2
    fail "applying the shipped RBAC"
fi

allowed=(
    "create jobs.batch" "get jobs.batch" "list jobs.batch" "watch jobs.batch" "delete jobs.batch"
    "get pods" "list pods" "watch pods"
    "get events" "list events" "watch events"
)
forbidden=(
    "get secrets" "list secrets" "watch secrets" "create secrets"
    "patch jobs.batch" "update jobs.batch" "deletecollection jobs.batch"
    "create pods" "delete pods" "patch pods" "get pods --subresource=log" "create pods --subresource=exec"
    "create events" "get configmaps" "create deployments.apps" "create services"
    "create cronjobs.batch" "create roles.rbac.authorization.k8s.io"
    "create rolebindings.rbac.authorization.k8s.io" "create serviceaccounts --subresource=token"
)
can_i() { # WHO NAMESPACE VERB RESOURCE [--subresource=...] -> prints yes or no
    local who=$1 ns=$2
    shift 2
    if [ "$who" = impersonated ]; then
        kube auth can-i "$@" -n "$ns" --as="$subject" 2>/dev/null || true
    else
        kube_orchestrator auth can-i "$@" -n "$ns" 2>/dev/null || true
    fi
}
for who in impersonated token; do
    wrong=0
    for entry in "${allowed[@]}"; do
        read -r -a words <<<"$entry"
        answer=$(can_i "$who" "$namespace" "${words[@]}")
        [ "$answer" = yes ] || {
            fail "$subject ($who) cannot $entry in $namespace (answer: ${answer:-error})"
            wrong=1
        }
        # Namespaced: the same verb elsewhere is refused.
        answer=$(can_i "$who" default "${words[@]}")
        [ "$answer" = no ] || {
            fail "$subject ($who) can $entry in namespace default"
            wrong=1
        }
    done
    for entry in "${forbidden[@]}"; do
        read -r -a words <<<"$entry"
        answer=$(can_i "$who" "$namespace" "${words[@]}")
        [ "$answer" = no ] || {
            fail "$subject ($who) may $entry in $namespace (answer: ${answer:-error})"
            wrong=1
        }
    done
    [ "$wrong" -eq 1 ] || ok "RBAC ($who): ${#allowed[@]} allowed, ${#forbidden[@]} forbidden, none elsewhere"
done
# Exactly: the resource rules of the subject's rules review are the backend's, plus the two
# self-review rules every authenticated user has.
kube auth can-i --list -n "$namespace" --as="$subject" 2>/dev/null |
    sed -nE 's/^([^ []+) +\[\] +\[\] +(\[.*\]) *$/\1 \2/p' | grep -v '^selfsubject' | sort >"$work/rules" || true
expected_rules=$'events [get list watch]\njobs.batch [create get list watch delete]\npods [get list watch]'
if [ "$(cat "$work/rules")" = "$expected_rules" ]; then
    ok "RBAC: the rules review lists exactly jobs.batch, pods and events with the backend's verbs"
else
    echo "  got:" >&2
    sed 's/^/    /' "$work/rules" >&2
    fail "RBAC: the rules review differs from the backend's needs"
fi

if [ "$failures" -gt 0 ]; then
    echo "check-deployment: $failures failure(s)" >&2
    exit 1
fi
echo "check-deployment: all checks passed"
