/*
 * anon_fault.h — the first-touch anonymous fault, measured the same way on both systems
 * (one source, two systems): each timed iteration writes one byte to a page never touched
 * before; fault_prep() (untimed) moves to the next page and maps a fresh chunk of
 * FAULT_CHUNK pages (defined by the includer) when one is used up. musl programs only.
 */
#ifndef BENCH_ANON_FAULT_H
#define BENCH_ANON_FAULT_H

#include <stdlib.h>
#include <sys/mman.h>

static char *fault_chunk, *fault_next;

static void fault_prep(void)
{
    if (fault_chunk && fault_next + 4096 < fault_chunk + FAULT_CHUNK * 4096) {
        fault_next += 4096;
        return;
    }
    if (fault_chunk)
        munmap(fault_chunk, FAULT_CHUNK * 4096);
    fault_chunk = mmap(NULL, FAULT_CHUNK * 4096, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (fault_chunk == MAP_FAILED)
        abort();
    madvise(fault_chunk, FAULT_CHUNK * 4096, MADV_NOHUGEPAGE);   /* one 4 KiB page a fault */
    fault_next = fault_chunk;
}

static void fault_done(void)
{
    if (fault_chunk)
        munmap(fault_chunk, FAULT_CHUNK * 4096);
    fault_chunk = fault_next = NULL;
}

#endif
