#!/usr/bin/env bash
# Usage: memcheck.sh [BUILD_DIR]
# Runs real jobs through `mimir-worker run` under valgrind's memcheck, one process per path that
# moves memory across the plugin ABI: C and Swift plugins, results, errors, invalid result JSON,
# unknown statuses, schema refusals, timeouts. Fails on any memory error or on memory that is
# definitely or indirectly lost. Still-reachable blocks are the never-unloaded plugins' and the
# Swift runtime's caches, by design.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir=${1:-$(swift build --show-bin-path)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

Tests/Fixtures/plugins/build-fixtures.sh "$work/fixtures"
make -s -C examples/c-plugin BUILD_DIR="$work/plugins"
# valgrind 3.19 cannot read this toolchain's DWARF ("Possibly corrupted debuginfo file") and
# gives up: it runs copies without debug information instead.
objcopy --strip-debug "$build_dir/mimir-worker" "$work/mimir-worker"
for plugin in PipelineExecution MLTraining MimirNoop; do
    objcopy --strip-debug "$build_dir/lib$plugin.so" "$work/plugins/lib$plugin.so"
done
ln -s "$work/fixtures/libfixture_good.so" "$work/fixtures/libfixture_bad_result.so" "$work/plugins/"

failures=0
check() {
    local name=$1 type=$2 job=$3
    printf '%s\n' "$job" >"$work/$name.json"
    set +e
    valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        --suppressions=scripts/valgrind-swift.supp --log-file="$work/$name.log" \
        "$work/mimir-worker" run --plugin-dir "$work/plugins" --type "$type" --job "$work/$name.json" \
        >"$work/$name.out" 2>"$work/$name.err"
    local status=$?
    set -e
    if [ $status -eq 99 ]; then
        echo "memcheck: $name: FAILED"
        cat "$work/$name.log"
        failures=$((failures + 1))
    elif ! grep -q '"status": *"[a-z_]*"' "$work/$name.out"; then
        # The job must have run to its outcome: valgrind giving up, or a crash, is no pass.
        echo "memcheck: $name: FAILED (no outcome; exit $status)"
        cat "$work/$name.err" "$work/$name.log"
        failures=$((failures + 1))
    else
        echo "memcheck: $name: clean ($(grep -o '"status": *"[a-z_]*"' "$work/$name.out"))"
    fi
}

check c-result text_stats '{"task_spec":{"parameters":{"text":"the quick brown fox jumps over the lazy dog","top":3}}}'
check c-invalid-input text_stats '{"task_spec":{"parameters":{"text":"x","top":5000}}}'
check swift-result noop '{}'
check swift-error ml_training '{"task_spec":{"parameters":{"task":"regression","target":"y"}}}'
check swift-invalid-input pipeline_execution '{}'
check schema-refusal ml_training '{"task_spec":{"parameters":{"task":"astrology"}}}'
check logs-progress fixture_echo '{"task_spec":{"parameters":{"message":"hi","progress_steps":5}}}'
check retryable fixture_echo '{"task_spec":{"parameters":{"fail":"retryable"}}}'
check invalid-result-json fixture_bad_result '{}'
check unknown-status fixture_returns_garbage_status '{}'
check timeout fixture_echo '{"task_spec":{"parameters":{"sleep_ms":5000},"timeout_seconds":0.3}}'

if [ $failures -gt 0 ]; then
    echo "memcheck: $failures run(s) with memory errors or leaks" >&2
    exit 1
fi
