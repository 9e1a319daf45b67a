/*
 * sas/proto/blk.h — the block device driver's protocol (sasos/virtio_blk), and its client
 * stubs.
 *
 * The driver owns one virtio-blk disk. Its thread id comes from the root task:
 * root_service(root, ROOT_SERVICE_BLK, &id) (sas/proto/root.h). Every request is an IPC
 * call to that thread; the reply's label is an enum sas_error (SAS_OK = 0).
 *
 * Data never travels in messages and is never copied by the driver: the device reads and
 * writes (DMA) the client's buffer itself. The buffer is the driver's memory — RAM whose
 * physical addresses the driver knows (from sigma0), which a client's own pages are not —
 * mapped into the client by BLK_ATTACH. In the single address space it sits at the same
 * address in the driver and in the client: BLK_BUF_BASE + (slot + 1) * BLK_BUF_SIZE. The
 * block cache in the driver task hands out its cached frames by map items too (below).
 *
 * Sectors are BLK_SECTOR bytes. Requests (label; words):
 *   BLK_ATTACH  no words. The calling task's buffer (one per task, BLK_MAX_CLIENTS in all),
 *               mapped read-write: reply u = 2, MR0 = its address, MR1 = its size
 *               (BLK_BUF_SIZE); t = 2, the map item. The caller's receive window must hold
 *               [BLK_BUF_BASE, BLK_BUF_BASE + BLK_BUF_WINDOW) (blk_attach sets it). Asking
 *               again maps the same buffer again. The slot is the task's while the thread
 *               that attached it exists: once that thread is gone (its task deleted), the
 *               slot is taken back, unmapped and zeroed, when a request of the same task
 *               number or a new client's ATTACH finds it.
 *               Once the disk has an owner (persist, the store's server, from when it is
 *               ready: ROOT_DISK_OWNER in sas/proto/root.h) only the owner's task may
 *               attach: the driver asks root on every ATTACH, and any other task gets
 *               SAS_EPERM. (Root starts programs only once persist is ready or gone, so
 *               no other task holds a buffer by then.) SAS_EIO if root did not answer.
 *   BLK_READ    MR0 = first sector, MR1 = sector count (1 .. BLK_BUF_SIZE / BLK_SECTOR),
 *               MR2 = byte offset in the caller's buffer (a multiple of BLK_SECTOR; the run
 *               must fit in the buffer). The sectors are in the buffer when the reply comes,
 *               as the block cache has them: dirty cached pages they touch are written
 *               back first (below).
 *   BLK_WRITE   as BLK_READ; the sectors are taken from the buffer, and are on the device
 *               when the reply comes: in its (volatile) cache, durable only after BLK_FLUSH.
 *               Dirty cached pages it touches are written back first, then the cached
 *               pages take its bytes (every mapping sees them); if it fails, they are
 *               dropped from the cache.
 *   BLK_FLUSH   no words. Writes every dirty page of the block cache back (whoever wrote
 *               it), waits until those writes have completed, then has the device flush
 *               (virtio VIRTIO_BLK_T_FLUSH: on QEMU, the image file is fdatasync'ed): when
 *               it returns SAS_OK, every write acknowledged before it, cached or raw, is
 *               durable.
 *   BLK_INFO    no words. Reply u = 8: MR0 the device's size in sectors, MR1 BLK_SECTOR,
 *               MR2 BLK_INFO_* flags; the device operations so far (deterministic, unlike
 *               time, for benchmarks): MR3 requests completed, MR4 bytes moved, MR5 flushes;
 *               the block cache's MR6 misses (pages read in or claimed for a write) and
 *               MR7 pages dropped to make room (taken back from every view).
 *
 * The block cache (in the driver task, sasos/virtio_blk/cache.c) serves the device as one
 * file of bytes, through frames that cache its 4 KiB pages (BLK_PAGE). It is write-back:
 * a write changes the cached pages, which become dirty, and reaches the device later, so
 * that the pages written between two flushes go to it in few large requests. The rules
 * the driver keeps (sasos/virtio_blk/writeback.c):
 *   - Coherence: a page is in one frame at most, and every view maps that frame, so every
 *     read, view and raw request sees the last write, cached or raw, whatever the device
 *     holds yet. A dirty page is written back before its frame is reused, and before a
 *     raw BLK_READ or BLK_WRITE touching it goes to the device.
 *   - Durability: only BLK_FLUSH. It writes back every dirty page, and submits the
 *     device's flush only once all of those writes (and every raw write, which completes
 *     before its reply) have completed: virtio orders nothing between requests in flight,
 *     and a flush covers only the writes completed before it. Dirty pages are also written
 *     back, earlier, when more than half the cache's pages are dirty.
 *   - Errors: a write-back request that fails drops its pages (what the device holds of
 *     them is unknown) and BLK_FLUSH reports SAS_EIO: the flush during which it failed, or
 *     the next one if it failed when the cache wrote back on its own (room, a raw request,
 *     too many dirty pages). Each failure is reported once, to whichever client flushes
 *     next (with one client, the disk file's, that is the one that wrote): a flush
 *     returning SAS_OK means no write was lost since the previous flush returned. A page a
 *     client writes only in part is read in first; that read's failure is the write's.
 * A write-back's requests are runs of consecutive dirty pages, sorted by page, each as long
 * as the device takes (seg_max descriptors: 254 on QEMU; pages whose frames are physically
 * contiguous share one), several in flight at once.
 *   BLK_CACHE_READ   MR0 = byte offset on the device, MR1 = length (1 .. BLK_BUF_SIZE),
 *                    MR2 = byte offset in the caller's buffer (the run must fit in it).
 *                    Any alignment. The bytes are in the buffer when the reply comes.
 *   BLK_CACHE_WRITE  as BLK_CACHE_READ; the bytes are taken from the buffer and put in the
 *                    cached pages before the reply (the pages are dirty: on the device
 *                    after a write-back, durable after BLK_FLUSH). SAS_EIO: a page written
 *                    in part could not be read in; the pages before it may hold the new
 *                    bytes already.
 *   BLK_CACHE_MAP    MR0 = byte offset of a page (a multiple of BLK_PAGE). Reply t = 2:
 *                    the page's frame, mapped read-only into the caller's receive window
 *                    (one page). The cache takes the mapping back (fpage_unmap) before it
 *                    reuses the frame, and the caller faults again.
 * The device's last partial page (if its size is not a multiple of BLK_PAGE) is not served
 * by the cache.
 * Replies to READ, WRITE, FLUSH, the cache's requests and ATTACH's errors have u = 0.
 * Who may ask: ATTACH as above; BLK_INFO anyone (geometry and counters, no data); every
 * other request only a task that attached (any of its threads, while the attaching one
 * lives), and BLK_FLUSH root too (it flushes at power-off without attaching).
 *
 * Errors:
 *   SAS_EINVAL   a count of 0 or too large, an offset not sector-aligned or a run outside
 *                the buffer, or sectors past the end of the device (nothing is transferred)
 *   SAS_ENOTSUP  an unknown label; BLK_FLUSH on a device without a write cache to flush
 *                (the dirty pages have been written back: as durable as that device makes
 *                them)
 *   SAS_EPERM    READ, WRITE, FLUSH or a cache request from a task that did not attach (or
 *                whose slot was taken back); ATTACH from another task while the disk has
 *                an owner
 *   SAS_EBUSY    ATTACH with every slot taken
 *   SAS_EIO      the device reported an error (VIRTIO_BLK_S_IOERR) or did not complete; for
 *                BLK_FLUSH also a write-back that failed since the last flush (above)
 * The stubs also return SAS_EIO when the IPC itself fails (no driver).
 */
