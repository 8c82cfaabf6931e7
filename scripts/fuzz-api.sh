#!/usr/bin/env bash
# Fuzzes the REST API with schemathesis (PyPI) against the OpenAPI document the orchestrator
# serves, with authentication on: every check, all on by default (no 5xx, every response valid against the document,
# schema-valid requests accepted and invalid ones refused, 405 for undeclared methods, no access
# without a token). Two passes, each against a fresh orchestrator and Redis namespace:
#   1. the client API with an admin token (everything but the worker routes and the event stream);
#   2. the worker routes with the worker credential.
#   scripts/fuzz-api.sh [EXAMPLES]      # examples per operation and phase (default 40); SEED (default 1)
# Needs a debug build (swift build) and redis-server; installs schemathesis when missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
examples=${1:-40}
seed=${SEED:-1}
command -v redis-server >/dev/null || {
    echo "error: redis-server is missing: apt-get install redis-server" >&2
    exit 1
}
python3 -c 'import schemathesis' 2>/dev/null || python3 -m pip install -q --break-system-packages schemathesis
bin=$(swift build --show-bin-path)
[ -x "$bin/mimir-orchestrator" ] || {
    echo "error: $bin/mimir-orchestrator is missing: run swift build first" >&2
    exit 1
}
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --daemonize yes \
    --logfile "$work/redis.log" --pidfile "$work/redis.pid"
orchestrator=""
cleanup() {
    [ -z "$orchestrator" ] || kill "$orchestrator" 2>/dev/null || true
    kill "$(cat "$work/redis.pid" 2>/dev/null)" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
admin="fuzz-admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
worker="fuzz-worker-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf 'admin:fuzz-admin:%s\n' "$admin" >"$work/tokens"

start_orchestrator() { # namespace
    [ -z "$orchestrator" ] || { kill "$orchestrator"; wait "$orchestrator" 2>/dev/null || true; }
    port=$(free_port)
    MIMIR_WORKER_TOKEN="$worker" "$bin/mimir-orchestrator" serve --host 127.0.0.1 --port "$port" \
        --redis-url "redis://127.0.0.1:$redis_port" --redis-namespace "$1" --worker-backend none \
        --api-tokens-file "$work/tokens" --data-dir "$work/data" --rate-limit-per-second 0 \
        --log-level warning >>"$work/orchestrator.log" 2>&1 &
    orchestrator=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return; sleep 0.1; done
    echo "error: the orchestrator did not start:" >&2
    cat "$work/orchestrator.log" >&2
    exit 1
}

run_pass() { # name, token, schemathesis filters...
    local name=$1 token=$2
    shift 2
    echo "== schemathesis: $name"
    # The document as served (read with the admin token: the worker credential may not read it).
    curl -sf -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/openapi.json" >"$work/openapi.json"
    if ! PYTHONPATH=scripts/fuzz SCHEMATHESIS_HOOKS=hooks python3 -m schemathesis.cli --config-file scripts/fuzz/schemathesis.toml run \
        "$work/openapi.json" --url "http://127.0.0.1:$port" \
        -H "Authorization: Bearer $token" --max-examples "$examples" --seed "$seed" \
        --phases examples,coverage,fuzzing --workers 1 --request-timeout 10 "$@" >"$work/$name.log" 2>&1; then
        grep -v "^$" "$work/$name.log" | sed -n "/FAILURES\|ERRORS/,/SUMMARY/p" | cut -c1-600
        tail -15 "$work/$name.log"
        echo "--- orchestrator log (tail)" >&2
        tail -30 "$work/orchestrator.log" >&2
        exit 1
    fi
    sed -n '/SUMMARY/,$p' "$work/$name.log"
}

start_orchestrator fuzz-clients
worker_operations=(registerWorker workerHeartbeat deregisterWorker reportJob)
exclude=() include=()
for operation in "${worker_operations[@]}"; do
    exclude+=(--exclude-operation-id "$operation")
    include+=(--include-operation-id "$operation")
done
run_pass clients "$admin" --exclude-operation-id streamEvents "${exclude[@]}"
start_orchestrator fuzz-workers
run_pass workers "$worker" "${include[@]}"
if grep -q ' 5[0-9][0-9] ' "$work/orchestrator.log"; then
    echo "error: the orchestrator logged a server error during fuzzing" >&2
    exit 1
fi
echo "fuzz-api: no failures"
