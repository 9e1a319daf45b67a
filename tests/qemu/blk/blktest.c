/*
 * blktest — a client of the virtio-blk driver (sas/proto/blk.h), started by root under
 * test ("suite=blk start=blktest") on a scratch image that run-blk-test made: sector i
 * holds "sector NNNNNN  \n" (16 bytes, i in decimal) 32 times. It checks the device's
 * size ("blk_sectors=" on the command line), reads sector 0, a middle sector and a run
 * of sectors, writes sector WRITE_SECTOR as "written NNNNNN \n" x 32, flushes, reads it
 * back, and checks that requests past the end fail cleanly; the script then finds the
 * written sector in the image file on the host. Exit code: the number of failed checks.
 */
#include <native/rt.h>
#include <sas/proto/blk.h>
#include <sas/proto/root.h>

#define WRITE_SECTOR 1500u
#define RUN_SECTORS  16u

static unsigned bad;

static void check(int ok, const char *what)
{
    printf("blktest: %s - %s\n", ok ? "ok" : "not ok", what);
    bad += !ok;
}

static void pattern(uint8_t *p, const char *word, uint64_t sector)
{
    char rec[24];
    snprintf(rec, sizeof(rec), "%s %06lu%s\n", word, sector, word[0] == 's' ? "  " : " ");
    for (unsigned i = 0; i < BLK_SECTOR / 16; i++)
        memcpy(p + i * 16, rec, 16);
}

/* 1 if the buffer at `off` holds `count` sectors of the image's pattern from `sector`. */
static int holds(const uint8_t *buf, uint64_t off, uint64_t sector, unsigned count,
                 const char *word)
{
    uint8_t want[BLK_SECTOR];
    for (unsigned i = 0; i < count; i++) {
        pattern(want, word, sector + i);
        if (memcmp(buf + off + (uint64_t)i * BLK_SECTOR, want, BLK_SECTOR))
            return 0;
    }
    return 1;
}

static uint64_t expected_sectors(void)
{
    char v[24];
    uint64_t n = 0;
    if (!rt_cmdline_get("blk_sectors", v, sizeof(v)))
        for (unsigned i = 0; v[i] >= '0' && v[i] <= '9'; i++)
            n = n * 10 + (uint64_t)(v[i] - '0');
    return n;
}

static void reads(l4_threadid_t blk, uint8_t *buf, uint64_t sectors)
{
    check(!blk_read(blk, 0, 1, 0) && holds(buf, 0, 0, 1, "sector"), "sector 0 read");
    check(!blk_read(blk, sectors / 2, 1, 512) && holds(buf, 512, sectors / 2, 1, "sector"),
          "the middle sector read");
    check(!blk_read(blk, 100, RUN_SECTORS, 4096) && holds(buf, 4096, 100, RUN_SECTORS, "sector"),
          "16 sectors read in one request");
    check(!blk_read(blk, sectors - 1, 1, 0) && holds(buf, 0, sectors - 1, 1, "sector"),
          "the last sector read");
}

static void write_flush(l4_threadid_t blk, uint8_t *buf)
{
    pattern(buf + 8192, "written", WRITE_SECTOR);
    check(!blk_write(blk, WRITE_SECTOR, 1, 8192), "a sector written");
    check(!blk_flush(blk), "flushed");
    memset(buf + 8192, 0, BLK_SECTOR);
    check(!blk_read(blk, WRITE_SECTOR, 1, 8192) && holds(buf, 8192, WRITE_SECTOR, 1, "written"),
          "the written sector read back");
    check(!blk_read(blk, WRITE_SECTOR + 1, 1, 0) && holds(buf, 0, WRITE_SECTOR + 1, 1, "sector"),
          "the sector after it untouched");
}

static void errors(l4_threadid_t blk, const uint8_t *buf, uint64_t sectors)
{
    check(blk_read(blk, sectors, 1, 0) == SAS_EINVAL, "a read past the end: SAS_EINVAL");
    check(blk_read(blk, sectors - 1, 2, 0) == SAS_EINVAL, "a read across the end: SAS_EINVAL");
    check(blk_write(blk, sectors, 1, 0) == SAS_EINVAL, "a write past the end: SAS_EINVAL");
    check(blk_read(blk, 0, 1, BLK_BUF_SIZE) == SAS_EINVAL, "a run outside the buffer: SAS_EINVAL");
    check(blk_read(blk, 0, 0, 0) == SAS_EINVAL, "a count of 0: SAS_EINVAL");
    check(!blk_read(blk, 0, 1, 0) && holds(buf, 0, 0, 1, "sector"),
          "the driver still serves after the errors");
}

int main(void)
{
    l4_threadid_t blk = L4_NILTHREAD;
    struct blk_info bi = { 0 };
    void *buf = 0;
    uint64_t want = expected_sectors();
    check(!root_service(root_find(), ROOT_SERVICE_BLK, &blk), "root names the disk driver");
    check(!blk_info(blk, &bi) && bi.sectors == want && bi.sector_size == BLK_SECTOR,
          "the device's size");
    check(bi.flags & BLK_INFO_FLUSH, "the device has a write cache to flush");
    printf("blktest: %lu sectors of %u bytes, flags %x\n", bi.sectors, bi.sector_size, bi.flags);
    check(!blk_attach(blk, &buf) && buf, "a buffer mapped from the driver");
    if (bad)
        root_exit(bad);
    reads(blk, buf, bi.sectors);
    write_flush(blk, buf);
    errors(blk, buf, bi.sectors);
    check(!blk_info(blk, &bi) && bi.requests == 9 && bi.flushes == 1 &&
          bi.bytes == (7 + RUN_SECTORS) * BLK_SECTOR, "the device operations counted");
    printf("blktest: %lu requests, %lu bytes, %lu flushes\n", bi.requests, bi.bytes, bi.flushes);
    root_exit(bad);
}
