#!/usr/bin/env bash
# Runs every test: formatting, a warning-free build of everything (plugins included), then the
# Swift test suites, which dlopen the freshly built plugins and compile their C fixtures.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh

echo "== swift format lint"
swift format lint --strict --recursive Package.swift Sources Plugins Tests bench

echo "== the worker's and the plugin SDK's modules import FoundationEssentials, not Foundation"
# Foundation links ICU: every worker and executor process that loads it (a plugin built on the SDK
# included) is about 6 MB larger, and the worker's idle memory goal is 30 MB.
worker_modules=(MimirCore MimirPluginSDK MimirPluginHost MimirJSONSchema MimirWorker MimirWorkerCommands MimirQueue MimirRedis
    MimirHTTPClient)
if grep -rln '^import Foundation$' "${worker_modules[@]/#/Sources/}"; then
    echo "error: the files above import Foundation: use #if canImport(FoundationEssentials) as MimirCore does" >&2
    exit 1
fi

echo "== OpenAPI document: generated from scripts/generate-openapi.py and valid OpenAPI 3.1"
python3 scripts/generate-openapi.py | diff -q - Sources/MimirOrchestrator/Resources/openapi.json >/dev/null || {
    echo "error: openapi.json is stale: run python3 scripts/generate-openapi.py > Sources/MimirOrchestrator/Resources/openapi.json" >&2
    exit 1
}
# Python packages the checks and tests use, from PyPI (the ML tests compare with scikit-learn).
python3 -c "import openapi_spec_validator" 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages openapi-spec-validator
python3 -c "import sklearn" 2>/dev/null || python3 -m pip install --quiet --break-system-packages scikit-learn
python3 -c "import json, openapi_spec_validator as v; v.validate(json.load(open('Sources/MimirOrchestrator/Resources/openapi.json')))"

echo "== swift build (warnings are errors)"
# Warnings-as-errors on our own targets only: dependencies may warn without failing us.
build_log=$(mktemp)
swift build --build-tests 2>&1 | tee "$build_log"
if grep -E "^/.*(Sources|Plugins|Tests|bench)/.*warning:" "$build_log" | grep -v "/.build/" >/dev/null; then
    echo "error: the build has warnings (above); fix them" >&2
    exit 1
fi

echo "== the C test fixtures and the C example plugin, where the tests look for them"
# The test bundles would build them on first use, but inside Swift's cooperative pool (two threads
# here): ten seconds of compiling there stall every other test waiting on a process or a timeout.
bin_path=$(swift build --show-bin-path)
Tests/Fixtures/plugins/build-fixtures.sh "$bin_path/test-fixtures"
make -s -C examples/c-plugin BUILD_DIR="$bin_path/test-fixtures/example"

echo "== memory ownership across the plugin ABI (valgrind)"
scripts/memcheck.sh "$bin_path"

echo "== Kubernetes control plane for the Kubernetes backend's tests (v1.20.2, built once into a cache)"
scripts/kube-test-env.sh build
kube_dir=$(mktemp -d)
scripts/kube-test-env.sh start "$kube_dir"
trap 'scripts/kube-test-env.sh stop "$kube_dir" >/dev/null 2>&1 || true' EXIT
export MIMIR_KUBE_ENV="$kube_dir/env"

echo "== deployment: shellcheck, manifests validated offline and by the API server, the Role's exact rights"
scripts/check-deployment.sh

echo "== swift test"
# Six runs, each its own process with its own cooperative pool. Swift Testing runs the suites of a
# run in parallel on that pool (two threads here), and a test holding a thread (seconds of
# training, parsing or validating; waiting for a child process or a blocking HTTP call) stalls
# every suite of its run that waits on processes, sockets, leases and timeouts meanwhile: one CI
# run had the orchestrator's suites starved for over 15 s, long enough to lose their leases.
# In order: the compute-bound suites (ML, pipelines, expressions, the million-row memory test);
# the suites that wait synchronously by design (the blocking HTTP client against Python servers,
# the plugin host running mimir-worker commands); the other unit suites (with the orchestrator's
# scaler wake-up, whose waits are timed); the Redis client and
# queue; the orchestrator's and workers' end-to-end suites (and any suite not named here); last,
# alone, the fault-injection scenarios.
compute='MimirMLTests|MimirPipelineTests|MimirExpressionsTests|PipelineMemoryTests'
blocking='MimirHTTPClientTests|MimirPluginHostTests'
units='MimirCoreTests|MimirJSONSchemaTests|MimirTwinTests|MimirStorageTests|MimirKubernetesTests|MimirScalingTests|ScalerWakeUpTests|CapabilityCatalogTests'
queue='MimirRedisTests|MimirQueueTests'
faults='MimirFaultInjectionTests'
swift test --skip-build --filter "$compute"
swift test --skip-build --filter "$blocking"
swift test --skip-build --filter "$units"
swift test --skip-build --filter "$queue"
swift test --skip-build --skip "$compute|$blocking|$units|$queue|$faults"
# The fault-injection scenarios (kill -9 of workers and of the orchestrator, Redis restarts and
# outages; docs/reliability.md), so their timings are not bent by other suites. Each run appends
# its figures to .build/fault-report/<scenario>.jsonl.
swift test --skip-build --filter "$faults"

echo "== API fuzzing: schemathesis against the served OpenAPI document, with tokens (scripts/fuzz-api.sh)"
scripts/fuzz-api.sh 40

echo "== the web frontend in headless Chromium (Playwright), against a real orchestrator, Redis and worker"
MIMIR_BIN="$(swift build --show-bin-path)" MIMIR_SCREENSHOTS="$(mktemp -d)" Tests/frontend/run.sh -q
