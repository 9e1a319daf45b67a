/*
 * runs.c — dirty pages into device requests: the cache's dirty entries put in device
 * order, then cut into runs of consecutive pages (each then cut again where one request's
 * descriptors are full: dma.c's vblk_descs). Pure functions over entry indices and their
 * pages: no device, no IPC (host-tested in tests/unit/test_blkruns.c).
 *
 * Why sort: the dirty list is in the order pages were first made dirty. LMDB's commit
 * writes its pages in page order, but other writers, and pages written again before the
 * flush, need not; sorted, every run of neighbours is found whatever order the writes came
 * in, so one write-back needs as few requests as the runs and the device's limits allow.
 */
#include "virtio_blk.h"

/* The end of the ascending run of idx[from..n) that starts at from. */
static unsigned run_end(const uint16_t *idx, unsigned from, unsigned n, const uint64_t *key)
{
    unsigned k = from + 1;
    while (k < n && key[idx[k - 1]] <= key[idx[k]])
        k++;
    return k;
}

/* Merges the sorted a[0..na) and b[0..nb) into out. */
static void merge(const uint16_t *a, unsigned na, const uint16_t *b, unsigned nb,
                  uint16_t *out, const uint64_t *key)
{
    unsigned i = 0, j = 0;
    while (i < na && j < nb)
        *out++ = key[b[j]] < key[a[i]] ? b[j++] : a[i++];
    while (i < na)
        *out++ = a[i++];
    while (j < nb)
        *out++ = b[j++];
}

/* A natural merge sort: each pass merges neighbouring ascending runs pairwise, so pages
 * that are already in order (LMDB writes its commit's pages in page order) cost one look
 * each, and r runs cost log2(r) passes. A heapsort costs n log n whatever the order: it
 * took about 700,000 instructions more of the benchmark's 2,000-page LMDB commit
 * (lmdb_txn_1000x4k). */
void runs_sort(uint16_t *idx, uint16_t *tmp, unsigned n, const uint64_t *key)
{
    while (n && run_end(idx, 0, n, key) < n) {
        for (unsigned at = 0; at < n;) {
            unsigned mid = run_end(idx, at, n, key);
            unsigned end = mid < n ? run_end(idx, mid, n, key) : n;
            merge(idx + at, mid - at, idx + mid, end - mid, tmp + at, key);
            at = end;
        }
        __builtin_memcpy(idx, tmp, n * sizeof(*idx));
    }
}

unsigned runs_take(const uint16_t *idx, unsigned n, const uint64_t *key, unsigned max)
{
    unsigned k = n ? 1 : 0;
    while (k < n && k < max && key[idx[k]] == key[idx[k - 1]] + 1)
        k++;
    return k;
}
