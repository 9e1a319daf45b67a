/*
 * durwriter — the guest side of the raw-driver durability test (run-durability-test):
 * a sequence of transactions on the virtio-blk driver (sas/proto/blk.h), each "write the
 * data sectors, flush, write the commit record, flush", in the layout of durlayout.h. It
 * prints "durwriter: committed N flushes F device D" once transaction N's second flush
 * returned, F being the flushes it asked for so far and D those the device carried out
 * (BLK_INFO, no device request); the host replays QEMU's blklogwrites log and
 * checks that the disk never lost a reported commit nor shows a commit without its data.
 *
 * Command line: dur_txns=N (1 .. DUR_MAX_TXNS). For the test of the test only,
 * dur_skip=data or dur_skip=commit makes it skip that flush while still counting it —
 * a driver whose flush does nothing, as the replay must catch.
 * Exit code: the number of failed checks.
 */
#include <native/rt.h>
#include <sas/proto/blk.h>
#include <sas/proto/root.h>

#include "durlayout.h"

static unsigned bad;
static uint64_t flushes;
static char skip[8];

static void check(int ok, const char *what)
{
    if (!ok)
        printf("durwriter: not ok - %s\n", what);
    bad += !ok;
}

static unsigned cmdline_number(const char *key, unsigned dflt)
{
    char v[16];
    unsigned n = 0;
    if (rt_cmdline_get(key, v, sizeof(v)))
        return dflt;
    for (unsigned i = 0; v[i] >= '0' && v[i] <= '9'; i++)
        n = n * 10 + (unsigned)(v[i] - '0');
    return n;
}

static int same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* A flush, unless the test of the test asked to skip this one. */
static enum sas_error flush(l4_threadid_t blk, const char *which)
{
    flushes++;
    return same(skip, which) ? SAS_OK : blk_flush(blk);
}

static int transaction(l4_threadid_t blk, uint8_t *buf, uint32_t n)
{
    struct blk_info bi;
    for (uint32_t j = 0; j <= DUR_DATA; j++)
        dur_fill(buf + j * DUR_SECTOR, n, j);
    if (blk_write(blk, dur_data_sector(n, 0), 2, 0) ||
        blk_write(blk, dur_data_sector(n, 2), 1, 2 * DUR_SECTOR) ||
        blk_write(blk, dur_data_sector(n, 3), 1, 3 * DUR_SECTOR) ||
        flush(blk, "data") ||
        blk_write(blk, DUR_COMMIT_BASE + n, 1, DUR_DATA * DUR_SECTOR) ||
        flush(blk, "commit") || blk_info(blk, &bi))
        return -1;
    printf("durwriter: committed %u flushes %lu device %lu\n", n, flushes, bi.flushes);
    return 0;
}

int main(void)
{
    l4_threadid_t blk = L4_NILTHREAD;
    struct blk_info bi = { 0 };
    void *buf = 0;
    unsigned txns = cmdline_number("dur_txns", 100);
    if (rt_cmdline_get("dur_skip", skip, sizeof(skip)))
        skip[0] = 0;
    check(txns >= 1 && txns <= DUR_MAX_TXNS, "dur_txns within 1 .. DUR_MAX_TXNS");
    check(!root_service(root_find(), ROOT_SERVICE_BLK, &blk), "root names the disk driver");
    check(!blk_info(blk, &bi) && bi.sectors == DUR_DISK_SECTORS && (bi.flags & BLK_INFO_FLUSH),
          "a 1 MiB disk with a write cache");
    check(!blk_attach(blk, &buf) && buf, "a buffer mapped from the driver");
    if (bad)
        root_exit(bad);
    printf("durwriter: %u transactions%s%s\n", txns, skip[0] ? ", skipping the flush: " : "", skip);
    for (uint32_t n = 1; n <= txns && !bad; n++)
        check(!transaction(blk, buf, n), "a transaction's writes and flushes");
    check(!blk_info(blk, &bi), "the device operations");
    printf("durwriter: done, %u transactions; device: %lu requests, %lu bytes, %lu flushes\n",
           txns, bi.requests, bi.bytes, bi.flushes);
    root_exit(bad);
}