#ifndef SAS_PROTO_BLK_H
#define SAS_PROTO_BLK_H

#include <l4/syscalls.h>
#include <l4/fpage.h>
#include <l4/utcb.h>
#include <sas/errors.h>
#include <sas/layout.h>

#define BLK_ATTACH        0x424c0001u
#define BLK_READ          0x424c0002u
#define BLK_WRITE         0x424c0003u
#define BLK_FLUSH         0x424c0004u
#define BLK_INFO          0x424c0005u
#define BLK_CACHE_READ    0x424c0006u
#define BLK_CACHE_WRITE   0x424c0007u
#define BLK_CACHE_MAP     0x424c0008u

#define BLK_SECTOR        512u
#define BLK_PAGE          4096u                        /* the cache's unit */
#define BLK_BUF_LOG2      16u                          /* 64 KiB per client */
#define BLK_BUF_SIZE      (1ULL << BLK_BUF_LOG2)
#define BLK_WINDOW_LOG2   20u                          /* the driver's DMA memory: 1 MiB */
#define BLK_BUF_BASE      SAS_BLK_DMA_ADDR
#define BLK_BUF_WINDOW    (1ULL << BLK_WINDOW_LOG2)
#define BLK_MAX_CLIENTS   4u                           /* slot 0 is the driver's own */

