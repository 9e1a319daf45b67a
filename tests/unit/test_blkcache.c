/*
 * test_blkcache.c — the block cache (sasos/virtio_blk): its bookkeeping (lru.c: lookup by
 * device page through a hash table, with pages made to share buckets; reuse of free
 * entries first, then of the least recently used one, checked against a linear-scan
 * reference over a long pseudo-random run; a cache of all BLK_CACHE_MAX_PAGES), the cache
 * itself (cache.c: hits and misses, writes that stay in the frames until written back,
 * read-modify-write of partial pages, LRU eviction that writes a dirty page back and takes
 * a frame back from every view before reusing it, and what a failed device request leaves
 * behind) and its write-back (writeback.c with runs.c: dirty pages merged into requests of
 * consecutive pages up to the device's limit, several in flight and completed in any
 * order, a failed request's pages dropped; and a long random run against a model of the
 * bytes). The cache runs against a fake device (an
 * in-memory disk with failure injection, a queue of configurable room completing first in
 * first out or last in first out) and a fake unmap; both log what they were asked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "virtio_blk.h"

static struct blk_cache *new_cache(unsigned n)
{
    struct blk_cache *c = calloc(1, sizeof(*c));
    cache_init(c, n);
    return c;
}

/* What cache_get does on a miss: take the victim for page pg. */
static unsigned fill(struct blk_cache *c, uint64_t pg)
{
    unsigned i = cache_victim(c);
    cache_remove(c, i);
    cache_insert(c, i, pg);
    cache_touch(c, i);
    return i;
}

/* n pages from `from` on whose bucket is page from's, in ascending order. */
static void colliding_pages(uint64_t from, uint64_t *pg, unsigned n)
{
    unsigned b = cache_bucket(from);
    for (uint64_t p = from; n; p++)
        if (cache_bucket(p) == b)
            *pg++ = p, n--;
}

/* Exactly pages pg[0..n) are cached, each in its own entry below npages. */
static void assert_caches_exactly(const struct blk_cache *c, const uint64_t *pg, unsigned n)
{
    unsigned used = 0;
    for (unsigned k = 0; k < n; k++) {
        int i = cache_lookup(c, pg[k]);
        if (i < 0 || (unsigned)i >= c->npages || c->tag[i] != pg[k] + 1)
            fail_msg("page %lu: entry %d", (unsigned long)pg[k], i);
    }
    for (unsigned i = 0; i < c->npages; i++)
        used += c->tag[i] != 0;
    assert_int_equal(used, n);
}

static void cache_lookup_finds_only_cached_pages(void **s)
{
    (void)s;
    struct blk_cache *c = new_cache(4);
    assert_int_equal(cache_lookup(c, 0), -1);
    unsigned i = fill(c, 0), j = fill(c, 7);
    assert_int_equal(cache_lookup(c, 0), (int)i);
    assert_int_equal(cache_lookup(c, 7), (int)j);
    assert_int_not_equal(i, j);
    assert_int_equal(cache_lookup(c, 1), -1);
    free(c);
}

static void cache_victim_prefers_free_entries(void **s)
{
    (void)s;
    struct blk_cache *c = new_cache(3);
    fill(c, 10);
    fill(c, 11);
    unsigned v = cache_victim(c);
    assert_int_equal(c->tag[v], 0);
    free(c);
}

/* A full cache with an entry removed reuses that entry, not the least recently used. */
static void cache_victim_prefers_a_removed_entry_to_evicting(void **s)
{
    (void)s;
    struct blk_cache *c = new_cache(3);
    unsigned a = fill(c, 1), b = fill(c, 2);
    fill(c, 3);
    cache_remove(c, b);
    assert_int_equal(cache_victim(c), b);
    assert_int_equal(c->tag[b], 0);
    assert_int_equal(cache_lookup(c, 2), -1);
    fill(c, 4);
    assert_int_equal(cache_victim(c), a);        /* full again: page 1 is the oldest */
    free(c);
}

static void cache_victim_is_least_recently_used(void **s)
{
    (void)s;
    struct blk_cache *c = new_cache(3);
    unsigned a = fill(c, 1), b = fill(c, 2), d = fill(c, 3);
    assert_int_equal(cache_victim(c), a);        /* page 1 is the oldest */
    cache_touch(c, a);                           /* ... until it is used again */
    assert_int_equal(cache_victim(c), b);
    cache_touch(c, b);
    assert_int_equal(cache_victim(c), d);
    free(c);
}

static void cache_refill_replaces_the_victims_page(void **s)
{
    (void)s;
    struct blk_cache *c = new_cache(2);
    fill(c, 5);
    fill(c, 6);
    unsigned i = fill(c, 9);                     /* page 5 goes */
    assert_int_equal(cache_lookup(c, 5), -1);
    assert_int_equal(cache_lookup(c, 9), (int)i);
    assert_int_not_equal(cache_lookup(c, 6), -1);
    free(c);
}

/* cache_init forgets every page, and the entries past its npages are never used. */
static void cache_init_forgets_pages_and_uses_only_npages_entries(void **s)
{
    (void)s;
    struct blk_cache *c = new_cache(8);
    for (uint64_t pg = 40; pg < 48; pg++)
        fill(c, pg);
    cache_init(c, 2);
    for (uint64_t pg = 40; pg < 48; pg++)
        assert_int_equal(cache_lookup(c, pg), -1);
    for (uint64_t pg = 0; pg < 10; pg++)
        assert_true(fill(c, pg) < 2);
    const uint64_t last[] = { 8, 9 };
    assert_caches_exactly(c, last, 2);
    free(c);
}

/* Pages in one bucket are each found in their own entry, and others of the bucket not. */
static void cache_lookup_tells_apart_pages_whose_buckets_collide(void **s)
{
    (void)s;
    enum { N = 48 };
    uint64_t pg[N + 1];
    struct blk_cache *c = new_cache(64);
    colliding_pages(12345, pg, N + 1);
    for (unsigned k = 0; k < N; k++)
        fill(c, pg[k]);
    assert_caches_exactly(c, pg, N);
    assert_int_equal(cache_lookup(c, pg[N]), -1);
    free(c);
}

/* Pages a bucket count apart (all in one bucket, were the hash the page's low bits). */
static void cache_lookup_finds_pages_a_bucket_count_apart(void **s)
{
    (void)s;
    enum { N = 64 };
    uint64_t pg[N];
    struct blk_cache *c = new_cache(N);
    for (unsigned k = 0; k < N; k++)
        fill(c, pg[k] = 3 + (uint64_t)k * BLK_CACHE_BUCKETS);
    assert_caches_exactly(c, pg, N);
    assert_int_equal(cache_lookup(c, 3 + (uint64_t)N * BLK_CACHE_BUCKETS), -1);
    free(c);
}

/* Pages pg[k] with present[k] are cached, the others not. */
static void assert_present(const struct blk_cache *c, const uint64_t *pg, const int *present,
                           unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        int i = cache_lookup(c, pg[k]);
        if (present[k] ? i < 0 || c->tag[i] != pg[k] + 1 : i >= 0)
            fail_msg("page %lu (%s): entry %d", (unsigned long)pg[k],
                     present[k] ? "cached" : "removed", i);
    }
}

/* Removing pages of one bucket's chain, its first, last and middle ones in turn, leaves
 * the others found and the removed ones not. */
static void cache_remove_in_a_collision_chain_keeps_the_others_found(void **s)
{
    (void)s;
    enum { N = 9 };
    uint64_t pg[N];
    int present[N];
    struct blk_cache *c = new_cache(16);
    colliding_pages(7, pg, N);
    for (unsigned k = 0; k < N; k++)
        fill(c, pg[k]), present[k] = 1;
    const unsigned order[N] = { 4, 0, N - 1, 5, 1, 7, 2, 6, 3 };
    for (unsigned r = 0; r < N; r++) {
        cache_remove(c, (unsigned)cache_lookup(c, pg[order[r]]));
        present[order[r]] = 0;
        assert_present(c, pg, present, N);
    }
    assert_int_equal(c->tag[cache_victim(c)], 0);
    free(c);
}

/* A page removed from the middle of a chain is found again once reinserted, in the entry
 * it left or in another; the page an insertion replaces is gone. */
