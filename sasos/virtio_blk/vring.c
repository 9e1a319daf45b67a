/*
 * vring.c — one virtqueue in memory, in the legacy layout (virtio 1.x, "legacy interface:
 * virtqueue layout"): the descriptor table, the available ring, then the used ring at the
 * next VRING_ALIGN boundary. Only memory: no ports and no IPC (virtio.c tells the device),
 * so it is host-tested against a fake device that plays the other side of the rings
 * (tests/unit/test_blkring.c).
 *
 * Several chains may be in flight: the free descriptors form a list through their `next`
 * fields, a chain takes its descriptors from it when added and gives them back when the
 * device has used it, and the device may use chains in any order (a used element names the
 * chain by its head). chain_len[head] says how many descriptors to give back, and tells a
 * chain of ours from an element a broken device made up.
 */
#include "virtio_blk.h"

#define DESC_NEXT  1u
#define DESC_WRITE 2u               /* the device writes this buffer */

uint32_t vring_bytes(unsigned size)
{
    uint32_t avail_end = 16u * size + 6u + 2u * size;
    uint32_t used_off = (avail_end + VRING_ALIGN - 1) & ~(VRING_ALIGN - 1);
    return used_off + 6u + 8u * size;
}

void vring_init(struct vring *r, void *mem, unsigned size)
{
    uint8_t *m = mem;
    uint32_t used_off = (16u * size + 6u + 2u * size + VRING_ALIGN - 1) & ~(VRING_ALIGN - 1);
    __builtin_memset(mem, 0, vring_bytes(size));
    *r = (struct vring){ .desc = (volatile struct vring_desc *)m,
                         .avail = (volatile uint16_t *)(m + 16u * size),
                         .used = (volatile uint16_t *)(m + used_off),
                         .size = (uint16_t)size, .nfree = (uint16_t)size };
    for (unsigned i = 0; i + 1 < size; i++)
        r->desc[i].next = (uint16_t)(i + 1);
}

int vring_add(struct vring *r, const struct vring_buf *b, unsigned n)
{
    if (!n || n > r->nfree)
        return -1;
    unsigned head = r->free_head, i = head;
    for (unsigned k = 0; k < n; k++) {
        unsigned next = r->desc[i].next;        /* the free list's, or the chain's */
        uint16_t flags = (uint16_t)((b[k].device_writes ? DESC_WRITE : 0) |
                                    (k + 1 < n ? DESC_NEXT : 0));
        r->desc[i] = (struct vring_desc){ b[k].phys, b[k].len, flags, (uint16_t)next };
        if (k + 1 < n)
            i = next;
        else
            r->free_head = (uint16_t)next;
    }
    r->nfree = (uint16_t)(r->nfree - n);
    r->chain_len[head] = (uint16_t)n;
    /* The chain is whole before the device can see its head, and the head is in the ring
     * before the index that hands it over. */
    r->avail[2 + r->avail_idx % r->size] = (uint16_t)head;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    r->avail[1] = ++r->avail_idx;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return (int)head;
}

int vring_used(struct vring *r)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (r->used[1] == r->used_seen)
        return -1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* the element after the index that covers it */
    volatile uint32_t *elem = (volatile uint32_t *)(r->used + 2);
    uint32_t head = elem[2 * (r->used_seen % r->size)];
    r->used_seen++;
    if (head >= r->size || !r->chain_len[head])
        return -2;                              /* not a chain of ours: a broken device */
    /* Give the chain back: its descriptors, head first, go in front of the free list. */
    unsigned n = r->chain_len[head], last = head;
    for (unsigned k = 1; k < n; k++)
        last = r->desc[last].next;
    r->desc[last].next = r->free_head;
    r->free_head = (uint16_t)head;
    r->nfree = (uint16_t)(r->nfree + n);
    r->chain_len[head] = 0;
    return (int)head;
}
