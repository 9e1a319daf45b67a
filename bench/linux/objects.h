/*
 * objects.h — the Linux pairs of the single address space's rows (objects.c), called by
 * /disk-bench (disk.c).
 */
#ifndef BENCH_LINUX_OBJECTS_H
#define BENCH_LINUX_OBJECTS_H

/* Measures memfd_create_map_close, pagefault_memfd_populated and pagefault_memfd_shared
 * (measure.h's iters) and prints their BENCH lines; aborts on a failure. */
void objects_measure(void);

#endif
