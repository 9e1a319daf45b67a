/*
 * disk.c — the disk as one file (DISK_PATH): every byte goes through the block cache in
 * the virtio-blk driver's task (sas/proto/blk.h, BLK_CACHE_*), staged in the 64 KiB buffer
 * the driver maps into this task (BLK_ATTACH), so the driver never touches our pages and
 * the program's never leave them. A write gathers its pieces (writev's buffers) into that
 * buffer, so each BLK_CACHE_WRITE carries up to 64 KiB: one IPC for 16 pages. The cache
 * is write-back, so how a write is cut here does not decide the device's requests: its
 * pages reach the device at the next flush, merged with their neighbours (sas/proto/blk.h).
 * File mappings are the cache's own frames, mapped by BLK_CACHE_MAP straight at the
 * faulting address (mapper.c), so pwrite and every view agree. Durability is the driver's
 * BLK_FLUSH: fsync, fdatasync and O_DSYNC writes; a write-back's error is the flush's.
 */
#include "systhread.h"
#include <sas/proto/blk.h>
#include <sas/proto/root.h>

static l4_threadid_t blk = L4_NILTHREAD;
static uint8_t *buf;
static uint64_t size;

/* Attaches the driver's buffer once: 0; -ENOENT without a disk; -EACCES if the disk is
 * another task's (persist owns it while the single address space runs: the driver
 * refuses ATTACH with SAS_EPERM); -EIO for any other failure. */
int disk_ready(void)
{
    struct blk_info bi;
    void *b;
    if (buf)
        return 0;
    if (root_service(pt.root, ROOT_SERVICE_BLK, &blk))
        return -LX_ENOENT;
    if (blk_info(blk, &bi))
        return -LX_EIO;
    enum sas_error e = blk_attach(blk, &b);
    if (e)
        return e == SAS_EPERM ? -LX_EACCES : -LX_EIO;
    size = bi.sectors * bi.sector_size / BLK_PAGE * BLK_PAGE;
    buf = b;
    return 0;
}

uint64_t disk_size(void) { return size; }

/* The bytes of [off, off + len) that lie on the disk. */
static uint64_t clip(uint64_t len, uint64_t off)
{
    return off >= size ? 0 : len < size - off ? len : size - off;
}

int64_t disk_pread(uint64_t va, uint64_t len, uint64_t off)
{
    if (mapper_user(va, len, L4_FPAGE_W))
        return -LX_EFAULT;
    len = clip(len, off);
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < BLK_BUF_SIZE ? len - done : BLK_BUF_SIZE;
        if (blk_cache_read(blk, off + done, n, 0))
            return done ? (int64_t)done : -LX_EIO;
        memcpy((void *)(va + done), buf, n);
        done += n;
    }
    return (int64_t)len;
}

int64_t disk_pwritev(const struct lx_iovec *v, uint64_t cnt, uint64_t off, int dsync)
{
    uint64_t want = 0, written = 0, staged = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        if (v[i].len > (uint64_t)INT64_MAX - want)
            return -LX_EINVAL;
        if (mapper_user(v[i].base, v[i].len, L4_FPAGE_R))
            return -LX_EFAULT;
        want += v[i].len;
    }
    if (want && off >= size)
        return -LX_ENOSPC;
    uint64_t len = clip(want, off);
    for (uint64_t i = 0, done = 0; done < len; done += v[i++].len) {
        uint64_t piece = v[i].len < len - done ? v[i].len : len - done;
        for (uint64_t at = 0; at < piece;) {
            uint64_t n = piece - at < BLK_BUF_SIZE - staged ? piece - at : BLK_BUF_SIZE - staged;
            memcpy(buf + staged, (const void *)(v[i].base + at), n);
            staged += n, at += n;
            if (staged < BLK_BUF_SIZE && done + at < len)
                continue;                       /* room for more before the next write */
            if (blk_cache_write(blk, off + written, staged, 0))
                return written ? (int64_t)written : -LX_EIO;
            written += staged;
            staged = 0;
        }
    }
    if (dsync && len && disk_sync())
        return -LX_EIO;
    return (int64_t)len;
}

int64_t disk_pwrite(uint64_t va, uint64_t len, uint64_t off, int dsync)
{
    struct lx_iovec one = { va, len };
    return disk_pwritev(&one, 1, off, dsync);
}

int disk_sync(void)
{
    return blk_flush(blk) ? -LX_EIO : 0;
}

int disk_map(uint64_t va, uint64_t off)
{
    return buf && off < size && !blk_cache_map(blk, off, va) ? 0 : -1;
}
