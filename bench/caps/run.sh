#!/bin/sh
# bench/caps/run.sh BUILD_DIR — capstore's instruction counts under callgrind (exact and
# repeatable: callgrind counts instructions, not time). Prints one line per operation:
# the inclusive instruction count of one call. docs/SAS.md quotes this output.
set -eu
build=${1:?usage: run.sh BUILD_DIR}
bin=$build/tests/unit/capbench
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out/cg" --toggle-collect='bench_*' \
    "$bin" "${2:-10000}" >"$out/log" 2>&1 || { cat "$out/log"; exit 1; }
# Lines look like "  12,345 (0.03%)  .../capbench.c:bench_check10_cold [.../capbench]".
callgrind_annotate --inclusive=yes --threshold=100 "$out/cg" 2>/dev/null |
    awk '/capbench\.c:bench_/ { gsub(",", "", $1); f = $0; sub(/.*:bench_/, "", f);
                                sub(/[ .].*/, "", f); printf "%-22s %8d instructions\n", f, $1 }' |
    sort
