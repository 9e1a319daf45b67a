/*
 * virtio.c — a legacy virtio-blk device (I/O BAR 0) with one virtqueue (vring.c) and up to
 * VBLK_SLOTS requests in flight. The DMA memory (1 MiB from sigma0, through root) is laid
 * out as
 *   [0, VQ_BYTES)                        the virtqueue
 *   [HDR_OFF + 32 k, + 17)               request slot k's header (16 bytes) and status byte
 *   [BLK_BUF_SIZE * (i+1))               client i's buffer (sas/proto/blk.h); slot 0 unused
 * and the cache's frames are more DMA memory (vblk_add_dma). Each request is a chain
 * header -> data descriptors -> status (a flush has none); completions are seen in the
 * used ring, woken by the interrupt, with a polling fallback so a lost interrupt only
 * costs time.
 *
 * The device's limits come from its configuration (legacy layout: capacity, size_max,
 * seg_max) when it offers them (VIRTIO_BLK_F_SIZE_MAX, _SEG_MAX): a request has at most
 * seg_max data descriptors (one if it does not say), each at most size_max bytes; and
 * never more than the queue holds (size - 2: a chain may not be longer than the queue).
 * dma.c turns a request's segments into descriptors within them. The configuration has no
 * limit on a read's or write's sectors (QEMU's is 2^31 bytes, far above ours). QEMU
 * (seg-max-adjust, the default) offers seg_max = queue size - 2 = 254 and no size_max, so
 * a request carries 254 runs of physically contiguous pages (254 pages at the least).
 * Indirect descriptors are not negotiated: they would let several such requests be in
 * flight at once, but those the cache writes back are few and large, and requests (what
 * the device counts) would not get fewer.
 */
#include "virtio_blk.h"
#include <native/rt.h>

enum { REG_DEVFEAT = 0x00, REG_DRVFEAT = 0x04, REG_QPFN = 0x08, REG_QSIZE = 0x0c,
       REG_QSEL = 0x0e, REG_QNOTIFY = 0x10, REG_STATUS = 0x12, REG_ISR = 0x13,
       REG_CONFIG = 0x14 };          /* device configuration, MSI-X off */
#define ST_ACK        1u
#define ST_DRIVER     2u
#define ST_DRIVER_OK  4u
#define ST_FAILED     0x80u
#define F_SIZE_MAX    (1u << 1)      /* size_max in the configuration */
#define F_SEG_MAX     (1u << 2)      /* seg_max in the configuration */
#define F_FLUSH       (1u << 9)      /* VIRTIO_BLK_F_FLUSH (legacy: F_WCE) */
#define CFG_SIZE_MAX  8u             /* after capacity (8 bytes) */
#define CFG_SEG_MAX   12u
#define VQ_BYTES      0x8000u        /* room for a queue of up to QSIZE_MAX entries */
#define QSIZE_MAX     1024u
#define HDR_OFF       VQ_BYTES
#define HDR_STRIDE    32u
#define S_OK          0u
#define S_UNSUPP      2u
#define WAIT_MAX      500u           /* waits of ~20 ms (main.c) before a request is given up */

_Static_assert(QSIZE_MAX <= VRING_MAX, "the ring's bookkeeping holds the largest queue");
_Static_assert(HDR_OFF + HDR_STRIDE * VBLK_SLOTS <= BLK_BUF_SIZE, "headers before slot 1");

struct blk_hdr {
    uint32_t type, reserved;
    uint64_t sector;
};
_Static_assert(sizeof(struct blk_hdr) == 16, "the virtio-blk header's layout");

static struct blk_hdr *hdr(struct vblk *v, unsigned k)
{
    return (struct blk_hdr *)(v->dma + HDR_OFF + HDR_STRIDE * k);
}
static volatile uint8_t *status(struct vblk *v, unsigned k)
{
    return v->dma + HDR_OFF + HDR_STRIDE * k + sizeof(struct blk_hdr);
}
unsigned vblk_isr(struct vblk *v) { return inb(v->io + REG_ISR); }

/* The configuration's limits, with the queue's: max_segs and seg_bytes of struct vblk.
 * A device that does not say takes one data descriptor a request (as Linux assumes). */
static void read_limits(struct vblk *v, uint32_t feat)
{
    uint32_t segs = feat & F_SEG_MAX ? inl(v->io + REG_CONFIG + CFG_SEG_MAX) : 1;
    segs = segs < v->ring.size - 2u ? segs : v->ring.size - 2u;
    v->max_segs = segs ? segs : 1;
    v->seg_bytes = feat & F_SIZE_MAX ? inl(v->io + REG_CONFIG + CFG_SIZE_MAX) : 0;
    if (v->seg_bytes && v->seg_bytes < BLK_SECTOR)
        v->seg_bytes = BLK_SECTOR;          /* nonsense: a sector is the least we move */
}

