/*
 * cache.c — the block cache: frames (DMA memory at SAS_BLK_CACHE_ADDR) holding 4 KiB pages
 * of the device, through which clients read and write bytes and map pages read-only
 * (sas/proto/blk.h: BLK_CACHE_*). Write-back: a write updates the cached frame and marks
 * it dirty; writeback.c writes the dirty pages to the device at a flush, when one of them
 * is to be dropped, before a raw request touches one, or when too many are dirty. The
 * page to drop is the least recently used one (an exact LRU of our requests, where a page
 * a client maps and has touched since gets a second chance: pick_victim). Before a frame
 * is reused, its mappings in clients are taken back (fpage_unmap), so every view of a page
 * always maps the one frame that holds it. The bookkeeping (lookup, LRU) is lru.c's, and
 * every entry's page is set and cleared through it (cache_insert, cache_remove) to keep its
 * hash right. The device (vblk_dov) and the unmap (vblk_unmap_frame) are reached through
 * virtio_blk.h only, so this file is host-tested with a fake of each
 * (tests/unit/test_blkcache.c).
 */
#include "virtio_blk.h"
#include <sas/layout.h>

#define SECTORS_PER_PAGE (BLK_PAGE / BLK_SECTOR)

#define SECOND_CHANCES 8u    /* mapped pages passed over at most, a miss */
#define READ_AHEAD_MAX (BLK_BUF_SIZE / BLK_PAGE)   /* pages a mapped scan reads at once */

static uint8_t *frame(struct blk_cache *c, unsigned i) { return c->frames + (uint64_t)i * BLK_PAGE; }

/*
 * The entry to reuse on a miss: the least recently used, except that the pages of a
 * read-ahead being filled (pinned) are passed over, and that a page a client maps and has touched
 * since we last looked (its accessed bit) moves to the recent end instead: accesses
 * through a mapping never reach us, so without it LMDB's hottest pages - the tree's root
 * and branches, only ever read through its map - would be the first dropped. At most
 * SECOND_CHANCES such pages a miss, so a cache of busy pages still evicts in bounded time.
 */
static unsigned pick_victim(struct blk_cache *c)
{
    unsigned chances = SECOND_CHANCES;
    for (;;) {
        unsigned i = cache_victim(c);
        if (c->tag[i] && c->pinned[i]) {
            cache_touch(c, i);          /* ra_max leaves one entry that is not pinned */
            continue;
        }
        if (!c->tag[i] || !c->mapped[i] || !chances || !vblk_frame_accessed((uint64_t)frame(c, i)))
            return i;
        chances--;
        c->second_chances++;
        cache_touch(c, i);
    }
}

void cache_drop(struct blk_cache *c, unsigned i)
{
    if (!c->tag[i])
        return;
    vblk_unmap_frame((uint64_t)frame(c, i));
    cache_clean_entry(c, i);
    cache_remove(c, i);
    c->mapped[i] = 0;
}

/* A free entry for a page about to be cached: pick_victim's, emptied. A dirty victim is
 * written back first, and every other dirty page with it: one write-back of all of them
 * costs fewer requests than one for each victim as its turn comes. */
static unsigned make_room(struct blk_server *s)
{
    struct blk_cache *c = &s->cache;
    unsigned i = pick_victim(c);
    if (c->dirty[i])
        cache_clean(s);
    /* Counted here, not in cache_drop: BLK_INFO's evictions are pages dropped to make
     * room, which a failed write's drop is not. */
    c->evictions += c->tag[i] != 0;
    cache_drop(c, i);
    return i;
}

