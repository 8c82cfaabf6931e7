#!/usr/bin/env bash
# The embedded default on one machine: installs what is missing, builds the worker and every
# plugin, stages them into build/plugins, and runs a sample job through the C example plugin.
# (The orchestrator, Redis queue and local worker pool join this script in later versions.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
swift build -c release
bin=$(swift build -c release --show-bin-path)

scripts/stage-plugins.sh "$bin" build/plugins
make -s -C examples/c-plugin BUILD_DIR="$PWD/build/plugins"

echo "== plugins in build/plugins"
"$bin/mimir-worker" plugins --plugin-dir build/plugins
echo
echo "== a text_stats job through the C example plugin"
"$bin/mimir-worker" run --plugin-dir build/plugins --job examples/c-plugin/job.json