enum sas_error vblk_init(struct vblk *v, uint16_t io, uint8_t *dma, uint64_t dma_phys)
{
    *v = (struct vblk){ .io = io, .dma = dma, .dma_phys = dma_phys };
    outb(io + REG_STATUS, 0);                         /* reset */
    outb(io + REG_STATUS, ST_ACK);
    outb(io + REG_STATUS, ST_ACK | ST_DRIVER);
    uint32_t feat = inl(io + REG_DEVFEAT) & (F_FLUSH | F_SEG_MAX | F_SIZE_MAX);
    outl(io + REG_DRVFEAT, feat);
    outw(io + REG_QSEL, 0);
    unsigned qsize = inw(io + REG_QSIZE);
    if (qsize < 3 || qsize > QSIZE_MAX || vring_bytes(qsize) > VQ_BYTES) {
        printf("virtio_blk: queue 0 has %u entries: unusable\n", qsize);
        outb(io + REG_STATUS, ST_FAILED);
        return SAS_EIO;
    }
    vring_init(&v->ring, dma, qsize);
    outl(io + REG_QPFN, (uint32_t)(dma_phys >> 12));
    v->sectors = inl(io + REG_CONFIG) | (uint64_t)inl(io + REG_CONFIG + 4) << 32;
    v->flags = feat & F_FLUSH ? BLK_INFO_FLUSH : 0;
    read_limits(v, feat);
    outb(io + REG_STATUS, ST_ACK | ST_DRIVER | ST_DRIVER_OK);
    return SAS_OK;
}

/* vblk_submit, or with `all` only if one request carries all *n segments. */
static enum sas_error submit(struct vblk *v, uint32_t type, uint64_t sector,
                             const struct vblk_seg *seg, unsigned *n, int all, unsigned *id)
{
    static struct vring_buf b[VBLK_MAX_SEGS + 2];   /* one thread: too big for the stack */
    uint16_t in = type == VIRTIO_BLK_T_IN;
    unsigned k = 0, took, nd = vblk_descs(v, seg, *n, b + 1, in, &took);
    if ((*n && !took) || (all && took < *n))
        return SAS_EINVAL;
    while (k < VBLK_SLOTS && v->slot[k].busy)
        k++;
    if (k == VBLK_SLOTS || nd + 2 > v->ring.nfree)
        return SAS_EBUSY;
    uint64_t len = 0;
    for (unsigned i = 0; i < took; i++)
        len += seg[i].len;
    *n = took;
    *hdr(v, k) = (struct blk_hdr){ type, 0, sector };
    *status(v, k) = 0xff;
    b[0] = (struct vring_buf){ vblk_phys(v, hdr(v, k)), sizeof(struct blk_hdr), 0 };
    b[nd + 1] = (struct vring_buf){ vblk_phys(v, status(v, k)), 1, 1 };
    int head = vring_add(&v->ring, b, nd + 2);
    v->slot[k] = (struct vblk_slot){ 1, 0, (uint16_t)head, type, len };
    v->slot_of_head[head] = (uint8_t)k;
    v->inflight++;
    outw(v->io + REG_QNOTIFY, 0);
    *id = k;
    return SAS_OK;
}

enum sas_error vblk_submit(struct vblk *v, uint32_t type, uint64_t sector,
                           const struct vblk_seg *seg, unsigned *n, unsigned *id)
{
    return submit(v, type, sector, seg, n, 0, id);
}

/* The slot a used chain belonged to: its result counted and the slot freed; -1 if it
 * was one given up on (now freed too). */
static int retire(struct vblk *v, unsigned head, enum sas_error *e)
{
    unsigned k = v->slot_of_head[head];
    struct vblk_slot *s = &v->slot[k];
    int lost = s->lost;
    s->busy = s->lost = 0;
    if (lost)
        return -1;
    v->inflight--;
    uint8_t st = *status(v, k);
    *e = st == S_OK ? SAS_OK : st == S_UNSUPP ? SAS_ENOTSUP : SAS_EIO;
    v->requests++;
    v->bytes += s->bytes;
    v->flushes += s->type == VIRTIO_BLK_T_FLUSH;
    return (int)k;
}

/* Gives up on the oldest-submitted request in flight (the lowest busy slot will do):
 * its descriptors stay the device's until it uses them, if ever. */
static unsigned give_up(struct vblk *v)
{
    unsigned k = 0;
    while (!v->slot[k].busy || v->slot[k].lost)
        k++;
    v->slot[k].lost = 1;
    v->inflight--;
    printf("virtio_blk: request type %u never completed\n", v->slot[k].type);
    return k;
}

enum sas_error vblk_wait(struct vblk *v, unsigned *id)
{
    if (!v->inflight)
        return SAS_EINVAL;
    for (unsigned i = 0; i < WAIT_MAX; i++) {
        int head;
        while ((head = vring_used(&v->ring)) != -1) {
            enum sas_error e;
            int k = head < 0 ? -1 : retire(v, (unsigned)head, &e);
            if (k >= 0) {
                *id = (unsigned)k;
                return e;
            }
        }
        if (!v->inflight)
            return SAS_EINVAL;                        /* only lost ones were in flight */
        vblk_wait_irq();
        vblk_isr(v);                                  /* lowers the (level) line */
    }
    *id = give_up(v);
    return SAS_EIO;
}

enum sas_error vblk_dov(struct vblk *v, uint32_t type, uint64_t sector,
                        const struct vblk_seg *seg, unsigned n)
{
    unsigned id, got;
    enum sas_error e = submit(v, type, sector, seg, &n, 1, &id);
    if (e == SAS_EBUSY)
        printf("virtio_blk: a lone request found no room in the queue\n");
    if (e)
        return e == SAS_EBUSY ? SAS_EIO : e;
    do
        e = vblk_wait(v, &got);
    while (e != SAS_EINVAL && got != id);
    return e == SAS_EINVAL ? SAS_EIO : e;
}
