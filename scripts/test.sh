#!/usr/bin/env bash
# Runs every test: formatting, a warning-free build of everything (plugins included), then the
# Swift test suites, which dlopen the freshly built plugins and compile their C fixtures.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh

echo "== swift format lint"
swift format lint --strict --recursive Package.swift Sources Plugins Tests bench

echo "== swift build (warnings are errors)"
# Warnings-as-errors on our own targets only: dependencies may warn without failing us.
build_log=$(mktemp)
swift build --build-tests 2>&1 | tee "$build_log"
if grep -E "^/.*(Sources|Plugins|Tests|bench)/.*warning:" "$build_log" | grep -v "/.build/" >/dev/null; then
    echo "error: the build has warnings (above); fix them" >&2
    exit 1
fi

echo "== memory ownership across the plugin ABI (valgrind)"
scripts/memcheck.sh "$(swift build --show-bin-path)"

echo "== swift test"
swift test --skip-build
