/*
 * writeback.c — the block cache's dirty pages: which frames hold bytes the device does not
 * have yet, and writing them back. A write through the cache (cache_write) only updates the
 * frame and marks it dirty; the bytes go to the device in one write-back of every dirty
 * page, when
 *   - a client asks for durability (BLK_FLUSH: cache_writeback, then the device's flush),
 *   - the page is chosen to make room (cache.c's make_room: cache_clean),
 *   - a raw BLK_READ or BLK_WRITE touches it (ops.c: cache_clean_range), or
 *   - more than half the cache's pages are dirty (cache_write: cache_clean),
 * so that the pages LMDB writes between two fdatasyncs reach the device in as few
 * requests as their runs and the device's limits allow (runs.c: runs of consecutive pages;
 * dma.c: as many of a run's pages as one request's descriptors hold), as Linux's page
 * cache does, not in one request per write call.
 *
 * A write-back submits its requests while the queue has room, then waits for each; it
 * returns only when every one has completed, so whatever the driver does next (above all
 * the device's flush, which covers only writes completed before it is submitted: virtio
 * orders nothing between requests in flight) comes after them. A page whose request fails
 * is dropped (its frame no longer says what the device holds), and the error is the
 * write-back's; one met on the cache's own behalf (cache_clean) is kept for the next
 * BLK_FLUSH to report, since the write it loses was acknowledged long before.
 *
 * The device is reached through vblk_submit and vblk_wait (virtio_blk.h), so this file is
 * host-tested with a fake of them (tests/unit/test_blkcache.c).
 */
#include "virtio_blk.h"

#define SECTORS_PER_PAGE (BLK_PAGE / BLK_SECTOR)

static uint8_t *frame(struct blk_cache *c, unsigned i) { return c->frames + (uint64_t)i * BLK_PAGE; }

void cache_dirty(struct blk_cache *c, unsigned i)
{
    if (!c->dirty[i]) {
        c->dirty[i] = 1;
        c->ndirty++;
    }
    if (!c->listed[i]) {
        c->listed[i] = 1;
        c->dirty_list[c->nlisted++] = (uint16_t)i;
    }
}

void cache_clean_entry(struct blk_cache *c, unsigned i)
{
    if (c->dirty[i]) {
        c->dirty[i] = 0;
        c->ndirty--;
    }
}

/* The dirty entries into out (the list emptied: entries dropped since are skipped). */
static unsigned collect(struct blk_cache *c, uint16_t *out)
{
    unsigned n = 0;
    for (unsigned k = 0; k < c->nlisted; k++) {
        unsigned i = c->dirty_list[k];
        c->listed[i] = 0;
        if (c->dirty[i])
            out[n++] = (uint16_t)i;
    }
    c->nlisted = 0;
    return n;
}

/* The request for as many of entries idx[0..n) (consecutive pages) as the device takes in
 * one, each frame a segment: *n becomes how many (1 if it refuses even the first). */
static enum sas_error submit_run(struct blk_server *s, const uint16_t *idx, unsigned *n,
                                 unsigned *id)
{
    static struct vblk_seg seg[BLK_CACHE_MAX_PAGES];   /* one thread: too big for the stack */
    for (unsigned k = 0; k < *n; k++)
        seg[k] = (struct vblk_seg){ frame(&s->cache, idx[k]), BLK_PAGE };
    uint64_t pg = s->cache.tag[idx[0]] - 1;
    enum sas_error e = vblk_submit(&s->dev, VIRTIO_BLK_T_OUT, pg * SECTORS_PER_PAGE, seg, n, id);
    if (e == SAS_EINVAL)
        *n = 1;
    return e;
}

/* A run's request is over: its pages clean, or dropped if it failed. */
static void finish(struct blk_cache *c, const uint16_t *idx, unsigned n, enum sas_error e)
{
    for (unsigned k = 0; k < n; k++) {
        if (e)
            cache_drop(c, idx[k]);
        else
            cache_clean_entry(c, idx[k]);
    }
}

/* Where each request in flight starts in the sorted entries, and how many it has. */
struct wb_inflight {
    unsigned first, n, live;
};

/* Submits the runs of order[0..n) (sorted) and waits for them all; the first error. Every
 * page is finished, written or dropped, before it returns: none stays dirty unlisted. */
static enum sas_error write_runs(struct blk_server *s, const uint16_t *order, unsigned n)
{
    struct wb_inflight fly[VBLK_SLOTS] = { { 0, 0, 0 } };
    unsigned next = 0, busy = 0, id;
    enum sas_error err = SAS_OK, e;
    while (next < n || busy) {
        if (next < n) {
            unsigned take = runs_take(order + next, n - next, s->cache.tag, n);
            e = submit_run(s, order + next, &take, &id);
            if (!e) {
                fly[id] = (struct wb_inflight){ next, take, 1 };
                busy++, next += take;
                continue;
            }
            if (e != SAS_EBUSY || !busy) {          /* refused, or no room ever */
                finish(&s->cache, order + next, take, SAS_EIO);
                err = SAS_EIO;
                next += take;
                continue;
            }
        }
        e = vblk_wait(&s->dev, &id);                /* room, or the end: one completes */
        if (e == SAS_EINVAL) {                      /* none in flight: cannot happen */
            for (id = 0; id < VBLK_SLOTS; id++)
                if (fly[id].live)
                    finish(&s->cache, order + fly[id].first, fly[id].n, SAS_EIO);
            finish(&s->cache, order + next, n - next, SAS_EIO);
            return SAS_EIO;
        }
        finish(&s->cache, order + fly[id].first, fly[id].n, e);
        fly[id].live = 0;
        err = err ? err : e ? SAS_EIO : SAS_OK;
        busy--;
    }
    return err;
}

enum sas_error cache_writeback(struct blk_server *s)
{
    static uint16_t order[BLK_CACHE_MAX_PAGES], tmp[BLK_CACHE_MAX_PAGES];
    struct blk_cache *c = &s->cache;
    unsigned n = collect(c, order);
    if (!n)
        return SAS_OK;
    runs_sort(order, tmp, n, c->tag);
    c->writebacks++;
    return write_runs(s, order, n);
}

void cache_clean(struct blk_server *s)
{
    enum sas_error e = cache_writeback(s);
    if (e && !s->cache.wb_error)
        s->cache.wb_error = e;
}

void cache_clean_range(struct blk_server *s, uint64_t off, uint64_t len)
{
    for (uint64_t pg = off / BLK_PAGE; len && pg <= (off + len - 1) / BLK_PAGE; pg++) {
        int i = cache_lookup(&s->cache, pg);
        if (i >= 0 && s->cache.dirty[i]) {
            cache_clean(s);
            return;
        }
    }
}

enum sas_error cache_take_error(struct blk_cache *c)
{
    enum sas_error e = c->wb_error;
    c->wb_error = SAS_OK;
    return e;
}
