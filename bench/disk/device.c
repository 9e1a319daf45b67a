/*
 * device.c — the measuring loop of the operations that reach a disk (ops.h's
 * disk_measure): instructions excluding idle and the device operations of each iteration.
 * Compiled into every program that measures one, on both systems: bench/disk and
 * bench/objects on Ell Four, /disk-bench on Linux. No LMDB here.
 */
#include "ops.h"
#include <stdio.h>
#include "../common/measure.h"

static uint64_t dev[4][DISK_ITERS];     /* requests, bytes, flushes, events per iteration */

/* BENCH-DEV: the median device operations per iteration; BENCH-INFO if they vary. */
static void report_device(const struct disk_system *sys, const char *name, unsigned n)
{
    uint64_t med[3];
    int vary = 0;
    for (unsigned c = 0; c < 3; c++) {
        med[c] = bench_median(dev[c], n);
        vary |= dev[c][0] != dev[c][n - 1];
    }
    printf("BENCH-DEV %s %llu %llu %llu\n", name, (unsigned long long)med[0],
           (unsigned long long)med[1], (unsigned long long)med[2]);
    if (vary)
        printf("BENCH-INFO %s: device operations vary: requests %llu..%llu, bytes %llu..%llu, "
               "flushes %llu..%llu\n", name, (unsigned long long)dev[0][0],
               (unsigned long long)dev[0][n - 1], (unsigned long long)dev[1][0],
               (unsigned long long)dev[1][n - 1], (unsigned long long)dev[2][0],
               (unsigned long long)dev[2][n - 1]);
    if (!sys->events_now)
        return;
    uint64_t ev = bench_median(dev[3], n);      /* sorts: [0] is the least */
    printf("BENCH-INFO %s: %s per iteration: median %llu (%llu..%llu)\n", name, sys->event,
           (unsigned long long)ev, (unsigned long long)dev[3][0], (unsigned long long)dev[3][n - 1]);
}

void disk_measure(const struct disk_system *sys, const char *name, unsigned n, unsigned warm,
                  void (*prep)(unsigned), void (*op)(unsigned))
{
    for (unsigned i = 0; i < warm; i++) {
        if (prep)
            prep(i);
        op(i);
    }
    for (unsigned i = 0; i < n; i++) {
        struct disk_counts a, b;
        if (prep)
            prep(warm + i);
        uint64_t ev0 = sys->events_now ? sys->events_now() : 0;
        sys->device_now(&a);
        uint64_t idle0 = sys->idle_now();
        uint64_t t0 = bench_rdtsc();
        op(warm + i);
        uint64_t t1 = bench_rdtsc();
        uint64_t idle = sys->idle_now() - idle0;
        sys->device_now(&b);
        dev[3][i] = sys->events_now ? sys->events_now() - ev0 : 0;
        uint64_t d = t1 - t0, not_busy = idle + overhead;
        samples[i] = d > not_busy ? d - not_busy : 0;
        dev[0][i] = b.requests - a.requests;
        dev[1][i] = b.bytes - a.bytes;
        dev[2][i] = b.flushes - a.flushes;
    }
    iters = n;
    report(name);
    report_device(sys, name, n);
}
