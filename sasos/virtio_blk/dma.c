/*
 * dma.c — the driver's DMA memory as the device sees it: physical addresses, and a
 * request's segments turned into descriptors within the device's limits (virtio.c reads
 * them from its configuration: seg_max descriptors a request, size_max bytes each). No
 * ports and no IPC, so it is host-tested (tests/unit/test_blkdma.c).
 *
 * Segments that follow each other in physical memory share a descriptor: the cache's
 * frames come in 4 MiB pieces, physically contiguous, and a page's neighbour on the device
 * is often its neighbour in the piece (a fresh cache fills its frames in order), so a
 * request may carry more pages than seg_max. vblk_descs says how many: the write-back
 * makes each request as long as the device takes, not as long as seg_max pages.
 */
#include "virtio_blk.h"

int vblk_add_dma(struct vblk *v, uint8_t *va, uint64_t phys, uint64_t size)
{
    for (unsigned i = 0; i < VBLK_MORE_DMA; i++)
        if (!v->more[i].size) {
            v->more[i] = (struct vblk_dma){ va, phys, size };
            return 0;
        }
    return -1;
}

/* The DMA memory first (every request's header and status are there), then the range
 * last found: a request's pages are mostly in one piece. */
uint64_t vblk_phys(struct vblk *v, const volatile void *p)
{
    const volatile uint8_t *b = p;
    if (b >= v->dma && b < v->dma + BLK_BUF_WINDOW)
        return v->dma_phys + (uint64_t)(b - v->dma);
    const struct vblk_dma *m = &v->more[v->more_hint];
    if (b >= m->va && b < m->va + m->size)
        return m->phys + (uint64_t)(b - m->va);
    for (unsigned i = 0; i < VBLK_MORE_DMA; i++)
        if (b >= v->more[i].va && b < v->more[i].va + v->more[i].size) {
            v->more_hint = i;
            return v->more[i].phys + (uint64_t)(b - v->more[i].va);
        }
    return v->dma_phys + (uint64_t)(b - v->dma);
}

/* The most bytes one descriptor carries: size_max, else 2 GiB (its length field holds 4). */
static uint32_t desc_cap(const struct vblk *v)
{
    return v->seg_bytes ? v->seg_bytes : 0x80000000u;
}

/* Adds segment s to the descriptors b[0..*nb): joined to the last if it follows it in
 * physical memory, cut at the cap. 0, or -1 if it needs more than max (then b is of no
 * use: both callers give up on it). */
static int add_seg(struct vblk *v, const struct vblk_seg *s, struct vring_buf *b,
                   unsigned *nb, unsigned max, uint16_t dev_writes)
{
    uint32_t cap = desc_cap(v);
    unsigned n = *nb;
    uint64_t p = vblk_phys(v, s->buf);
    for (uint32_t left = s->len; left;) {
        if (n && b[n - 1].phys + b[n - 1].len == p && b[n - 1].len < cap) {
            uint32_t more = cap - b[n - 1].len < left ? cap - b[n - 1].len : left;
            b[n - 1].len += more, p += more, left -= more;
            continue;
        }
        if (n == max)
            return -1;
        uint32_t len = left < cap ? left : cap;
        b[n++] = (struct vring_buf){ p, len, dev_writes };
        p += len, left -= len;
    }
    *nb = n;
    return 0;
}

unsigned vblk_descs(struct vblk *v, const struct vblk_seg *seg, unsigned n,
                    struct vring_buf *b, uint16_t dev_writes, unsigned *took)
{
    unsigned nb = 0, k = 0, prev = 0;
    while (k < n && !add_seg(v, &seg[k], b, &nb, v->max_segs, dev_writes)) {
        prev = nb;
        k++;
    }
    *took = k;
    return prev;
}