static void cache_reinsert_after_remove_is_found_again(void **s)
{
    (void)s;
    enum { N = 8 };
    uint64_t pg[N + 1];
    int present[N + 1] = { 0 };
    struct blk_cache *c = new_cache(N);
    colliding_pages(99, pg, N + 1);
    for (unsigned k = 0; k < N; k++)
        fill(c, pg[k]), present[k] = 1;
    unsigned e = (unsigned)cache_lookup(c, pg[3]);
    cache_remove(c, e);
    present[3] = 0;
    assert_present(c, pg, present, N + 1);
    assert_int_equal(fill(c, pg[3]), e);         /* the free entry, not an eviction */
    present[3] = 1;
    assert_present(c, pg, present, N + 1);
    cache_remove(c, e);                          /* another page of the bucket in it */
    assert_int_equal(fill(c, pg[N]), e);
    present[3] = 0, present[N] = 1;
    assert_present(c, pg, present, N + 1);
    unsigned f = (unsigned)cache_lookup(c, pg[5]);
    cache_insert(c, f, pg[3]);                   /* in place of page pg[5] */
    present[3] = 1, present[5] = 0;
    assert_present(c, pg, present, N + 1);
    assert_int_equal(cache_lookup(c, pg[3]), (int)f);
    free(c);
}

/* The reference: the cached pages with their last use, searched linearly. */
#define REF_MAX 64u
struct ref {
    uint64_t page[REF_MAX], used[REF_MAX], clock;
    unsigned n;
};

static int ref_find(const struct ref *r, uint64_t pg)
{
    for (unsigned k = 0; k < r->n; k++)
        if (r->page[k] == pg)
            return (int)k;
    return -1;
}

static unsigned ref_oldest(const struct ref *r)
{
    unsigned o = 0;
    for (unsigned k = 1; k < r->n; k++)
        if (r->used[k] < r->used[o])
            o = k;
    return o;
}

static void ref_del(struct ref *r, unsigned k)
{
    r->n--;
    r->page[k] = r->page[r->n];
    r->used[k] = r->used[r->n];
}

/* One use of page pg, as cache_get makes it, checked against the reference: the same hit
 * or miss; on a miss, a free entry while the reference has room, else its oldest page's. */
static void use_as_the_reference_does(struct blk_cache *c, struct ref *r, uint64_t pg)
{
    int i = cache_lookup(c, pg), k = ref_find(r, pg);
    assert_int_equal(i >= 0, k >= 0);
    if (i >= 0) {
        cache_touch(c, (unsigned)i);
        r->used[k] = ++r->clock;
        return;
    }
    unsigned v = cache_victim(c);
    if (r->n < c->npages) {
        assert_int_equal(c->tag[v], 0);
    } else {
        unsigned o = ref_oldest(r);
        assert_int_equal(c->tag[v], r->page[o] + 1);
        ref_del(r, o);
    }
    cache_remove(c, v);
    cache_insert(c, v, pg);
    cache_touch(c, v);
    r->page[r->n] = pg;
    r->used[r->n++] = ++r->clock;
}

/* A long pseudo-random run of uses and removals over pages of which many share buckets
 * (one bucket, strides of the bucket count, the top of the page numbers): after each step
 * the cache holds the reference's pages; at the end new pages fill the free entries and
 * then evict every page of the run, oldest first. */
static void cache_lru_order_matches_a_reference_model(void **s)
{
    (void)s;
    enum { POOL = 160, STEPS = 20000 };
    uint64_t pool[POOL], x = 1;
    colliding_pages(1000, pool, 48);
    for (unsigned k = 0; k < 48; k++)
        pool[48 + k] = 5 + (uint64_t)k * BLK_CACHE_BUCKETS;
    for (unsigned k = 0; k < 56; k++)
        pool[96 + k] = 100 + k;
    for (unsigned k = 0; k < 8; k++)
        pool[152 + k] = UINT64_MAX - 1 - (uint64_t)k * BLK_CACHE_BUCKETS;
    struct blk_cache *c = new_cache(61);
    static struct ref r;
    memset(&r, 0, sizeof(r));
    for (unsigned step = 0; step < STEPS; step++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t pg = pool[(x >> 33) % POOL];
        int k = ref_find(&r, pg);
        if ((x >> 20) % 8 == 0 && k >= 0) {    /* a drop, as after a failed write */
            cache_remove(c, (unsigned)cache_lookup(c, pg));
            ref_del(&r, (unsigned)k);
        } else {
            use_as_the_reference_does(c, &r, pg);
        }
        assert_caches_exactly(c, r.page, r.n);
    }
    /* New pages: the free entries first, then every page of the run, oldest first. */
    for (uint64_t pg = 1ull << 40; pg < (1ull << 40) + 2 * c->npages; pg++)
        use_as_the_reference_does(c, &r, pg);
    assert_caches_exactly(c, r.page, r.n);
    free(c);
}

/* All BLK_CACHE_MAX_PAGES entries: filled free ones first, then evicted in order of last
 * use (the odd pages, used last before the even ones, go first). */
static void cache_of_max_pages_fills_then_evicts_in_order_of_use(void **s)
{
    (void)s;
    enum { N = BLK_CACHE_MAX_PAGES };
    static uint64_t pg[N];
    struct blk_cache *c = new_cache(N);
    assert_int_equal(c->npages, N);
    for (unsigned k = 0; k < N; k++) {
        assert_int_equal(c->tag[cache_victim(c)], 0);
        fill(c, pg[k] = k);
    }
    assert_caches_exactly(c, pg, N);
    assert_int_equal(cache_victim(c), (unsigned)cache_lookup(c, 0));
    for (unsigned k = 1; k < N; k += 2)
        cache_touch(c, (unsigned)cache_lookup(c, k));
    for (unsigned k = 0; k < N; k += 2)
        cache_touch(c, (unsigned)cache_lookup(c, k));
    for (unsigned k = 0; k < N; k++) {
        uint64_t oldest = k < N / 2 ? 2 * k + 1 : 2 * (k - N / 2);
        assert_int_equal(c->tag[cache_victim(c)], oldest + 1);
        fill(c, pg[k] = N + k);
    }
    assert_caches_exactly(c, pg, N);
    free(c);
}

/* All BLK_CACHE_MAX_PAGES entries holding pages of one bucket: one chain of them all,
 * through which every third is removed and reinserted. */
static void cache_of_max_pages_in_one_bucket_finds_every_page(void **s)
{
    (void)s;
    enum { N = BLK_CACHE_MAX_PAGES };
    static uint64_t pg[N];
    static int present[N];
    struct blk_cache *c = new_cache(N);
    colliding_pages(0, pg, N);
    for (unsigned k = 0; k < N; k++)
        fill(c, pg[k]), present[k] = 1;
    assert_caches_exactly(c, pg, N);
    for (unsigned k = 1; k < N; k += 3) {
        cache_remove(c, (unsigned)cache_lookup(c, pg[k]));
        present[k] = 0;
    }
    assert_present(c, pg, present, N);
    for (unsigned k = 1; k < N; k += 3) {
        assert_int_equal(c->tag[cache_victim(c)], 0);
        fill(c, pg[k]);
    }
    assert_caches_exactly(c, pg, N);
    free(c);
}

/* --- cache.c against a fake device and a fake unmap ------------------------------------ */

#define P          ((uint64_t)BLK_PAGE)
#define SPP        (BLK_PAGE / BLK_SECTOR)
#define NFRAMES    4u                           /* the cache's frames in most tests */
#define MAX_FRAMES 32u                           /* in the write-back's (cache_init again) */
#define DISK_PAGES 64u
#define LOG_MAX    512u

#define REQ_MAX    64u

enum ev_kind { EV_READ, EV_WRITE, EV_FLUSH, EV_UNMAP };
struct req {
    uint64_t sector;
    unsigned pages;
};
struct event {
    enum ev_kind kind;
    uint64_t va;                                 /* the frame read into, written or unmapped */
};

static struct {
    uint8_t disk[DISK_PAGES * BLK_PAGE];
    uint8_t *frames;
    unsigned fail_reads, fail_writes;            /* the next n read / write requests fail */
    unsigned fail_write_at;                      /* and the write request of this number */
    unsigned requests[EV_WRITE + 1];             /* device requests by kind (a write may
                                                  * carry several pages) */
    uint8_t at_unmap[BLK_PAGE];                  /* the last unmapped frame, as it was then */
    uint8_t accessed[MAX_FRAMES];                /* a client touched frame i through a map */
    int always_accessed;                         /* every frame is, at every look */
    unsigned looks;                              /* vblk_frame_accessed calls */
    struct event log[LOG_MAX];
    unsigned nlog;
    unsigned room, lifo;                         /* vblk_submit's queue, vblk_wait's order */
    unsigned nfly, fly[VBLK_SLOTS], most_in_flight;
    uint8_t busy[VBLK_SLOTS];
    enum sas_error fly_e[VBLK_SLOTS];
    struct req req[REQ_MAX];                     /* the write-backs' requests, in order */
    unsigned nreq;
} fk;

