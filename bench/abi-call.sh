#!/usr/bin/env bash
# Usage: bench/abi-call.sh [RUNS]
# Cost of one execute call into a loaded no-op executor (Swift SDK and plain C), next to a direct
# Swift call, in a release build. Prints the median, min and max of RUNS runs (default 5) per
# figure; the machine is shared and noisy, so compare ratios rather than absolute times.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-5}
scratch=.build-release
swift build -c release --scratch-path "$scratch" --product mimir-bench-abi >/dev/null
swift build -c release --scratch-path "$scratch" --product MimirNoop >/dev/null
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -std=gnu11 -O2 -fPIC -shared -fvisibility=hidden -ISources/PluginABI/include -o "$work/libnoop_c.so" bench/c-noop/noop.c

summarise() { # label, then values on stdin
    sort -g | awk -v label="$1" '{ v[NR] = $1 } END {
        median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "| %-40s | %10.1f | %10.1f | %10.1f |\n", label, median, v[1], v[NR] }'
}

echo "| figure (ns per call, $runs runs)             |     median |        min |        max |"
echo "| ---------------------------------------- | ---------- | ---------- | ---------- |"
for plugin in "Swift SDK no-op:$bin/libMimirNoop.so:noop" "C no-op:$work/libnoop_c.so:noop_c"; do
    IFS=: read -r name path type <<<"$plugin"
    for ((i = 0; i < runs; i++)); do "$bin/mimir-bench-abi" "$path" "$type" 200000; done >"$work/out.txt"
    if [ -n "${BENCH_JSON:-}" ]; then
        awk -v plugin="$name" '$1 ~ /^(direct|abi|host):$/ {
            printf "{\"plugin\": \"%s\", \"figure\": \"%s\", \"ns\": %s}\n", plugin, substr($1, 1, length($1) - 1), $2 }' \
            "$work/out.txt" >>"$BENCH_JSON"
    fi
    grep '^direct:' "$work/out.txt" | awk '{print $2}' | summarise "direct Swift call (floor)"
    grep '^abi:' "$work/out.txt" | awk '{print $2}' | summarise "$name: raw ABI call"
    grep '^host:' "$work/out.txt" | awk '{print $2}' | summarise "$name: host path (LoadedExecutor.run)"
done
