/*
 * measure.h — the measuring loop and the statistics both benchmark guests share: the Ell Four
 * root task (bench/guest, freestanding native C) and the Linux /init (bench/linux, static
 * musl). Only the operation under test differs between the two systems.
 *
 * Under qemu -icount shift=0,sleep=off a guest TSC delta is an exact count of guest
 * instructions. Each operation is timed one iteration at a time, after iters/10 warm-up
 * rounds, and the cost of the two rdtsc reads (measure_overhead) is subtracted; report()
 * prints one line per operation:
 *   BENCH <name> <median> <p90> <iterations>
 * The includer provides printf (native/rt.h or <stdio.h>); measure.c defines the globals.
 */
#ifndef BENCH_MEASURE_H
#define BENCH_MEASURE_H

#include <stdint.h>

#define MAX_ITERS 100000

extern uint64_t samples[MAX_ITERS];   /* instructions per iteration, after the overhead */
extern unsigned iters;                /* iterations per operation (10 .. MAX_ITERS) */
extern uint64_t overhead;             /* the two rdtsc reads, as TIME_LOOP sees them */

static inline uint64_t bench_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Parses a decimal iteration count; returns fallback unless it is within 10 .. MAX_ITERS. */
unsigned bench_parse_iters(const char *s, unsigned fallback);

/* Sorts a[0 .. n) (n >= 1) and returns its median, a[n / 2]. */
uint64_t bench_median(uint64_t *a, unsigned n);

/* Measures the rdtsc pair (median of iters reads) into `overhead`. */
void measure_overhead(void);

/* Sorts the samples and prints "BENCH <name> <median> <p90> <iterations> <mean>" (the mean
 * rounded: a median hides work batched every few iterations, such as Linux's LRU drain). */
void report(const char *name);
/* The same for samples[0 .. n) (n >= 1), a loop with its own count (anon_fault.h). */
void report_samples(const char *name, unsigned n);

/* Clears 4 KiB with one `rep stosb`, as Linux's clear_page_erms does (zero_page_4k). */
void bench_zero_page(void *page);

/* Times `op` iters times, running `prep` untimed before each iteration, after iters/10
 * warm-up rounds. */
#define TIME_LOOP_PREP(prep, op)                                 \
    do {                                                         \
        for (unsigned i_ = 0; i_ < iters / 10; i_++) { prep; op; } \
        for (unsigned i_ = 0; i_ < iters; i_++) {                \
            prep;                                                \
            uint64_t t0_ = bench_rdtsc();                        \
            op;                                                  \
            uint64_t d_ = bench_rdtsc() - t0_;                   \
            samples[i_] = d_ > overhead ? d_ - overhead : 0;     \
        }                                                        \
    } while (0)

#define TIME_LOOP(op) TIME_LOOP_PREP((void)0, op)

#define MEASURE(name, op) do { TIME_LOOP(op); report(name); } while (0)

/* MEASURE with a tenth of the iterations (at least 10), for operations as heavy as a
 * whole process or thread. */
#define MEASURE_TENTH(name, op)                                  \
    do {                                                         \
        unsigned all_ = iters;                                   \
        iters = all_ / 10 >= 10 ? all_ / 10 : 10;                \
        MEASURE(name, op);                                       \
        iters = all_;                                            \
    } while (0)

#endif
