#!/bin/sh
# bench/sas/run.sh BUILD_DIR [DIR] — the figures of docs/SAS.md: instructions (callgrind,
# deterministic) for object create/lookup at 10^3, 10^5, 10^6 objects, and for commits of
# 1 and 1,000 pages and a 1-page update, in every page layout (R pages per stored value;
# R=1 is the plain layout), with the bytes each commit writes. Takes a few minutes.
set -eu
bench=$1/tests/unit/sasbench
dir=${2:-/tmp}
[ -x "$bench" ] || { echo "run.sh: build the sasbench target first ($bench)" >&2; exit 2; }

# Instructions collected between START and STOP, divided by the operation count.
ir() {
    ops=$1; shift
    out=$(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/dev/null \
        "$bench" "$@" 2>&1)
    coll=$(echo "$out" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    info=$(echo "$out" | grep -v '^==' | tail -1)
    echo "$coll $ops" | awk '{ printf "%12.0f", $1 / $2 }'
    echo "    $info"
}

echo "== objmgr: instructions per operation (batch of 1,000) =="
for n in 1000 100000 1000000; do
    printf "create  N=%-8s" $n; ir 1000 create $n
    printf "lookup  N=%-8s" $n; ir 1000 lookup $n
done
echo "== persist: instructions per commit, bytes written =="
for r in 1 2 4 8 16 32; do
    printf "commit    1 page   R=%-3s" $r; ir 1 commit $r 1 "$dir"
    printf "commit 1000 pages  R=%-3s" $r; ir 1 commit $r 1000 "$dir"
    printf "update 1 of 1000   R=%-3s" $r; ir 1 update $r 1000 "$dir"
done
