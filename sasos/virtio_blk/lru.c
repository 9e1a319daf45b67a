/*
 * lru.c — the block cache's bookkeeping, no device and no IPC (host-tested in
 * tests/unit/test_blkcache.c): which entry holds a device page, which entry to reuse (a
 * free one, else the least recently used), and the use clock. Lookups scan the table: at
 * most BLK_CACHE_MAX_PAGES entries, a few instructions each, far below one IPC.
 */
#include "virtio_blk.h"

int cache_lookup(const struct blk_cache *c, uint64_t pg)
{
    for (unsigned i = 0; i < c->npages; i++)
        if (c->tag[i] == pg + 1)
            return (int)i;
    return -1;
}

unsigned cache_victim(const struct blk_cache *c)
{
    unsigned best = 0;
    for (unsigned i = 0; i < c->npages; i++) {
        if (!c->tag[i])
            return i;
        if (c->used[i] < c->used[best])
            best = i;
    }
    return best;
}

void cache_touch(struct blk_cache *c, unsigned i)
{
    c->used[i] = ++c->clock;
}