/* The disk's bytes before any write: every page and offset tell themselves apart. */
static uint8_t disk_byte(uint64_t off) { return (uint8_t)(off % 251 + off / P * 17); }

static void record(enum ev_kind kind, const uint8_t *va)
{
    assert_true(fk.nlog < LOG_MAX);
    fk.log[fk.nlog++] = (struct event){ kind, (uint64_t)va };
}

/* One request: n whole frames to or from consecutive device pages (one event each). A
 * failure fails the whole request, as the device's status byte does. */
enum sas_error vblk_dov(struct vblk *v, uint32_t type, uint64_t sector,
                        const struct vblk_seg *seg, unsigned n)
{
    if (type == VIRTIO_BLK_T_FLUSH) {
        record(EV_FLUSH, 0);
        return SAS_OK;
    }
    /* The cache moves whole pages between whole frames and the device. */
    assert_true(n >= 1 && n <= (v->max_segs ? v->max_segs : 1));
    assert_int_equal(sector % SPP, 0);
    assert_true(sector / SPP + n <= DISK_PAGES);
    int in = type == VIRTIO_BLK_T_IN, fail = in ? fk.fail_reads : fk.fail_writes;
    assert_true(in || type == VIRTIO_BLK_T_OUT);
    fk.requests[in ? EV_READ : EV_WRITE]++;
    int fail_this = !in && fk.requests[EV_WRITE] == fk.fail_write_at;
    for (unsigned k = 0; k < n; k++) {
        uint8_t *buf = seg[k].buf, *d = fk.disk + sector * BLK_SECTOR + (uint64_t)k * P;
        assert_int_equal(seg[k].len, BLK_PAGE);
        assert_true(buf >= fk.frames && buf < fk.frames + MAX_FRAMES * P);
        assert_int_equal((uint64_t)(buf - fk.frames) % P, 0);
        record(in ? EV_READ : EV_WRITE, buf);
        if (fail && in)
            memset(buf, 0xee, BLK_PAGE);         /* a failed transfer may leave anything */
        else if (!fail && !fail_this)
            memcpy(in ? buf : d, in ? d : buf, BLK_PAGE);
    }
    if (fail_this)
        return SAS_EIO;
    if (!fail)
        return SAS_OK;
    if (in)
        fk.fail_reads--;
    else
        fk.fail_writes--;
    return SAS_EIO;
}

/* Requests in flight: each moved at once (vblk_dov's fake), its result kept until a
 * vblk_wait returns it; fk.room of them at a time (a full queue: SAS_EBUSY), completed in
 * the order fk.lifo says. Each submission is logged as a request (sector, pages). */
enum sas_error vblk_submit(struct vblk *v, uint32_t type, uint64_t sector,
                           const struct vblk_seg *seg, unsigned *np, unsigned *id)
{
    /* The device takes max_segs pages a request (the fake knows no physical addresses). */
    unsigned n = *np < v->max_segs ? *np : v->max_segs;
    if (fk.nfly == (fk.room ? fk.room : VBLK_SLOTS))
        return SAS_EBUSY;
    unsigned k = 0;
    while (fk.busy[k])
        k++;
    assert_true(fk.nreq < REQ_MAX);
    fk.req[fk.nreq++] = (struct req){ sector, n };
    fk.busy[k] = 1;
    fk.fly_e[k] = vblk_dov(v, type, sector, seg, n);
    fk.fly[fk.nfly++] = *id = k;
    *np = n;
    fk.most_in_flight = fk.nfly > fk.most_in_flight ? fk.nfly : fk.most_in_flight;
    return SAS_OK;
}

enum sas_error vblk_wait(struct vblk *v, unsigned *id)
{
    (void)v;
    if (!fk.nfly)
        return SAS_EINVAL;
    unsigned at = fk.lifo ? fk.nfly - 1 : 0;
    *id = fk.fly[at];
    memmove(fk.fly + at, fk.fly + at + 1, (fk.nfly - at - 1) * sizeof(fk.fly[0]));
    fk.nfly--;
    fk.busy[*id] = 0;
    return fk.fly_e[*id];
}

/* Reads and resets the frame's accessed bit, as fpage_unmap with no rights does. */
int vblk_frame_accessed(uint64_t va)
{
    unsigned i = (unsigned)((va - (uint64_t)fk.frames) / P);
    assert_true(i < MAX_FRAMES);
    fk.looks++;
    int a = fk.accessed[i] || fk.always_accessed;
    fk.accessed[i] = 0;
    return a;
}

void vblk_unmap_frame(uint64_t va)
{
    record(EV_UNMAP, (const uint8_t *)va);
    memcpy(fk.at_unmap, (const void *)va, BLK_PAGE);
}

/* How many events of a kind were logged. */
static unsigned count(enum ev_kind kind)
{
    unsigned n = 0;
    for (unsigned i = 0; i < fk.nlog; i++)
        n += fk.log[i].kind == kind;
    return n;
}

/* The frame of the nth (from 0) event of a kind. */
static uint8_t *nth(enum ev_kind kind, unsigned n)
{
    for (unsigned i = 0, seen = 0; i < fk.nlog; i++)
        if (fk.log[i].kind == kind && seen++ == n)
            return (uint8_t *)fk.log[i].va;
    fail_msg("fewer than %u events of kind %d", n + 1, kind);
    return NULL;
}

/* Where in the log the first event of a kind on frame va is, or -1. */
static int position(enum ev_kind kind, const uint8_t *va)
{
    for (unsigned i = 0; i < fk.nlog; i++)
        if (fk.log[i].kind == kind && fk.log[i].va == (uint64_t)va)
            return (int)i;
    return -1;
}

static int setup(void **state)
{
    memset(&fk, 0, sizeof(fk));
    for (uint64_t o = 0; o < sizeof(fk.disk); o++)
        fk.disk[o] = disk_byte(o);
    fk.frames = aligned_alloc(BLK_PAGE, MAX_FRAMES * P);
    memset(fk.frames, 0xa5, MAX_FRAMES * P);
    struct blk_server *s = calloc(1, sizeof(*s));
    s->dev.sectors = DISK_PAGES * SPP;
    s->dev.max_segs = 254;                       /* QEMU's */
    s->cache.frames = fk.frames;
    cache_init(&s->cache, NFRAMES);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    free(fk.frames);
    return 0;
}

/* The frame caching page pg, or NULL. */
static uint8_t *frame_of(struct blk_server *s, uint64_t pg)
{
    int i = cache_lookup(&s->cache, pg);
    return i < 0 ? NULL : s->cache.frames + (uint64_t)i * P;
}

/* p holds the disk's original bytes [off, off + len). */
static void assert_original(const uint8_t *p, uint64_t off, uint64_t len)
{
    for (uint64_t k = 0; k < len; k++)
        if (p[k] != disk_byte(off + k))
            fail_msg("byte %lu (device offset %lu): %#x, not %#x", (unsigned long)k,
                     (unsigned long)(off + k), p[k], disk_byte(off + k));
}

/* The device holds the original bytes but [off, off + len), which hold buf. */
static void assert_disk_is_original_but(uint64_t off, uint64_t len, const uint8_t *buf)
{
    assert_original(fk.disk, 0, off);
    assert_memory_equal(fk.disk + off, buf, len);
    assert_original(fk.disk + off + len, off + len, sizeof(fk.disk) - off - len);
}

static void assert_counts(struct blk_server *s, uint64_t hits, uint64_t misses,
                          uint64_t evictions)
{
    assert_int_equal(s->cache.hits, hits);
    assert_int_equal(s->cache.misses, misses);
    assert_int_equal(s->cache.evictions, evictions);
}

/* len bytes of a pattern unlike the disk's. */
static uint8_t *pattern(uint64_t len, uint8_t seed)
{
    uint8_t *b = malloc(len);
    for (uint64_t k = 0; k < len; k++)
        b[k] = (uint8_t)(seed + k * 3);
    return b;
}

/* One use of page pg by each kind of request: reads its first bytes, writes past them. */
static void touch_read(struct blk_server *s, uint64_t pg)
{
    uint8_t b[8];
    assert_int_equal(cache_read(s, pg * P, sizeof(b), b), SAS_OK);
    assert_original(b, pg * P, sizeof(b));
}

