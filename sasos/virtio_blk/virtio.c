/*
 * virtio.c — a legacy virtio-blk device (I/O BAR 0) with one virtqueue, one request in
 * flight at a time. The DMA memory (1 MiB from sigma0, through root) is laid out as
 *   [0, VQ_BYTES)            the virtqueue: descriptors, available ring, used ring
 *   [HDR_OFF, HDR_OFF + 17)  the request header (16 bytes) and its status byte
 *   [BLK_BUF_SIZE * (i+1))   client i's buffer (sas/proto/blk.h); slot 0 is unused
 * and the cache's frames are more DMA memory (vblk_add_dma). Each request is a chain
 * header -> data segments -> status (a flush has none; a write of several cache pages has
 * one segment a frame, as the frames are not contiguous); completion is seen in the used ring,
 * woken by the interrupt, with a polling fallback so a lost interrupt only costs time.
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
#define F_SEG_MAX     (1u << 2)      /* seg_max in the configuration */
#define F_FLUSH       (1u << 9)      /* VIRTIO_BLK_F_FLUSH (legacy: F_WCE) */
#define CFG_SEG_MAX   12u            /* after capacity (8 bytes) and size_max (4) */
#define DESC_NEXT     1u
#define DESC_WRITE    2u             /* the device writes this buffer */
#define VQ_ALIGN      4096u
#define VQ_BYTES      0x8000u        /* room for up to VQ_MAX entries */
#define VQ_MAX        1024u
#define HDR_OFF       VQ_BYTES
#define S_OK          0u
#define S_UNSUPP      2u
#define WAIT_MAX      500u           /* waits of ~20 ms (main.c) before a request is given up */

struct vq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};
struct blk_hdr {
    uint32_t type, reserved;
    uint64_t sector;
};
_Static_assert(sizeof(struct vq_desc) == 16 && sizeof(struct blk_hdr) == 16, "virtio layouts");

static uint32_t used_off(unsigned n)
{
    return (16 * n + 6 + 2 * n + VQ_ALIGN - 1) & ~(VQ_ALIGN - 1);
}
static volatile struct vq_desc *desc(struct vblk *v) { return (volatile struct vq_desc *)v->dma; }
static volatile uint16_t *avail(struct vblk *v) { return (volatile uint16_t *)(v->dma + 16 * v->qsize); }
static volatile uint16_t *used(struct vblk *v) { return (volatile uint16_t *)(v->dma + used_off(v->qsize)); }
static uint64_t phys(struct vblk *v, const void *p)
{
    const uint8_t *b = p;
    for (unsigned i = 0; i < VBLK_MORE_DMA; i++)
        if (b >= v->more[i].va && b < v->more[i].va + v->more[i].size)
            return v->more[i].phys + (uint64_t)(b - v->more[i].va);
    return v->dma_phys + (uint64_t)(b - v->dma);
}

int vblk_add_dma(struct vblk *v, uint8_t *va, uint64_t phys, uint64_t size)
{
    for (unsigned i = 0; i < VBLK_MORE_DMA; i++)
        if (!v->more[i].size) {
            v->more[i] = (struct vblk_dma){ va, phys, size };
            return 0;
        }
    return -1;
}

unsigned vblk_isr(struct vblk *v) { return inb(v->io + REG_ISR); }

enum sas_error vblk_init(struct vblk *v, uint16_t io, uint8_t *dma, uint64_t dma_phys)
{
    *v = (struct vblk){ .io = io, .dma = dma, .dma_phys = dma_phys };
    outb(io + REG_STATUS, 0);                         /* reset */
    outb(io + REG_STATUS, ST_ACK);
    outb(io + REG_STATUS, ST_ACK | ST_DRIVER);
    uint32_t feat = inl(io + REG_DEVFEAT) & (F_FLUSH | F_SEG_MAX);
    outl(io + REG_DRVFEAT, feat);
    outw(io + REG_QSEL, 0);
    v->qsize = inw(io + REG_QSIZE);
    if (!v->qsize || v->qsize > VQ_MAX || used_off(v->qsize) + 6 + 8u * v->qsize > VQ_BYTES) {
        printf("virtio_blk: queue 0 has %u entries: unusable\n", v->qsize);
        outb(io + REG_STATUS, ST_FAILED);
        return SAS_EIO;
    }
    outl(io + REG_QPFN, (uint32_t)(dma_phys >> 12));
    v->sectors = inl(io + REG_CONFIG) | (uint64_t)inl(io + REG_CONFIG + 4) << 32;
    v->flags = feat & F_FLUSH ? BLK_INFO_FLUSH : 0;
    /* Segments a request may have: ours, the queue's (header and status take two
     * descriptors) and, if it says, the device's. */
    uint32_t segs = feat & F_SEG_MAX ? inl(io + REG_CONFIG + CFG_SEG_MAX) : VBLK_MAX_SEGS;
    segs = segs < VBLK_MAX_SEGS ? segs : VBLK_MAX_SEGS;
    segs = segs < v->qsize - 2u ? segs : v->qsize - 2u;
    v->max_segs = segs ? segs : 1;
    outb(io + REG_STATUS, ST_ACK | ST_DRIVER | ST_DRIVER_OK);
    return SAS_OK;
}

/* Queues the chain starting at descriptor 0 and tells the device. */
static void submit(struct vblk *v)
{
    volatile uint16_t *a = avail(v);
    a[2 + v->avail_idx % v->qsize] = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    a[1] = ++v->avail_idx;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    outw(v->io + REG_QNOTIFY, 0);
}

/* Waits until the device has used the chain; 0, or -1 if it never does. */
static int complete(struct vblk *v)
{
    for (unsigned i = 0; i < WAIT_MAX; i++) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (used(v)[1] != v->used_seen) {
            v->used_seen++;
            return 0;
        }
        vblk_wait_irq();
        vblk_isr(v);                                  /* lowers the (level) line */
    }
    return -1;
}

enum sas_error vblk_dov(struct vblk *v, uint32_t type, uint64_t sector,
                        const struct vblk_seg *seg, unsigned n)
{
    struct blk_hdr *h = (struct blk_hdr *)(v->dma + HDR_OFF);
    volatile uint8_t *status = v->dma + HDR_OFF + sizeof(*h);
    volatile struct vq_desc *d = desc(v);
    uint16_t in = type == VIRTIO_BLK_T_IN ? DESC_WRITE : 0;
    uint64_t len = 0;
    if (n > v->max_segs)
        return SAS_EINVAL;
    *h = (struct blk_hdr){ type, 0, sector };
    *status = 0xff;
    d[0] = (struct vq_desc){ phys(v, h), sizeof(*h), DESC_NEXT, 1 };
    for (unsigned i = 0; i < n; i++) {
        d[1 + i] = (struct vq_desc){ phys(v, seg[i].buf), seg[i].len, DESC_NEXT | in,
                                     (uint16_t)(2 + i) };
        len += seg[i].len;
    }
    d[1 + n] = (struct vq_desc){ phys(v, (const void *)status), 1, DESC_WRITE, 0 };
    submit(v);
    if (complete(v)) {
        printf("virtio_blk: request type %u at sector %lu never completed\n", type, sector);
        return SAS_EIO;
    }
    v->requests++;
    v->bytes += len;
    v->flushes += type == VIRTIO_BLK_T_FLUSH;
    return *status == S_OK ? SAS_OK : *status == S_UNSUPP ? SAS_ENOTSUP : SAS_EIO;
}
