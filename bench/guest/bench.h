/*
 * bench.h — what the benchmark root's files share: the sample buffer, the timing loop and
 * the report line (bench.c), and the address-space operations (space.c).
 */
#ifndef BENCH_H
#define BENCH_H

#include <native/rt.h>

#define MAX_ITERS 100000

extern uint64_t samples[MAX_ITERS];
extern unsigned iters;
extern uint64_t overhead;

/* Sorts the samples and prints "BENCH <name> <median> <p90> <iterations>". */
void report(const char *name);

/* Times `op` iters times, one iteration at a time, after iters/10 warm-up rounds. */
#define TIME_LOOP(op)                                            \
    do {                                                         \
        for (unsigned i_ = 0; i_ < iters / 10; i_++) { op; }     \
        for (unsigned i_ = 0; i_ < iters; i_++) {                \
            uint64_t t0_ = rt_rdtsc();                           \
            op;                                                  \
            uint64_t d_ = rt_rdtsc() - t0_;                      \
            samples[i_] = d_ > overhead ? d_ - overhead : 0;     \
        }                                                        \
    } while (0)

#define MEASURE(name, op) do { TIME_LOOP(op); report(name); } while (0)

/* space.c: pager round trip, foreign syscall to a handler, map+unmap, task create+delete. */
void bench_space(l4_threadid_t peer);

#endif