static void touch_write(struct blk_server *s, uint64_t pg)
{
    uint8_t b = 0x42;
    assert_int_equal(cache_write(s, pg * P + 100, 1, &b), SAS_OK);
}

static void touch_map(struct blk_server *s, uint64_t pg)
{
    uint64_t va;
    assert_int_equal(cache_map(s, pg * P, &va), SAS_OK);
}

/* Pages 0 .. NFRAMES-1 cached, page 0 the least recently used; the log emptied. */
static void fill_cache(struct blk_server *s)
{
    for (uint64_t pg = 0; pg < NFRAMES; pg++)
        touch_read(s, pg);
    fk.nlog = 0;
}

/* Pages 0 .. NFRAMES-1 cached (page 0 the least recently used), page 0 mapped and, if
 * `touched`, accessed by a client since; then page 9 misses. Returns page 0's frame. */
static uint8_t *map_oldest_then_miss(struct blk_server *s, int touched)
{
    uint64_t va;
    assert_int_equal(cache_map(s, 0, &va), SAS_OK);
    for (uint64_t pg = 1; pg < NFRAMES; pg++)
        touch_read(s, pg);
    fk.nlog = 0;
    fk.accessed[(va - (uint64_t)fk.frames) / P] = (uint8_t)touched;
    touch_read(s, 9);
    return (uint8_t *)va;
}

static void cache_keeps_a_mapped_page_a_client_touched(void **state)
{
    struct blk_server *s = *state;
    uint8_t *f0 = map_oldest_then_miss(s, 1);
    assert_ptr_equal(frame_of(s, 0), f0);                /* kept: a second chance */
    assert_int_equal(cache_lookup(&s->cache, 1), -1);    /* the next oldest went instead */
    assert_int_equal(count(EV_UNMAP), 1);
    assert_int_not_equal(nth(EV_UNMAP, 0), f0);
    assert_int_equal(s->cache.second_chances, 1);
    assert_int_equal(fk.accessed[(f0 - fk.frames) / P], 0);   /* the look reset the bit */
    touch_read(s, 10);                                   /* untouched since: not kept again */
    touch_read(s, 11);
    touch_read(s, 12);
    assert_int_equal(cache_lookup(&s->cache, 0), -1);
}

static void cache_evicts_a_mapped_page_nobody_touched(void **state)
{
    struct blk_server *s = *state;
    uint8_t *f0 = map_oldest_then_miss(s, 0);
    assert_int_equal(cache_lookup(&s->cache, 0), -1);
    assert_ptr_equal(nth(EV_UNMAP, 0), f0);
    assert_int_equal(fk.looks, 1);
    assert_int_equal(s->cache.second_chances, 0);
}

static void cache_asks_nothing_of_pages_never_mapped(void **state)
{
    struct blk_server *s = *state;
    fill_cache(s);
    fk.always_accessed = 1;
    for (uint64_t pg = 8; pg < 8 + 2 * NFRAMES; pg++)
        touch_read(s, pg);
    assert_int_equal(fk.looks, 0);
    assert_int_equal(s->cache.second_chances, 0);
}

/* Every page mapped and always touched: a miss still evicts, after SECOND_CHANCES looks. */
static void cache_gives_a_bounded_number_of_second_chances(void **state)
{
    struct blk_server *s = *state;
    uint64_t va;
    static const uint64_t order[NFRAMES] = { 3, 1, 0, 2 };   /* no scan: no read-ahead */
    for (unsigned k = 0; k < NFRAMES; k++)
        assert_int_equal(cache_map(s, order[k] * P, &va), SAS_OK);
    assert_int_equal(fk.requests[EV_READ], NFRAMES);
    fk.always_accessed = 1;
    fk.nlog = 0;
    touch_read(s, 9);
    assert_int_equal(fk.looks, 8);
    assert_int_equal(s->cache.second_chances, 8);
    assert_int_equal(count(EV_UNMAP), 1);
    assert_true(frame_of(s, 9) != NULL);
}

/* A dirty page chosen to make room reaches the device before its frame is taken back
 * and reused: its write comes before the unmap in the log, and the device has its bytes. */
static void cache_writes_a_dirty_victim_back_before_reusing_its_frame(void **state)
{
    struct blk_server *s = *state;
    uint8_t *buf = pattern(P, 0x3c);
    assert_int_equal(cache_write(s, 0, P, buf), SAS_OK);
    uint8_t *f0 = frame_of(s, 0);
    for (uint64_t pg = 1; pg < NFRAMES; pg++)
        touch_read(s, pg);
    assert_original(fk.disk, 0, P);                      /* still only in the frame */
    fk.nlog = 0;
    touch_read(s, 9);                                    /* page 0 is the oldest */
    assert_int_equal(cache_lookup(&s->cache, 0), -1);
    assert_true(position(EV_WRITE, f0) >= 0);
    assert_true(position(EV_WRITE, f0) < position(EV_UNMAP, f0));
    assert_memory_equal(fk.disk, buf, P);
    assert_int_equal(s->cache.ndirty, 0);
    assert_ptr_equal(frame_of(s, 9), f0);
    free(buf);
}

/* Maps page pg; its frame holds the page. */
static void map_page(struct blk_server *s, uint64_t pg)
{
    uint64_t va;
    assert_int_equal(cache_map(s, pg * P, &va), SAS_OK);
    assert_original((const uint8_t *)va, pg * P, P);
}

/* A mapped scan: each miss after a miss on the page before reads twice the pages the last
 * one did, in one request, up to the largest batch (NFRAMES - 1 here). */
static void cache_map_reads_ahead_of_a_scan(void **state)
{
    struct blk_server *s = *state;
    s->cache.ra_next = 100;                              /* no scan so far */
    map_page(s, 4);                                      /* a miss: one page */
    assert_int_equal(fk.requests[EV_READ], 1);
    assert_int_equal(count(EV_READ), 1);
    map_page(s, 5);                                      /* the next: 5 and 6 */
    assert_int_equal(fk.requests[EV_READ], 2);
    assert_int_equal(count(EV_READ), 3);
    assert_true(frame_of(s, 6) != NULL);
    map_page(s, 6);                                      /* a hit */
    assert_int_equal(fk.requests[EV_READ], 2);
    map_page(s, 7);                                      /* 7, 8, 9: the window's cap */
    assert_int_equal(fk.requests[EV_READ], 3);
    assert_int_equal(count(EV_READ), 6);
    for (uint64_t pg = 7; pg <= 9; pg++)
        assert_original(frame_of(s, pg), pg * P, P);
    assert_int_equal(s->cache.read_ahead, 3);
    assert_int_equal(s->cache.misses, 3);
    map_page(s, 2);                                      /* elsewhere: one page again */
    assert_int_equal(count(EV_READ), 7);
}

/* The window stops before a cached page and at the device's end; reads never ahead. */
static void cache_read_ahead_stops_at_cached_pages_and_the_end(void **state)
{
    struct blk_server *s = *state;
    uint8_t b[8];
    assert_int_equal(cache_read(s, 3 * P, 8, b), SAS_OK);      /* 3 cached */
    assert_int_equal(cache_read(s, 4 * P, 8, b), SAS_OK);      /* reads: no window */
    assert_int_equal(count(EV_READ), 2);
    s->cache.ra_next = 1, s->cache.ra_window = 1;
    map_page(s, 1);                                             /* 1, 2: 3 is cached */
    assert_int_equal(count(EV_READ), 4);
    assert_int_equal(fk.requests[EV_READ], 3);
    s->cache.ra_next = DISK_PAGES - 1, s->cache.ra_window = 2;
    map_page(s, DISK_PAGES - 1);                                /* the last page alone */
    assert_int_equal(count(EV_READ), 5);
}

/* A read-ahead the device fails leaves nothing cached; the page is then read alone (the
 * error may have been another page's), and a failure of that is the map's. */
static void cache_failed_read_ahead_reads_the_page_alone(void **state)
{
    struct blk_server *s = *state;
    s->cache.ra_next = 5, s->cache.ra_window = 1;
    fk.fail_reads = 1;
    map_page(s, 5);
    assert_int_equal(fk.requests[EV_READ], 2);                 /* 5 and 6, then 5 */
    assert_int_equal(cache_lookup(&s->cache, 6), -1);
    for (unsigned i = 0; i < NFRAMES; i++)
        assert_int_equal(s->cache.pinned[i], 0);
    s->cache.ra_next = 8, s->cache.ra_window = 1;
    fk.fail_reads = 2;
    uint64_t va = 0;
    assert_int_equal(cache_map(s, 8 * P, &va), SAS_EIO);
    assert_int_equal(va, 0);
    assert_int_equal(cache_lookup(&s->cache, 8), -1);
    assert_int_equal(cache_lookup(&s->cache, 9), -1);
}

