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
callgrind_annotate --inclusive=yes --threshold=100 "$out/cg" 2>/dev/null |
    awk '/bench_/ { gsub(",", "", $1); n = $1; f = $NF; sub(/.*bench_/, "", f);
                    sub(/[ (].*/, "", f); if (!(f in seen)) { seen[f] = 1;
                    printf "%-24s %10s instructions\n", f, n } }' | sort
