/*
 * objects.h — what the single address space's rows (bench/objects on Ell Four) and their
 * Linux pairs (bench/linux/objects.c) share: the shape of the fault loop. Both write once
 * to every page of a FAULT_OBJ_PAGES-page range whose pages are resident but not mapped
 * writable in the task (Ell Four: an object just committed; Linux: a memfd populated
 * through another mapping), one timed sample per write, for fault_rounds() rounds after
 * one untimed round; between rounds each system makes the pages fault again, untimed.
 * The shared rows (issue 21) use the same shape from a second program (Ell Four: another
 * domain; Linux: a forked process): each round's first page is written untimed (it
 * warms objmgr's decision cache, or makes Linux's page table), then the first write to
 * each of the other FAULT_OBJ_PAGES - 1 pages is timed (shared_round).
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

/* One round of a shared row: the untimed first write to page 0 of p, then the timed first
 * write of v to each other page, into out[0 .. FAULT_OBJ_PAGES - 1) if out is not NULL. */
static inline void shared_round(volatile char *p, char v, uint64_t *out)
{
    p[0] = v;
    for (unsigned pg = 1; pg < FAULT_OBJ_PAGES; pg++) {
        uint64_t d = fault_write(p + pg * OBJ_PAGE, v);
        if (out)
            out[pg - 1] = d;
    }
}

#endif
