#!/usr/bin/env bash
# Usage: stage-plugins.sh BUILD_DIR DEST
# Copies the shipped executor plugins out of a SwiftPM build folder into a plugin directory, the
# layout a worker loads with --plugin-dir. The bench-only no-op plugin is left out.
set -euo pipefail
build_dir=$1
dest=$2
mkdir -p "$dest"
for plugin in PipelineExecution MLTraining MLInference DigitalTwinUpdate; do
    cp -f "$build_dir/lib$plugin.so" "$dest/lib$plugin.so.tmp"
    mv -f "$dest/lib$plugin.so.tmp" "$dest/lib$plugin.so"
done
