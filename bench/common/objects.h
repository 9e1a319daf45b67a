/*
 * objects.h — what the single address space's rows (bench/objects on Ell Four) and their
 * Linux pairs (bench/linux/objects.c) share: the shape of the fault loop. Both write once
 * to every page of a FAULT_OBJ_PAGES-page range whose pages are resident but not mapped
 * writable in the task (Ell Four: an object just committed; Linux: a memfd populated
 * through another mapping), one timed sample per write, for fault_rounds() rounds after
 * one untimed round; between rounds each system makes the pages fault again, untimed.
 * Include after measure.h.
 */
#ifndef BENCH_OBJECTS_H
#define BENCH_OBJECTS_H

#define FAULT_OBJ_PAGES 256u            /* pages per round: 1 MiB */
#define OBJ_PAGE        4096u

/* Rounds for about measure.h's iters faults (at least one round, at most MAX_ITERS). */
static inline unsigned fault_rounds(void)
{
    unsigned r = (iters + FAULT_OBJ_PAGES - 1) / FAULT_OBJ_PAGES;
    return r < 1 ? 1 : r > MAX_ITERS / FAULT_OBJ_PAGES ? MAX_ITERS / FAULT_OBJ_PAGES : r;
}

/* The one timed write of a sample: its instructions, the rdtsc pair's cost taken off. */
static inline uint64_t fault_write(volatile char *p, char v)
{
    uint64_t t0 = bench_rdtsc();
    *p = v;
    uint64_t d = bench_rdtsc() - t0;
    return d > overhead ? d - overhead : 0;
}

#endif
