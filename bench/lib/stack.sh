# Sourced by the bench scripts that run Mimir itself (e2e, http, recovery, scale): the binaries,
# the API token, a Redis and an orchestrator's port, started the same way for each.

# bench_binaries PRODUCT...: sets `bin` to $MIMIR_BIN, whose binaries are used as they are (e.g. a
# copy of an earlier build, for a before/after comparison), or else to a release build of the
# PRODUCTs.
bench_binaries() {
    if [ -n "${MIMIR_BIN:-}" ]; then
        bin=$MIMIR_BIN
        return
    fi
    local product
    for product in "$@"; do
        swift build -c release --scratch-path .build-release --product "$product" >/dev/null
    done
    bin=$(swift build -c release --scratch-path .build-release --show-bin-path)
}

# bench_token: the API with authentication on, as deployed: exports one fresh admin token, and no
# rate limit (what is measured here).
bench_token() {
    MIMIR_TOKEN="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    export MIMIR_TOKEN API_TOKENS="admin:bench:$MIMIR_TOKEN" RATE_LIMIT_PER_SECOND=0
}

# bench_redis DIR: starts a redis-server without persistence on a free loopback port, its files in
# DIR (its pid in DIR/redis.pid); sets `redis_port`.
bench_redis() {
    redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$1" --daemonize yes \
        --logfile "$1/redis.log" --pidfile "$1/redis.pid"
}

# bench_port LOG: waits (10 s at most) for the orchestrator started with --port 0 and writing LOG
# to say where it listens; sets `port` (empty if it never did).
bench_port() {
    port=""
    local _
    for _ in $(seq 100); do
        port=$(sed -n 's/^mimir-orchestrator listening on port //p' "$1")
        [ -n "$port" ] && return 0
        sleep 0.1
    done
    echo "the orchestrator did not start; its log ($1):" >&2
    cat "$1" >&2
    return 1
}