static void cache_read_miss_reads_device_once_then_hits(void **state)
{
    struct blk_server *s = *state;
    uint8_t b[100];
    assert_int_equal(cache_read(s, 2 * P + 10, 100, b), SAS_OK);
    assert_original(b, 2 * P + 10, 100);
    assert_int_equal(count(EV_READ), 1);
    assert_ptr_equal(nth(EV_READ, 0), frame_of(s, 2));
    assert_counts(s, 0, 1, 0);
    assert_int_equal(cache_read(s, 2 * P + 3000, 50, b), SAS_OK);
    assert_original(b, 2 * P + 3000, 50);
    assert_int_equal(count(EV_READ), 1);         /* a hit: no request */
    assert_counts(s, 1, 1, 0);
}

static void cache_map_returns_the_frame_holding_the_page(void **state)
{
    struct blk_server *s = *state;
    uint64_t va, again;
    assert_int_equal(cache_map(s, 3 * P, &va), SAS_OK);
    assert_ptr_equal((uint8_t *)va, frame_of(s, 3));
    assert_int_equal(va % P, 0);
    assert_original((uint8_t *)va, 3 * P, P);
    assert_int_equal(cache_map(s, 3 * P, &again), SAS_OK);
    assert_int_equal(again, va);
    assert_int_equal(count(EV_READ), 1);
    assert_counts(s, 1, 1, 0);
}

/* A write to a mapped page changes the bytes at the mapped frame at once, and the
 * device's at the write-back. */
static void assert_write_is_seen_through_map(struct blk_server *s, uint64_t in, uint64_t len)
{
    uint64_t va, off = 5 * P + in;
    assert_int_equal(cache_map(s, 5 * P, &va), SAS_OK);
    uint8_t *buf = pattern(len, 0x5c);
    assert_int_equal(cache_write(s, off, len, buf), SAS_OK);
    uint8_t *f = (uint8_t *)va;
    assert_original(f, 5 * P, in);
    assert_memory_equal(f + in, buf, len);
    assert_original(f + in + len, off + len, P - in - len);
    assert_original(fk.disk, 0, sizeof(fk.disk));    /* not yet: the page is dirty */
    assert_int_equal(count(EV_WRITE), 0);
    assert_int_equal(cache_writeback(s), SAS_OK);
    assert_disk_is_original_but(off, len, buf);
    assert_int_equal(count(EV_READ), 1);         /* the map's */
    assert_int_equal(count(EV_WRITE), 1);
    assert_ptr_equal(nth(EV_WRITE, 0), f);
    assert_int_equal(count(EV_UNMAP), 0);        /* the view stays, and sees the write */
    assert_int_equal(count(EV_FLUSH), 0);        /* durability is BLK_FLUSH's business */
    free(buf);
}

static void cache_full_write_is_seen_at_the_mapped_frame_and_on_device(void **state)
{
    assert_write_is_seen_through_map(*state, 0, P);
}

static void cache_partial_write_is_seen_at_the_mapped_frame_and_on_device(void **state)
{
    assert_write_is_seen_through_map(*state, 1000, 100);
}

static void cache_partial_write_of_uncached_page_reads_it_first(void **state)
{
    struct blk_server *s = *state;
    uint8_t *buf = pattern(10, 0x11);
    assert_int_equal(cache_write(s, 6 * P + 5, 10, buf), SAS_OK);
    assert_int_equal(cache_writeback(s), SAS_OK);
    assert_int_equal(count(EV_READ), 1);
    assert_int_equal(count(EV_WRITE), 1);
    assert_true(position(EV_READ, frame_of(s, 6)) < position(EV_WRITE, frame_of(s, 6)));
    assert_disk_is_original_but(6 * P + 5, 10, buf);
    assert_counts(s, 0, 1, 0);
    free(buf);
}

static void cache_full_write_of_uncached_page_does_not_read(void **state)
{
    struct blk_server *s = *state;
    uint8_t *buf = pattern(P, 0x22);
    uint8_t back[BLK_PAGE];
    assert_int_equal(cache_write(s, 7 * P, P, buf), SAS_OK);
    assert_int_equal(cache_writeback(s), SAS_OK);
    assert_int_equal(count(EV_READ), 0);
    assert_int_equal(count(EV_WRITE), 1);
    assert_disk_is_original_but(7 * P, P, buf);
    assert_int_equal(cache_read(s, 7 * P, P, back), SAS_OK);
    assert_memory_equal(back, buf, P);
    assert_int_equal(count(EV_READ), 0);         /* the written page is cached */
    assert_counts(s, 1, 1, 0);
    free(buf);
}

static void cache_write_spanning_pages_writes_each_page_once(void **state)
{
    struct blk_server *s = *state;
    uint64_t off = 1 * P + 4000, len = 96 + P + 100;   /* the tail of 1, all 2, head of 3 */
    uint8_t *buf = pattern(len, 0x33);
    assert_int_equal(cache_write(s, off, len, buf), SAS_OK);
    assert_int_equal(cache_writeback(s), SAS_OK);
    assert_disk_is_original_but(off, len, buf);
    assert_int_equal(count(EV_WRITE), 3);
    assert_int_equal(fk.requests[EV_WRITE], 1);       /* one request of three pages */
    for (uint64_t pg = 1; pg <= 3; pg++)
        assert_ptr_equal(nth(EV_WRITE, (unsigned)pg - 1), frame_of(s, pg));
    assert_int_equal(count(EV_READ), 2);         /* pages 1 and 3; page 2 is whole */
    assert_int_equal(position(EV_READ, frame_of(s, 2)), -1);
    free(buf);
}

/* Two pages written, one of them mapped, then a write-back the device refuses: SAS_EIO,
 * both pages dropped and unmapped, the device unchanged, and a read finds its bytes. */
static void cache_failed_write_back_drops_every_page_of_the_request(void **state)
{
    struct blk_server *s = *state;
    uint64_t va;
    assert_int_equal(cache_map(s, 5 * P, &va), SAS_OK);
    uint8_t *buf = pattern(2 * P, 0x44), back[BLK_PAGE];
    assert_int_equal(cache_write(s, 4 * P, 2 * P, buf), SAS_OK);
    fk.fail_writes = 1;
    fk.nlog = 0;
    assert_int_equal(cache_writeback(s), SAS_EIO);
    assert_int_equal(fk.requests[EV_WRITE], 1);
    assert_int_equal(count(EV_UNMAP), 2);
    assert_true(position(EV_UNMAP, (uint8_t *)va) >= 0);
    for (uint64_t pg = 4; pg <= 5; pg++)
        assert_int_equal(cache_lookup(&s->cache, pg), -1);
    assert_int_equal(s->cache.ndirty, 0);
    assert_original(fk.disk, 0, sizeof(fk.disk));
    assert_int_equal(cache_read(s, 5 * P, P, back), SAS_OK);
    assert_original(back, 5 * P, P);
    assert_int_equal(cache_writeback(s), SAS_OK);        /* nothing left to write */
    assert_int_equal(fk.requests[EV_WRITE], 1);
    free(buf);
}

/* A write whose last (partial) page cannot be read in: SAS_EIO, nothing reaches the
 * device yet, that page is not cached, and the whole pages before it keep the new bytes
 * (dirty: a failed write may leave part of itself, as write(2) may). */
static void cache_failed_fill_keeps_the_pages_before_it(void **state)
{
    struct blk_server *s = *state;
    uint8_t *buf = pattern(2 * P + 10, 0x55);
    fk.fail_reads = 1;
    assert_int_equal(cache_write(s, 0, 2 * P + 10, buf), SAS_EIO);
    assert_int_equal(fk.requests[EV_WRITE], 0);
    assert_int_equal(cache_lookup(&s->cache, 2), -1);
    assert_memory_equal(frame_of(s, 0), buf, 2 * P);
    assert_int_equal(s->cache.ndirty, 2);
    assert_original(fk.disk, 0, sizeof(fk.disk));
    free(buf);
}

