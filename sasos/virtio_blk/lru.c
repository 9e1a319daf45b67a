/*
 * lru.c — the block cache's bookkeeping, no device and no IPC (host-tested in
 * tests/unit/test_blkcache.c): which entry holds a device page, which entry to reuse (a
 * free one, else the least recently used), and the order of use.
 *
 * Each page a request moves is looked up, and each miss takes a victim, so both must cost
 * the same however many frames there are: scanning 1,024 entries for them was most of the
 * driver's instructions (docs/BENCHMARKS.md). Two structures over the entries' indices,
 * fixed arrays in struct blk_cache (the driver is freestanding, no allocator):
 *   - a hash table: bucket[] (twice as many buckets as entries, so chains stay short)
 *     holds the first entry of each chain, chain[] the next. A page's bucket is a
 *     Fibonacci hash (the page times 2^64 / phi, the top bits), not its low bits, which
 *     would put every page of a stride of 2,048 pages in one bucket. Removal walks the
 *     page's chain.
 *   - the use list, a ring doubly linked through older[] and newer[], whose head (an
 *     extra node, BLK_CACHE_USE_HEAD) has the most recently used entry on one side and the
 *     least on the other: a use moves the entry next to the head on the recent side, a
 *     removal on the other, so that the entry there is always the one to reuse: a free one
 *     while there is any, else the least recently used. (The head spares every link and
 *     unlink a test for the list's ends.)
 * The list holds every entry, free or not, from cache_init on, and tag[] (0: free) says
 * which is which. So a lookup, a victim, an insertion or a removal takes a few steps
 * whatever npages is (a chain's length, short, for the ones that walk one), and the LRU
 * stays exact.
 */
#include "virtio_blk.h"

#define NIL  BLK_CACHE_NIL
#define HEAD BLK_CACHE_USE_HEAD

unsigned cache_bucket(uint64_t pg)
{
    return (unsigned)((pg * 0x9e3779b97f4a7c15ull) >> (64 - BLK_CACHE_HASH_LOG2));
}

/* Takes entry i out of the use list. */
static void unlink_use(struct blk_cache *c, unsigned i)
{
    c->newer[c->older[i]] = c->newer[i];
    c->older[c->newer[i]] = c->older[i];
}

/* Puts entry i (out of the use list) between the neighbours n (newer) and o (older). */
static void link_use(struct blk_cache *c, unsigned i, unsigned n, unsigned o)
{
    c->newer[i] = (uint16_t)n;
    c->older[i] = (uint16_t)o;
    c->older[n] = (uint16_t)i;
    c->newer[o] = (uint16_t)i;
}

void cache_init(struct blk_cache *c, unsigned npages)
{
    c->npages = npages < BLK_CACHE_MAX_PAGES ? npages : (unsigned)BLK_CACHE_MAX_PAGES;
    for (unsigned b = 0; b < BLK_CACHE_BUCKETS; b++)
        c->bucket[b] = NIL;
    for (unsigned i = 0; i < BLK_CACHE_MAX_PAGES; i++)
        c->tag[i] = 0, c->dirty[i] = c->listed[i] = 0;
    c->nlisted = c->ndirty = 0;                     /* nothing to write back: writeback.c */
    c->wb_error = SAS_OK;
    c->older[HEAD] = c->newer[HEAD] = HEAD;
    /* Entry 0 the least recently used: a fresh cache fills its frames in address order. */
    for (unsigned i = 0; i < c->npages; i++)
        link_use(c, i, HEAD, c->older[HEAD]);
}

int cache_lookup(const struct blk_cache *c, uint64_t pg)
{
    for (unsigned i = c->bucket[cache_bucket(pg)]; i != NIL; i = c->chain[i])
        if (c->tag[i] == pg + 1)
            return (int)i;
    return -1;
}

unsigned cache_victim(const struct blk_cache *c)
{
    unsigned lru = c->newer[HEAD];
    return lru == HEAD ? 0 : lru;
}

void cache_insert(struct blk_cache *c, unsigned i, uint64_t pg)
{
    unsigned b = cache_bucket(pg);
    cache_remove(c, i);
    c->tag[i] = pg + 1;
    c->chain[i] = c->bucket[b];
    c->bucket[b] = (uint16_t)i;
    cache_touch(c, i);
}

void cache_remove(struct blk_cache *c, unsigned i)
{
    if (!c->tag[i])
        return;
    uint16_t *p = &c->bucket[cache_bucket(c->tag[i] - 1)];
    while (*p != i)
        p = &c->chain[*p];
    *p = c->chain[i];
    c->tag[i] = 0;
    unlink_use(c, i);
    link_use(c, i, c->newer[HEAD], HEAD);
}

void cache_touch(struct blk_cache *c, unsigned i)
{
    if (!c->tag[i] || c->older[HEAD] == i)
        return;
    unlink_use(c, i);
    link_use(c, i, HEAD, c->older[HEAD]);
}