/* The entry holding device page pg, read from the device on a miss if `fill`. */
static enum sas_error cache_get(struct blk_server *s, uint64_t pg, int fill, unsigned *out)
{
    struct blk_cache *c = &s->cache;
    int i = cache_lookup(c, pg);
    if (i < 0) {
        i = (int)make_room(s);
        c->misses++;
        if (fill) {
            enum sas_error e = vblk_do(&s->dev, VIRTIO_BLK_T_IN, pg * SECTORS_PER_PAGE,
                                       frame(c, (unsigned)i), BLK_PAGE);
            if (e)
                return e;
        }
        cache_insert(c, (unsigned)i, pg);
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

/* Pages one read-ahead may carry: READ_AHEAD_MAX, no more than a request takes, and
 * fewer than the cache has frames, so that taking the next page never evicts one of the
 * read-ahead (they are pinned, and pick_victim needs one entry that is not). */
static unsigned ra_max(const struct blk_server *s)
{
    unsigned n = vblk_max_pages(&s->dev), room = s->cache.npages - 1;
    n = n < READ_AHEAD_MAX ? n : READ_AHEAD_MAX;
    n = n < room ? n : room;
    return n ? n : 1;
}

/* One read of the frames of entries idx[0..n) (pinned, consecutive device pages from
 * pg). Then they are unpinned, and after an error dropped: their frames hold nothing. */
static enum sas_error read_run(struct blk_server *s, uint64_t pg, const unsigned *idx,
                               unsigned n)
{
    struct vblk_seg seg[READ_AHEAD_MAX] = { { 0, 0 } };
    for (unsigned k = 0; k < n; k++)
        seg[k] = (struct vblk_seg){ frame(&s->cache, idx[k]), BLK_PAGE };
    enum sas_error e = vblk_dov(&s->dev, VIRTIO_BLK_T_IN, pg * SECTORS_PER_PAGE, seg, n);
    for (unsigned k = 0; k < n; k++) {
        s->cache.pinned[idx[k]] = 0;
        if (e)
            cache_drop(&s->cache, idx[k]);
    }
    return e;
}

/* Into the cached pages, each marked dirty (writeback.c takes them to the device). A page
 * only partly written is read in first, and a failure to is the write's: the pages before
 * it keep the new bytes (as a failed write(2) may leave a file). */
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
        cache_dirty(&s->cache, i);
        off += n, buf += n, len -= n;
    }
    /* Bounded: the bytes at risk before a flush, and the write-back a miss may meet. */
    if (s->cache.ndirty > s->cache.npages / 2)
        cache_clean(s);
    return SAS_OK;
}

/*
 * Read-ahead for mapped scans. Reads go through cache_read's copy, but LMDB reads its map:
 * one fault, one request, one page. A map miss on the page after the last map miss reads
 * twice as many pages as that miss did (2, 4, .. up to ra_max), in one request; any
 * other miss reads one. The window stops short of a cached page and of the device's end.
 */
static unsigned read_window(struct blk_server *s, uint64_t pg)
{
    struct blk_cache *c = &s->cache;
    uint64_t pages = cache_bytes(s) / BLK_PAGE;
    unsigned want = pg == c->ra_next ? 2 * c->ra_window : 1, max = ra_max(s), n = 1;
    want = want < max ? want : max;
    while (n < want && pg + n < pages && cache_lookup(c, pg + n) < 0)
        n++;
    c->ra_next = pg + n;
    c->ra_window = n;
    return n;
}

/* Pages [pg, pg + n), none cached, into n entries by one request; *out is pg's. Each is
 * inserted and pinned before the read, so that taking the next victim cannot take it. On
 * an error none stays cached (the caller reads pg alone: the error may be another's). */
static enum sas_error read_ahead(struct blk_server *s, uint64_t pg, unsigned n, unsigned *out)
{
    struct blk_cache *c = &s->cache;
    unsigned idx[READ_AHEAD_MAX];
    for (unsigned k = 0; k < n; k++) {
        idx[k] = make_room(s);
        cache_insert(c, idx[k], pg + k);
        c->pinned[idx[k]] = 1;
    }
    enum sas_error e = read_run(s, pg, idx, n);
    if (e)
        return e;
    c->misses++;
    c->read_ahead += n - 1;
    *out = idx[0];
    return SAS_OK;
}

enum sas_error cache_map(struct blk_server *s, uint64_t off, uint64_t *va)
{
    uint64_t pg = off / BLK_PAGE;
    unsigned i, n = cache_lookup(&s->cache, pg) < 0 ? read_window(s, pg) : 1;
    enum sas_error e = n > 1 ? read_ahead(s, pg, n, &i) : SAS_EIO;
    if (n == 1 || e)
        e = cache_get(s, pg, 1, &i);
    if (!e) {
        *va = (uint64_t)frame(&s->cache, i);
        s->cache.mapped[i] = 1;
    }
    return e;
}

void cache_written_around(struct blk_server *s, uint64_t off, uint64_t len, const uint8_t *buf)
{
    struct blk_cache *c = &s->cache;
    for (uint64_t end = off + len; off < end;) {
        uint64_t pg = off / BLK_PAGE, in = off % BLK_PAGE;
        uint64_t n = BLK_PAGE - in < end - off ? BLK_PAGE - in : end - off;
        int i = cache_lookup(c, pg);
        if (i >= 0 && buf)
            __builtin_memcpy(frame(c, (unsigned)i) + in, buf, n);
        else if (i >= 0)
            cache_drop(c, (unsigned)i);
        off += n, buf = buf ? buf + n : 0;
    }
}