static void cache_read_spanning_pages_at_unaligned_offsets_moves_exact_bytes(void **state)
{
    struct blk_server *s = *state;
    enum { GUARD = 16 };
    uint64_t off = 3 * P - 3, len = 2 * P + 7;         /* pages 2 .. 5 */
    uint8_t *b = malloc(len + 2 * GUARD);
    memset(b, 0x77, len + 2 * GUARD);
    assert_int_equal(cache_read(s, off, len, b + GUARD), SAS_OK);
    assert_original(b + GUARD, off, len);
    for (unsigned k = 0; k < GUARD; k++) {
        assert_int_equal(b[k], 0x77);
        assert_int_equal(b[GUARD + len + k], 0x77);
    }
    assert_int_equal(count(EV_READ), 4);
    uint8_t last = 0;
    assert_int_equal(cache_read(s, DISK_PAGES * P - 1, 1, &last), SAS_OK);
    assert_int_equal(last, disk_byte(DISK_PAGES * P - 1));
    free(b);
}

/* After the cache is full, using page 0 by `touch` keeps it: the next miss evicts page 1,
 * unmapping exactly its frame, and puts the new page there. */
static void assert_touch_keeps_page(struct blk_server *s,
                                    void (*touch)(struct blk_server *, uint64_t))
{
    fill_cache(s);
    touch(s, 0);
    uint8_t *victim = frame_of(s, 1);
    fk.nlog = 0;
    touch_read(s, NFRAMES);
    assert_int_equal(count(EV_UNMAP), 1);
    assert_ptr_equal(nth(EV_UNMAP, 0), victim);
    assert_int_equal(cache_lookup(&s->cache, 1), -1);
    assert_ptr_equal(frame_of(s, NFRAMES), victim);
    assert_non_null(frame_of(s, 0));
    assert_int_equal(s->cache.evictions, 1);
}

static void cache_eviction_spares_a_page_just_read(void **state)
{
    assert_touch_keeps_page(*state, touch_read);
}

static void cache_eviction_spares_a_page_just_written(void **state)
{
    assert_touch_keeps_page(*state, touch_write);
}

static void cache_eviction_spares_a_page_just_mapped(void **state)
{
    assert_touch_keeps_page(*state, touch_map);
}

static void cache_evicts_pages_in_order_of_last_use(void **state)
{
    struct blk_server *s = *state;
    fill_cache(s);
    touch_read(s, 2);
    touch_write(s, 0);
    touch_map(s, 3);
    touch_read(s, 1);
    uint8_t *order[] = { frame_of(s, 2), frame_of(s, 0), frame_of(s, 3), frame_of(s, 1) };
    fk.nlog = 0;
    for (uint64_t pg = NFRAMES; pg < 2 * NFRAMES; pg++)
        touch_read(s, pg);
    assert_int_equal(count(EV_UNMAP), NFRAMES);
    for (unsigned k = 0; k < NFRAMES; k++)
        assert_ptr_equal(nth(EV_UNMAP, k), order[k]);
}

static void cache_unmaps_an_evicted_frame_before_reusing_it(void **state)
{
    struct blk_server *s = *state;
    fill_cache(s);
    uint8_t *f0 = frame_of(s, 0), *f1 = frame_of(s, 1);
    uint8_t *buf = pattern(P, 0x44);
    assert_int_equal(cache_write(s, NFRAMES * P, P, buf), SAS_OK);  /* no read: reuse is the copy */
    assert_int_equal(cache_writeback(s), SAS_OK);
    assert_ptr_equal(nth(EV_UNMAP, 0), f0);
    assert_original(fk.at_unmap, 0, P);          /* still page 0 when it was taken back */
    assert_true(position(EV_UNMAP, f0) < position(EV_WRITE, f0));
    touch_read(s, NFRAMES + 1);                  /* reuse by the device's read */
    assert_ptr_equal(nth(EV_UNMAP, 1), f1);
    assert_original(fk.at_unmap, P, P);
    assert_true(position(EV_UNMAP, f1) < position(EV_READ, f1));
    free(buf);
}

static void cache_rereads_an_evicted_page_from_the_device(void **state)
{
    struct blk_server *s = *state;
    uint8_t b[BLK_PAGE];
    fill_cache(s);
    touch_read(s, NFRAMES);                      /* evicts page 0 */
    assert_int_equal(cache_read(s, 0, P, b), SAS_OK);
    assert_original(b, 0, P);
    assert_int_equal(count(EV_READ), 2);
    assert_counts(s, 0, NFRAMES + 2, 2);
}

static void cache_failed_read_leaves_no_entry(void **state)
{
    struct blk_server *s = *state;
    uint8_t b[10];
    fk.fail_reads = 1;
    assert_int_equal(cache_read(s, 4 * P + 1, sizeof(b), b), SAS_EIO);
    for (unsigned i = 0; i < s->cache.npages; i++)
        assert_int_not_equal(s->cache.tag[i], 4 + 1);
    assert_int_equal(cache_read(s, 4 * P + 1, sizeof(b), b), SAS_OK);
    assert_original(b, 4 * P + 1, sizeof(b));    /* not what the failed transfer left */
    assert_int_equal(count(EV_READ), 2);
    assert_counts(s, 0, 2, 0);
}

static void cache_failed_map_returns_eio_and_no_frame(void **state)
{
    struct blk_server *s = *state;
    uint64_t va = 0xdead;
    fk.fail_reads = 1;
    assert_int_equal(cache_map(s, 4 * P, &va), SAS_EIO);
    assert_int_equal(va, 0xdead);
    assert_int_equal(cache_lookup(&s->cache, 4), -1);
    assert_int_equal(cache_map(s, 4 * P, &va), SAS_OK);
    assert_original((uint8_t *)va, 4 * P, P);
}

static void cache_failed_fill_of_partial_write_writes_nothing(void **state)
{
    struct blk_server *s = *state;
    uint8_t b = 0x99;
    fk.fail_reads = 1;
    assert_int_equal(cache_write(s, 6 * P + 5, 1, &b), SAS_EIO);
    assert_int_equal(count(EV_WRITE), 0);
    assert_int_equal(cache_lookup(&s->cache, 6), -1);
    assert_original(fk.disk, 0, sizeof(fk.disk));
}

/* A write whose write-back the device refuses leaves the page uncached and unmapped, the
 * device unchanged. */
static void assert_failed_write_drops(struct blk_server *s, uint64_t off, uint64_t len)
{
    uint64_t pg = off / P;
    uint8_t *buf = pattern(len, 0x66);
    uint8_t back[BLK_PAGE];
    assert_int_equal(cache_write(s, off, len, buf), SAS_OK);
    fk.fail_writes = 1;
    assert_int_equal(cache_writeback(s), SAS_EIO);
    uint8_t *f = nth(EV_WRITE, 0);
    assert_int_equal(count(EV_UNMAP), 1);
    assert_ptr_equal(nth(EV_UNMAP, 0), f);
    assert_int_equal(cache_lookup(&s->cache, pg), -1);
    assert_int_equal(s->cache.evictions, 0);     /* a drop, not room made */
    assert_original(fk.disk, 0, sizeof(fk.disk));
    unsigned reads = count(EV_READ);
    assert_int_equal(cache_read(s, pg * P, P, back), SAS_OK);
    assert_int_equal(count(EV_READ), reads + 1);
    assert_original(back, pg * P, P);
    free(buf);
}

static void cache_failed_write_drops_the_mapped_entry(void **state)
{
    struct blk_server *s = *state;
    uint64_t va;
    assert_int_equal(cache_map(s, 2 * P, &va), SAS_OK);
    assert_failed_write_drops(s, 2 * P + 100, 8);
    assert_ptr_equal(nth(EV_UNMAP, 0), (uint8_t *)va);
}

static void cache_failed_full_write_of_uncached_page_drops_it(void **state)
{
    assert_failed_write_drops(*state, 7 * P, P);
}

static void cache_counters_count_hits_misses_and_evictions(void **state)
{
    struct blk_server *s = *state;
    uint8_t *buf = pattern(P, 0x77);
    cache_init(&s->cache, 2);
    touch_read(s, 0);
    assert_counts(s, 0, 1, 0);
    touch_read(s, 0);
    assert_counts(s, 1, 1, 0);
    touch_read(s, 1);
    assert_counts(s, 1, 2, 0);
    touch_write(s, 0);
    assert_counts(s, 2, 2, 0);
    touch_read(s, 2);                            /* page 1 goes */
    assert_counts(s, 2, 3, 1);
    touch_map(s, 0);
    assert_counts(s, 3, 3, 1);
    touch_read(s, 1);                            /* page 2 goes */
    assert_counts(s, 3, 4, 2);
    assert_int_equal(cache_write(s, 3 * P, P, buf), SAS_OK);   /* page 0 goes */
    assert_counts(s, 3, 5, 3);
    fk.fail_reads = 1;
    assert_int_equal(cache_read(s, 2 * P, 1, buf), SAS_EIO);   /* page 1 goes */
    assert_counts(s, 3, 6, 4);
    assert_int_equal(cache_write(s, 3 * P, 1, buf), SAS_OK);   /* a hit ... */
    fk.fail_writes = 1;
    assert_int_equal(cache_writeback(s), SAS_EIO);             /* ... then dropped */
    assert_counts(s, 4, 6, 4);
    free(buf);
}

