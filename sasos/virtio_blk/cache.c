/*
 * cache.c — the block cache: frames (DMA memory at SAS_BLK_CACHE_ADDR) holding 4 KiB pages
 * of the device, through which clients read and write bytes and map pages read-only
 * (sas/proto/blk.h: BLK_CACHE_*). Write-through: a write updates the cached frame and is
 * written to the device before the reply, so no page is ever dirty and any may be dropped;
 * the least recently used one is (an exact LRU by a use counter). Before a frame is
 * reused, its mappings in clients are taken back (fpage_unmap), so every view of a page
 * always maps the one frame that holds it. The bookkeeping (lookup, LRU) is lru.c. The
 * device (vblk_do) and the unmap (vblk_unmap_frame) are reached through virtio_blk.h only,
 * so this file is host-tested with a fake of each (tests/unit/test_blkcache.c).
 */
#include "virtio_blk.h"
#include <sas/layout.h>

#define SECTORS_PER_PAGE (BLK_PAGE / BLK_SECTOR)

static uint8_t *frame(struct blk_cache *c, unsigned i) { return c->frames + (uint64_t)i * BLK_PAGE; }

/* Forgets entry i, taking its frame back from every client that maps it. */
static void cache_drop(struct blk_cache *c, unsigned i)
{
    if (!c->tag[i])
        return;
    vblk_unmap_frame((uint64_t)frame(c, i));
    c->tag[i] = 0;
}

/* The entry holding device page pg, read from the device on a miss if `fill`. */
static enum sas_error cache_get(struct blk_server *s, uint64_t pg, int fill, unsigned *out)
{
    struct blk_cache *c = &s->cache;
    int i = cache_lookup(c, pg);
    if (i < 0) {
        i = (int)cache_victim(c);
        /* Counted here, not in cache_drop: BLK_INFO's evictions are pages dropped to make
         * room, which a failed write's drop is not. */
        c->evictions += c->tag[i] != 0;
        cache_drop(c, (unsigned)i);
        c->misses++;
        if (fill) {
            enum sas_error e = vblk_do(&s->dev, VIRTIO_BLK_T_IN, pg * SECTORS_PER_PAGE,
                                       frame(c, (unsigned)i), BLK_PAGE);
            if (e)
                return e;
        }
        c->tag[i] = pg + 1;
    } else {
        c->hits++;
    }
    cache_touch(c, (unsigned)i);
    *out = (unsigned)i;
    return SAS_OK;
}

uint64_t cache_bytes(const struct blk_server *s)
{
    /* No frames (root gave no cache memory): serve nothing, or the first request would
     * hand the device an address outside the DMA memory. */
    if (!s->cache.npages)
        return 0;
    return s->dev.sectors / SECTORS_PER_PAGE * BLK_PAGE;
}

enum sas_error cache_read(struct blk_server *s, uint64_t off, uint64_t len, uint8_t *buf)
{
    while (len) {
        uint64_t pg = off / BLK_PAGE, in = off % BLK_PAGE;
        uint64_t n = BLK_PAGE - in < len ? BLK_PAGE - in : len;
        unsigned i;
        enum sas_error e = cache_get(s, pg, 1, &i);
        if (e)
            return e;
        __builtin_memcpy(buf, frame(&s->cache, i) + in, n);
        off += n, buf += n, len -= n;
    }
    return SAS_OK;
}

enum sas_error cache_write(struct blk_server *s, uint64_t off, uint64_t len, const uint8_t *buf)
{
    while (len) {
        uint64_t pg = off / BLK_PAGE, in = off % BLK_PAGE;
        uint64_t n = BLK_PAGE - in < len ? BLK_PAGE - in : len;
        unsigned i;
        enum sas_error e = cache_get(s, pg, n < BLK_PAGE, &i);
        if (e)
            return e;
        __builtin_memcpy(frame(&s->cache, i) + in, buf, n);
        e = vblk_do(&s->dev, VIRTIO_BLK_T_OUT, pg * SECTORS_PER_PAGE, frame(&s->cache, i),
                    BLK_PAGE);
        if (e) {
            cache_drop(&s->cache, i);      /* the frame no longer says what the device holds */
            return e;
        }
        off += n, buf += n, len -= n;
    }
    return SAS_OK;
}

enum sas_error cache_map(struct blk_server *s, uint64_t off, uint64_t *va)
{
    unsigned i;
    enum sas_error e = cache_get(s, off / BLK_PAGE, 1, &i);
    if (!e)
        *va = (uint64_t)frame(&s->cache, i);
    return e;
}
