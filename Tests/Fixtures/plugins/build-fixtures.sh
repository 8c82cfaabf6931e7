#!/usr/bin/env bash
# Usage: build-fixtures.sh OUT_DIR
# Compiles fixture_plugin.c once per variant into OUT_DIR/libfixture_<variant>.so. Prints nothing
# on success; on failure prints the compiler's error and exits non-zero. A library newer than the
# source, the ABI header and this script is left alone, so running it again is cheap. Honours CC.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUT_DIR" >&2
    exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_file="$here/fixture_plugin.c"
include_dir="$here/../../../Sources/PluginABI/include"
out_dir=$1
cc=${CC:-gcc}

jansson_cflags=$(pkg-config --cflags jansson 2>/dev/null || true)
jansson_libs=$(pkg-config --libs jansson 2>/dev/null || echo -ljansson)

variants=(
    good concurrent_probe no_entry bad_magic abi_major abi_minor_newer small_struct empty_name
    bad_semver bad_executor_semver bad_schema_json bad_schema bad_schema_root bad_job_type duplicate_in_plugin
    null_execute init_refuses conflict_a conflict_b bad_result faulty huge_schema huge_count
)

mkdir -p "$out_dir"
for variant in "${variants[@]}"; do
    lib="$out_dir/libfixture_$variant.so"
    if [ "$lib" -nt "$source_file" ] && [ "$lib" -nt "$include_dir/mimir_plugin.h" ] &&
        [ "$lib" -nt "${BASH_SOURCE[0]}" ]; then
        continue
    fi
    # Build beside the target, then rename: a process that has the old library mapped keeps it,
    # and nobody ever sees a half-written file.
    tmp="$lib.tmp.$$"
    # shellcheck disable=SC2086 # the pkg-config output is a list of words
    if ! "$cc" -std=gnu11 -Wall -Wextra -Werror -O2 -g -fPIC -shared -fvisibility=hidden \
        -Wl,--no-undefined -I"$include_dir" $jansson_cflags \
        -D"FIXTURE_${variant^^}" -o "$tmp" "$source_file" $jansson_libs; then
        rm -f "$tmp"
        echo "build-fixtures.sh: failed to build $lib" >&2
        exit 1
    fi
    mv -f "$tmp" "$lib"
done