static void cache_bytes_is_whole_pages_of_a_cache_with_frames(void **state)
{
    struct blk_server *s = *state;
    assert_int_equal(cache_bytes(s), DISK_PAGES * P);
    s->dev.sectors = 5 * SPP + 3;
    assert_int_equal(cache_bytes(s), 5 * P);
    cache_init(&s->cache, 0);
    assert_int_equal(cache_bytes(s), 0);
}

/* --- the write-back (writeback.c, runs.c) over MAX_FRAMES frames ------------------------ */

/* The cache re-made with MAX_FRAMES frames and a device taking max_segs pages a request. */
static void big_cache(struct blk_server *s, unsigned max_segs)
{
    cache_init(&s->cache, MAX_FRAMES);
    s->dev.max_segs = max_segs;
}

/* Whole pages pg[0..n) written, each with its own pattern (seed + its page). */
static void write_pages(struct blk_server *s, const uint64_t *pg, unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        uint8_t *b = pattern(P, (uint8_t)(0x80 + pg[k]));
        assert_int_equal(cache_write(s, pg[k] * P, P, b), SAS_OK);
        free(b);
    }
}

/* Page pg on the device holds what write_pages wrote, or its original bytes. */
static void assert_page_written(uint64_t pg, int written)
{
    uint8_t *b = pattern(P, (uint8_t)(0x80 + pg));
    if (written)
        assert_memory_equal(fk.disk + pg * P, b, P);
    else
        assert_original(fk.disk + pg * P, pg * P, P);
    free(b);
}

/* The write-back's requests were these (first page, pages), in this order. */
static void assert_requests(const uint64_t *first, const unsigned *pages, unsigned n)
{
    assert_int_equal(fk.nreq, n);
    for (unsigned k = 0; k < n; k++) {
        assert_int_equal(fk.req[k].sector, first[k] * SPP);
        assert_int_equal(fk.req[k].pages, pages[k]);
    }
}

/* Pages written in any order, some twice, go to the device sorted, one request per run of
 * consecutive pages, each page once, and nothing before the write-back. */
static void writeback_merges_consecutive_dirty_pages_into_one_request(void **state)
{
    struct blk_server *s = *state;
    big_cache(s, 254);
    const uint64_t pg[] = { 7, 5, 6, 20, 2, 1, 6, 3, 21 };
    write_pages(s, pg, 9);
    assert_int_equal(fk.nreq, 0);
    assert_int_equal(s->cache.ndirty, 8);
    assert_int_equal(cache_writeback(s), SAS_OK);
    const uint64_t first[] = { 1, 5, 20 };
    const unsigned pages[] = { 3, 3, 2 };
    assert_requests(first, pages, 3);
    assert_int_equal(count(EV_WRITE), 8);
    for (uint64_t p = 0; p < 24; p++)
        assert_page_written(p, (p >= 1 && p <= 3) || (p >= 5 && p <= 7) || p == 20 || p == 21);
    assert_int_equal(s->cache.ndirty, 0);
    assert_int_equal(cache_writeback(s), SAS_OK);        /* clean: nothing more */
    assert_int_equal(fk.nreq, 3);
}

/* A run longer than the device takes is cut at its limit. */
static void writeback_cuts_a_run_at_the_device_limit(void **state)
{
    struct blk_server *s = *state;
    big_cache(s, 3);
    const uint64_t pg[] = { 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 };
    write_pages(s, pg, 10);
    assert_int_equal(cache_writeback(s), SAS_OK);
    const uint64_t first[] = { 10, 13, 16, 19 };
    const unsigned pages[] = { 3, 3, 3, 1 };
    assert_requests(first, pages, 4);
    for (uint64_t p = 10; p < 20; p++)
        assert_page_written(p, 1);
}

/* Five runs: all in flight at once when the queue has room, at most `room` otherwise,
 * completed first or last in first: every page reaches the device and is clean. */
static void assert_runs_written(struct blk_server *s, unsigned room, unsigned lifo,
                                unsigned want_most)
{
    big_cache(s, 254);
    fk.room = room, fk.lifo = lifo;
    const uint64_t pg[] = { 1, 2, 4, 6, 7, 9, 11, 12, 13 };
    write_pages(s, pg, 9);
    assert_int_equal(cache_writeback(s), SAS_OK);
    assert_int_equal(fk.nreq, 5);
    assert_int_equal(fk.most_in_flight, want_most);
    assert_int_equal(fk.nfly, 0);                        /* every one waited for */
    for (unsigned k = 0; k < 9; k++)
        assert_page_written(pg[k], 1);
    assert_int_equal(s->cache.ndirty, 0);
}

static void writeback_keeps_every_request_in_flight_the_queue_holds(void **state)
{
    assert_runs_written(*state, 0, 0, 5);
}

static void writeback_waits_for_room_in_a_small_queue(void **state)
{
    assert_runs_written(*state, 2, 0, 2);
}

static void writeback_takes_completions_in_any_order(void **state)
{
    assert_runs_written(*state, 3, 1, 3);
}

/* The second of three requests fails: only its pages are dropped (and unmapped), the
 * others are on the device and clean, and the write-back says SAS_EIO. Completed last in
 * first out, so the bookkeeping must find each request's pages by its id. */
static void writeback_failure_drops_only_the_failed_requests_pages(void **state)
{
    struct blk_server *s = *state;
    big_cache(s, 254);
    fk.lifo = 1;
    const uint64_t pg[] = { 1, 2, 5, 6, 9 };
    write_pages(s, pg, 5);
    uint8_t *f5 = frame_of(s, 5), *f6 = frame_of(s, 6);
    fk.nlog = 0;
    fk.fail_write_at = fk.requests[EV_WRITE] + 2;        /* the second request fails */
    assert_int_equal(cache_writeback(s), SAS_EIO);
    assert_int_equal(fk.nreq, 3);
    assert_int_equal(cache_lookup(&s->cache, 5), -1);
    assert_int_equal(cache_lookup(&s->cache, 6), -1);
    assert_true(position(EV_UNMAP, f5) >= 0 && position(EV_UNMAP, f6) >= 0);
    assert_int_equal(count(EV_UNMAP), 2);
    assert_page_written(1, 1);
    assert_page_written(2, 1);
    assert_page_written(9, 1);
    assert_original(fk.disk + 5 * P, 5 * P, 2 * P);
    assert_int_equal(s->cache.ndirty, 0);
    assert_true(frame_of(s, 9) != NULL);
}

/* More than half the frames dirty: the write that makes it so writes them all back. */
static void cache_write_writes_back_when_half_the_cache_is_dirty(void **state)
{
    struct blk_server *s = *state;
    big_cache(s, 254);
    uint64_t pg[MAX_FRAMES / 2 + 1];
    for (unsigned k = 0; k <= MAX_FRAMES / 2; k++)
        pg[k] = 2 * k;                                   /* no two consecutive */
    write_pages(s, pg, MAX_FRAMES / 2);
    assert_int_equal(fk.nreq, 0);
    write_pages(s, pg + MAX_FRAMES / 2, 1);
    assert_int_equal(fk.nreq, MAX_FRAMES / 2 + 1);
    assert_int_equal(s->cache.ndirty, 0);
    assert_int_equal(cache_take_error(&s->cache), SAS_OK);
}

/* A write-back the cache does for itself keeps its error for cache_take_error, once. */
static void cache_clean_keeps_its_error_for_the_next_flush(void **state)
{
    struct blk_server *s = *state;
    big_cache(s, 254);
    const uint64_t pg[] = { 3 };
    write_pages(s, pg, 1);
    fk.fail_writes = 1;
    cache_clean(s);
    assert_int_equal(cache_lookup(&s->cache, 3), -1);
    assert_int_equal(cache_take_error(&s->cache), SAS_EIO);
    assert_int_equal(cache_take_error(&s->cache), SAS_OK);
}