#define BLK_INFO_FLUSH    0x1u                         /* the device has a write cache */

_Static_assert((BLK_MAX_CLIENTS + 1) * BLK_BUF_SIZE <= BLK_BUF_WINDOW, "buffers fit the window");
_Static_assert((SAS_BLK_DMA_ADDR & (BLK_BUF_WINDOW - 1)) == 0, "the window is aligned");
_Static_assert(BLK_BUF_WINDOW <= SAS_WIN_BLK_DMA_SIZE, "the DMA memory fits its window");

struct blk_info {
    uint64_t sectors;
    unsigned sector_size, flags;
    uint64_t requests, bytes, flushes;
    uint64_t cache_misses, cache_evictions;
};

static inline enum sas_error blk_call_(l4_threadid_t blk, uint32_t label, unsigned u,
                                       l4_msg_t *m)
{
    uint64_t res = l4_call(blk, l4_msgtag(label, u, 0), m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    if (l4_ipc_error(res))
        return SAS_EIO;
    return (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
}

/* Maps this task's buffer; *buf gets its address (BLK_BUF_SIZE bytes). SAS_EPERM: the
 * disk has an owner and it is another task; SAS_EBUSY: no slot left. */
static inline enum sas_error blk_attach(l4_threadid_t blk, void **buf)
{
    l4_msg_t m = { { 0 } };
    l4_utcb()->rcv_window = l4_fpage(BLK_BUF_BASE, BLK_WINDOW_LOG2, L4_FPAGE_RW);
    enum sas_error e = blk_call_(blk, BLK_ATTACH, 0, &m);
    l4_utcb()->rcv_window = L4_FPAGE_NIL;
    if (!e)
        *buf = (void *)m.w[0];
    return e;
}

/* Reads `count` sectors from `sector` into the buffer at byte `offset`. */
static inline enum sas_error blk_read(l4_threadid_t blk, uint64_t sector, unsigned count,
                                      uint64_t offset)
{
    l4_msg_t m = { { sector, count, offset } };
    return blk_call_(blk, BLK_READ, 3, &m);
}

/* Writes `count` sectors at `sector` from the buffer at byte `offset`. */
static inline enum sas_error blk_write(l4_threadid_t blk, uint64_t sector, unsigned count,
                                       uint64_t offset)
{
    l4_msg_t m = { { sector, count, offset } };
    return blk_call_(blk, BLK_WRITE, 3, &m);
}

/* Makes every write acknowledged so far durable (the cache's dirty pages written back). */
static inline enum sas_error blk_flush(l4_threadid_t blk)
{
    l4_msg_t m = { { 0 } };
    return blk_call_(blk, BLK_FLUSH, 0, &m);
}

/* Cached byte I/O: `len` bytes at device offset `off` from/to the buffer at `buf_off`. */
static inline enum sas_error blk_cache_read(l4_threadid_t blk, uint64_t off, uint64_t len,
                                           uint64_t buf_off)
{
    l4_msg_t m = { { off, len, buf_off } };
    return blk_call_(blk, BLK_CACHE_READ, 3, &m);
}
static inline enum sas_error blk_cache_write(l4_threadid_t blk, uint64_t off, uint64_t len,
                                            uint64_t buf_off)
{
    l4_msg_t m = { { off, len, buf_off } };
    return blk_call_(blk, BLK_CACHE_WRITE, 3, &m);
}

/* Maps the cached page at device offset `off` read-only at `va` (a page of the caller's). */
static inline enum sas_error blk_cache_map(l4_threadid_t blk, uint64_t off, uint64_t va)
{
    l4_msg_t m = { { off } };
    l4_utcb()->rcv_window = l4_fpage(va, 12, L4_FPAGE_RWX);
    enum sas_error e = blk_call_(blk, BLK_CACHE_MAP, 1, &m);
    l4_utcb()->rcv_window = L4_FPAGE_NIL;
    return e;
}

static inline enum sas_error blk_info(l4_threadid_t blk, struct blk_info *out)
{
    l4_msg_t m = { { 0 } };
    enum sas_error e = blk_call_(blk, BLK_INFO, 0, &m);
    if (!e)
        *out = (struct blk_info){ m.w[0], (unsigned)m.w[1], (unsigned)m.w[2], m.w[3], m.w[4],
                                  m.w[5], m.w[6], m.w[7] };
    return e;
}

#endif
