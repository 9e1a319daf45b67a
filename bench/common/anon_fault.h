/*
 * anon_fault.h — the first-touch anonymous fault, measured the same way on both systems
 * (one source, compiled into bench/posix on Ell Four and bench/linux on Linux): a loop
 * that maps FAULT_CHUNK pages (private, anonymous), writes one byte to each page and
 * unmaps them, over FAULT_PAGES pages in all. That is more than either system has free
 * (1.5 times the guest's 256 MiB), so the loop only finishes if unmapped frames really
 * come back. Each chunk is one sample: its instructions — mmap, the touches, munmap, and
 * whatever the system does meanwhile (refills, zeroing, helper threads) — divided by its
 * pages, so the mean is the whole loop's instructions per page touched. Nothing is mapped
 * or zeroed ahead of the loop. musl programs only.
 */
#ifndef BENCH_ANON_FAULT_H
#define BENCH_ANON_FAULT_H

#include <stdlib.h>
#include <sys/mman.h>

#define FAULT_CHUNK 256u                       /* pages per mmap: 1 MiB */
#define FAULT_PAGES (256u * 256u * 3u / 2u)    /* 98,304 pages: 384 MiB, 1.5 x the RAM */

_Static_assert(FAULT_PAGES / FAULT_CHUNK <= MAX_ITERS, "one sample per chunk");

/* One chunk: map, touch every page, unmap. */
static void fault_chunk(void)
{
    char *p = mmap(NULL, FAULT_CHUNK * 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        abort();
    madvise(p, FAULT_CHUNK * 4096, MADV_NOHUGEPAGE);   /* one 4 KiB page a fault */
    for (unsigned i = 0; i < FAULT_CHUNK; i++)
        *(volatile char *)(p + i * 4096) = 1;
    if (munmap(p, FAULT_CHUNK * 4096))
        abort();
}

/* Runs the loop and prints its BENCH line as `name` (one sample per chunk). */
static void anon_fault_measure(const char *name)
{
    unsigned n = FAULT_PAGES / FAULT_CHUNK;
    for (unsigned i = 0; i < n; i++) {
        uint64_t t0 = bench_rdtsc();
        fault_chunk();
        uint64_t d = bench_rdtsc() - t0;
        d = d > overhead ? d - overhead : 0;
        samples[i] = (d + FAULT_CHUNK / 2) / FAULT_CHUNK;
    }
    report_samples(name, n);
}

#endif