/* cache_clean_range writes back only if a page of the range is dirty, and then all. */
static void cache_clean_range_writes_back_only_for_a_dirty_page_in_range(void **state)
{
    struct blk_server *s = *state;
    big_cache(s, 254);
    const uint64_t pg[] = { 4, 8 };
    write_pages(s, pg, 2);
    cache_clean_range(s, 5 * P, 3 * P);                  /* pages 5 .. 7 */
    assert_int_equal(fk.nreq, 0);
    cache_clean_range(s, 7 * P + 4000, 100);             /* the head of page 8 */
    assert_int_equal(fk.nreq, 2);
    assert_int_equal(s->cache.ndirty, 0);
}

/* A page dropped while dirty (its write-back failed) and then cached and written again
 * is written back once: the list never holds an entry twice. */
static void writeback_writes_a_page_dirtied_again_after_a_drop_once(void **state)
{
    struct blk_server *s = *state;
    big_cache(s, 254);
    const uint64_t pg[] = { 12 };
    write_pages(s, pg, 1);
    fk.fail_writes = 1;
    assert_int_equal(cache_writeback(s), SAS_EIO);
    write_pages(s, pg, 1);
    write_pages(s, pg, 1);
    fk.nlog = 0;
    assert_int_equal(cache_writeback(s), SAS_OK);
    assert_int_equal(count(EV_WRITE), 1);
    assert_page_written(12, 1);
}

/* The bytes a reader must see: every write so far, over the device's original bytes. */
static uint8_t model[DISK_PAGES * BLK_PAGE];

static uint64_t rnd_next(uint64_t *x)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return *x;
}

/* One random step: a write, a read or a map (checked against the model), or a write-back
 * (after which the device is the model). */
static void model_step(struct blk_server *s, uint64_t *x, uint8_t *buf)
{
    uint64_t r = rnd_next(x), off = r % (DISK_PAGES * P), len = 1 + (r >> 20) % (3 * P);
    len = len < DISK_PAGES * P - off ? len : DISK_PAGES * P - off;
    uint64_t va;
    switch ((r >> 40) % 8) {
    case 0: case 1: case 2:
        for (uint64_t k = 0; k < len; k++)
            buf[k] = (uint8_t)rnd_next(x);
        assert_int_equal(cache_write(s, off, len, buf), SAS_OK);
        memcpy(model + off, buf, len);
        break;
    case 3: case 4:
        assert_int_equal(cache_read(s, off, len, buf), SAS_OK);
        assert_memory_equal(buf, model + off, len);
        break;
    case 5: case 6:
        assert_int_equal(cache_map(s, off / P * P, &va), SAS_OK);
        assert_memory_equal((const uint8_t *)va, model + off / P * P, P);
        break;
    default:
        assert_int_equal(cache_writeback(s), SAS_OK);
        assert_memory_equal(fk.disk, model, sizeof(model));
    }
}

/* 20,000 random writes, reads, maps and write-backs of any length and alignment through
 * caches of 4 and 32 frames, devices taking 1 to 254 pages a request, queues of 1 to 32
 * requests completing either way round: every read and view sees the last write, every
 * write-back leaves the device equal to them, and nothing is lost to eviction. */
static void cache_random_use_never_loses_or_reorders_a_write(void **state)
{
    struct blk_server *s = *state;
    static uint8_t buf[3 * BLK_PAGE];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    memcpy(model, fk.disk, sizeof(model));
    for (unsigned round = 0; round < 20; round++) {
        cache_init(&s->cache, round % 2 ? MAX_FRAMES : NFRAMES);
        s->dev.max_segs = 1 + (unsigned)(rnd_next(&x) % 254);
        fk.room = 1 + (unsigned)(rnd_next(&x) % VBLK_SLOTS);
        fk.lifo = round % 3 == 0;
        for (unsigned step = 0; step < 1000; step++) {
            fk.nlog = 0;
            fk.nreq = 0;
            model_step(s, &x, buf);
        }
        assert_int_equal(cache_writeback(s), SAS_OK);   /* before cache_init forgets */
        assert_memory_equal(fk.disk, model, sizeof(model));
    }
}

#define CACHE_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cache_lookup_finds_only_cached_pages),
        cmocka_unit_test(cache_victim_prefers_free_entries),
        cmocka_unit_test(cache_victim_is_least_recently_used),
        cmocka_unit_test(cache_refill_replaces_the_victims_page),
        cmocka_unit_test(cache_victim_prefers_a_removed_entry_to_evicting),
        cmocka_unit_test(cache_init_forgets_pages_and_uses_only_npages_entries),
        cmocka_unit_test(cache_lookup_tells_apart_pages_whose_buckets_collide),
        cmocka_unit_test(cache_lookup_finds_pages_a_bucket_count_apart),
        cmocka_unit_test(cache_remove_in_a_collision_chain_keeps_the_others_found),
        cmocka_unit_test(cache_reinsert_after_remove_is_found_again),
        cmocka_unit_test(cache_lru_order_matches_a_reference_model),
        cmocka_unit_test(cache_of_max_pages_fills_then_evicts_in_order_of_use),
        cmocka_unit_test(cache_of_max_pages_in_one_bucket_finds_every_page),
        CACHE_TEST(cache_read_miss_reads_device_once_then_hits),
        CACHE_TEST(cache_map_returns_the_frame_holding_the_page),
        CACHE_TEST(cache_full_write_is_seen_at_the_mapped_frame_and_on_device),
        CACHE_TEST(cache_partial_write_is_seen_at_the_mapped_frame_and_on_device),
        CACHE_TEST(cache_partial_write_of_uncached_page_reads_it_first),
        CACHE_TEST(cache_full_write_of_uncached_page_does_not_read),
        CACHE_TEST(cache_write_spanning_pages_writes_each_page_once),
        CACHE_TEST(cache_failed_write_back_drops_every_page_of_the_request),
        CACHE_TEST(cache_failed_fill_keeps_the_pages_before_it),
        CACHE_TEST(cache_read_spanning_pages_at_unaligned_offsets_moves_exact_bytes),
        CACHE_TEST(cache_eviction_spares_a_page_just_read),
        CACHE_TEST(cache_eviction_spares_a_page_just_written),
        CACHE_TEST(cache_eviction_spares_a_page_just_mapped),
        CACHE_TEST(cache_evicts_pages_in_order_of_last_use),
        CACHE_TEST(cache_unmaps_an_evicted_frame_before_reusing_it),
        CACHE_TEST(cache_rereads_an_evicted_page_from_the_device),
        CACHE_TEST(cache_failed_read_leaves_no_entry),
        CACHE_TEST(cache_failed_map_returns_eio_and_no_frame),
        CACHE_TEST(cache_failed_fill_of_partial_write_writes_nothing),
        CACHE_TEST(cache_failed_write_drops_the_mapped_entry),
        CACHE_TEST(cache_failed_full_write_of_uncached_page_drops_it),
        CACHE_TEST(cache_counters_count_hits_misses_and_evictions),
        CACHE_TEST(cache_keeps_a_mapped_page_a_client_touched),
        CACHE_TEST(cache_map_reads_ahead_of_a_scan),
        CACHE_TEST(cache_read_ahead_stops_at_cached_pages_and_the_end),
        CACHE_TEST(cache_failed_read_ahead_reads_the_page_alone),
        CACHE_TEST(cache_evicts_a_mapped_page_nobody_touched),
        CACHE_TEST(cache_asks_nothing_of_pages_never_mapped),
        CACHE_TEST(cache_gives_a_bounded_number_of_second_chances),
        CACHE_TEST(cache_writes_a_dirty_victim_back_before_reusing_its_frame),
        CACHE_TEST(cache_bytes_is_whole_pages_of_a_cache_with_frames),
        CACHE_TEST(writeback_merges_consecutive_dirty_pages_into_one_request),
        CACHE_TEST(writeback_cuts_a_run_at_the_device_limit),
        CACHE_TEST(writeback_keeps_every_request_in_flight_the_queue_holds),
        CACHE_TEST(writeback_waits_for_room_in_a_small_queue),
        CACHE_TEST(writeback_takes_completions_in_any_order),
        CACHE_TEST(writeback_failure_drops_only_the_failed_requests_pages),
        CACHE_TEST(cache_write_writes_back_when_half_the_cache_is_dirty),
        CACHE_TEST(cache_clean_keeps_its_error_for_the_next_flush),
        CACHE_TEST(cache_clean_range_writes_back_only_for_a_dirty_page_in_range),
        CACHE_TEST(writeback_writes_a_page_dirtied_again_after_a_drop_once),
        CACHE_TEST(cache_random_use_never_loses_or_reorders_a_write),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
