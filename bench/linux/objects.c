/*
 * objects.c — the Linux pairs of the single address space's rows (bench/objects on Ell
 * Four), in /disk-bench: disk.c calls objects_measure before it looks for the disk (these
 * rows need none), so that /init, whose fork and posix_spawn are measured, stays as it
 * was. The disk's pair, msync_1page, is disk.c's.
 *   memfd_create_map_close   memfd_create + ftruncate to one page + mmap (MAP_SHARED) +
 *                            munmap + close; nothing touched (Ell Four:
 *                            object_create_delete, a transient one-page object)
 *   pagefault_memfd_populated
 *                            one write to a page of a second shared mapping (B) of a
 *                            memfd whose pages this process populated through a first (A):
 *                            the page is in the page cache, B has no entry for it, so the
 *                            write is a shared-file fault that maps the cached page
 *                            writable. One sample per write (bench/common/objects.h); B is
 *                            mapped afresh, untimed, before each round and unmapped after
 *                            (Ell Four: object_fault_own, where a commit takes the write
 *                            right instead)
 *   pagefault_memfd_shared   the first write, in a second process (forked), to a page of a
 *                            memfd the first process wrote through its own mapping: each
 *                            round the child maps the memfd afresh, writes its first page
 *                            untimed (the page table is made) and times the first write to
 *                            each other page, a shared-file write fault mapping the cached
 *                            page writable (bench/common/objects.h, shared_round). Write
 *                            faults: a read fault on shmem would map 16 pages at once
 *                            (fault-around) (Ell Four: object_fault_shared, in a second
 *                            domain, the decision cached)
 * Failures end the program (abort), as /init's loops do.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../common/measure.h"
#include "../common/objects.h"
#include "objects.h"

static void memfd_create_map_close(void)
{
    int fd = memfd_create("bench", 0);
    if (fd < 0 || ftruncate(fd, OBJ_PAGE))
        abort();
    void *p = mmap(NULL, OBJ_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED || munmap(p, OBJ_PAGE) || close(fd))
        abort();
}

static char *map_shared(int fd)
{
    char *p = mmap(NULL, FAULT_OBJ_PAGES * OBJ_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        abort();
    return p;
}

static void measure_fault_populated(void)
{
    unsigned rounds = fault_rounds();
    int fd = memfd_create("bench_fault", 0);
    if (fd < 0 || ftruncate(fd, FAULT_OBJ_PAGES * OBJ_PAGE))
        abort();
    volatile char *a = map_shared(fd);
    for (unsigned pg = 0; pg < FAULT_OBJ_PAGES; pg++)
        a[pg * OBJ_PAGE] = 1;                   /* in the page cache (zeroed at its fault) */
    for (unsigned r = 0; r <= rounds; r++) {    /* round 0: untimed */
        char *b = map_shared(fd);               /* no entry for any page yet */
        for (unsigned pg = 0; pg < FAULT_OBJ_PAGES; pg++) {
            uint64_t d = fault_write(b + pg * OBJ_PAGE, (char)r);
            if (r)
                samples[(r - 1) * FAULT_OBJ_PAGES + pg] = d;
        }
        if (munmap(b, FAULT_OBJ_PAGES * OBJ_PAGE))
            abort();
    }
    report_samples("pagefault_memfd_populated", rounds * FAULT_OBJ_PAGES);
    if (munmap((void *)a, FAULT_OBJ_PAGES * OBJ_PAGE) || close(fd))
        abort();
}

/* pagefault_memfd_shared: the parent writes every page of a memfd through its mapping;
 * a forked child maps it afresh each round and times its first write to each page but the
 * first (objects.h, shared_round), then reports. */
static void measure_fault_shared(void)
{
    unsigned rounds = fault_rounds(), per = FAULT_OBJ_PAGES - 1;
    int fd = memfd_create("bench_shared", 0), status;
    if (fd < 0 || ftruncate(fd, FAULT_OBJ_PAGES * OBJ_PAGE))
        abort();
    volatile char *a = map_shared(fd);
    for (unsigned pg = 0; pg < FAULT_OBJ_PAGES; pg++)
        a[pg * OBJ_PAGE] = 1;                   /* in the page cache, written by the parent */
    fflush(stdout);                             /* the child's exit flushes its own copy */
    pid_t child = fork();
    if (child < 0)
        abort();
    if (child == 0) {
        for (unsigned r = 0; r <= rounds; r++) {    /* round 0: untimed */
            char *b = map_shared(fd);               /* no entry for any page yet */
            shared_round(b, (char)(r + 2), r ? &samples[(r - 1) * per] : NULL);
            if (munmap(b, FAULT_OBJ_PAGES * OBJ_PAGE))
                abort();
        }
        report_samples("pagefault_memfd_shared", rounds * per);
        exit(0);
    }
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
        abort();
    if (munmap((void *)a, FAULT_OBJ_PAGES * OBJ_PAGE) || close(fd))
        abort();
}

void objects_measure(void)
{
    measure_overhead();
    MEASURE("memfd_create_map_close", memfd_create_map_close());
    measure_fault_populated();
    measure_fault_shared();
}
