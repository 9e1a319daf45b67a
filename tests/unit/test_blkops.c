/*
 * test_blkops.c — the virtio-blk driver's requests (sasos/virtio_blk/ops.c, dispatched by
 * sas/server.h's step) on the host: who gets a client slot, and that a slot never
 * outlives its client, and that the cache's write-back keeps raw requests and flushes
 * coherent with cached writes. ops.c runs with the real cache (cache.c, lru.c,
 * writeback.c, runs.c) over fakes of the device (a flat in-memory disk; writes fail on
 * request; up to FLY_MAX requests in flight, completed last first), of the unmaps (logged), of
 * the kernel's answer to "does this thread still exist" (a set of dead thread ids) and of
 * root's to "who owns the disk" (ROOT_DISK_OWNER: a task number, or no answer). Who may
 * attach, and that nothing but INFO (and root's FLUSH) is served to a task that did not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "virtio_blk.h"
#include <l4/errors.h>

#define DISK_PAGES 8u
#define MAX_DEAD   8u
#define FLY_MAX    3u                           /* the fake queue's room, in requests */

static struct {
    uint8_t disk[DISK_PAGES * BLK_PAGE];
    uint64_t unmapped[16];                      /* buffers vblk_unmap_buffer was given */
    unsigned nunmapped;
    l4_threadid_t dead[MAX_DEAD];
    unsigned ndead;
    unsigned fail_writes;                       /* the next n write requests fail */
    unsigned seed;                              /* the random test's generator */
    unsigned nfly, fly[FLY_MAX];                /* requests in flight: their ids ... */
    enum sas_error fly_e[FLY_MAX];              /* ... and results */
    unsigned owner;                             /* root's ROOT_DISK_OWNER answer ... */
    enum sas_error owner_e;                     /* ... or its failure */
    unsigned owner_asked;                       /* how often the driver asked */
} fk;

#define ROOT_TASK 4u                            /* the driver's pager's task */

enum sas_error vblk_dov(struct vblk *v, uint32_t type, uint64_t sector,
                        const struct vblk_seg *seg, unsigned n)
{
    (void)v;
    if (type == VIRTIO_BLK_T_OUT && fk.fail_writes) {
        fk.fail_writes--;                       /* what the device holds is unknown now */
        memset(fk.disk + sector * BLK_SECTOR, 0xdd, n ? seg[0].len : 0);
        return SAS_EIO;
    }
    uint64_t at = sector * BLK_SECTOR;
    for (unsigned k = 0; k < n; at += seg[k++].len) {
        uint8_t *d = fk.disk + at;
        assert_true(at + seg[k].len <= sizeof(fk.disk));
        memcpy(type == VIRTIO_BLK_T_IN ? seg[k].buf : d,
               type == VIRTIO_BLK_T_IN ? d : seg[k].buf, seg[k].len);
    }
    return SAS_OK;
}

/* Requests in flight: each done at once, completed last in, first out (the device
 * orders nothing), at most FLY_MAX at a time. */
enum sas_error vblk_submit(struct vblk *v, uint32_t type, uint64_t sector,
                           const struct vblk_seg *seg, unsigned *np, unsigned *id)
{
    /* The device takes max_segs pages a request (the fake knows no physical addresses). */
    unsigned n = *np < v->max_segs ? *np : v->max_segs;
    if (fk.nfly == FLY_MAX)
        return SAS_EBUSY;
    unsigned k = 0;
    for (unsigned j = 0; j < fk.nfly; j++)
        k = fk.fly[j] >= k ? fk.fly[j] + 1 : k;
    fk.fly_e[fk.nfly] = vblk_dov(v, type, sector, seg, n);
    fk.fly[fk.nfly++] = *id = k;
    *np = n;
    return SAS_OK;
}

enum sas_error vblk_wait(struct vblk *v, unsigned *id)
{
    (void)v;
    if (!fk.nfly)
        return SAS_EINVAL;
    fk.nfly--;
    *id = fk.fly[fk.nfly];
    return fk.fly_e[fk.nfly];
}

void vblk_unmap_frame(uint64_t va) { (void)va; }
int vblk_frame_accessed(uint64_t va) { (void)va; return 0; }

void vblk_unmap_buffer(uint64_t va)
{
    if (fk.nunmapped == 16)
        fk.nunmapped = 0;                       /* the random test unmaps many */
    fk.unmapped[fk.nunmapped++] = va;
}

int vblk_thread_alive(l4_threadid_t t)
{
    for (unsigned i = 0; i < fk.ndead; i++)
        if (fk.dead[i] == t)
            return 0;
    return 1;
}

enum sas_error vblk_disk_owner(unsigned *task)
{
    fk.owner_asked++;
    if (!fk.owner_e)
        *task = fk.owner;
    return fk.owner_e;
}

static void kill_thread(l4_threadid_t t)
{
    assert_true(fk.ndead < MAX_DEAD);
    fk.dead[fk.ndead++] = t;
}

/* The first thread of task n (version n * 10 + 1), and a later one of the same number. */
static l4_threadid_t client(unsigned n) { return l4_tid_make(n, 0, n * 10 + 1); }
static l4_threadid_t client_again(unsigned n) { return l4_tid_make(n, 0, n * 10 + 2); }

static int setup(void **state)
{
    memset(&fk, 0, sizeof(fk));
    struct blk_server *s = calloc(1, sizeof(*s));
    s->dev.dma = aligned_alloc(BLK_BUF_WINDOW, BLK_BUF_WINDOW);
    memset(s->dev.dma, 0, BLK_BUF_WINDOW);
    s->dev.sectors = DISK_PAGES * BLK_PAGE / BLK_SECTOR;
    s->dev.max_segs = 2;                        /* so a write-back makes several requests */
    s->dev.flags = BLK_INFO_FLUSH;
    s->root_task = ROOT_TASK;
    s->cache.frames = aligned_alloc(BLK_PAGE, 4 * BLK_PAGE);
    cache_init(&s->cache, 4);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    struct blk_server *s = *state;
    free(s->dev.dma);
    free(s->cache.frames);
    free(s);
    return 0;
}

/* One request, through the driver's label table as its loop dispatches it: the reply's
 * label (a sas_error) and words in *m. Every request is answered at once. */
static enum sas_error request(struct blk_server *s, l4_threadid_t from, uint32_t label,
                              unsigned u, l4_msg_t *m)
{
    struct server loop = { .ops = blk_ops, .nops = blk_nops, .state = s };
    struct server_msg msg = { .from = from, .task = l4_tid_task(from),
                              .tag = l4_msgtag(label, u, 0), .m = m,
                              .reply = l4_msgtag(SAS_OK, 0, 0) };
    assert_int_equal(server_dispatch(&loop, &msg), SERVER_REPLY);
    return (enum sas_error)l4_msgtag_label(msg.reply);
}

/* ATTACH from `from`: the buffer's address, or 0 with the error in *e. */
static uint64_t attach(struct blk_server *s, l4_threadid_t from, enum sas_error *e)
{
    l4_msg_t m = { { 0 } };
    *e = request(s, from, BLK_ATTACH, 0, &m);
    if (*e)
        return 0;
    assert_int_equal(m.w[1], BLK_BUF_SIZE);
    assert_int_equal(m.w[2], l4_fpage(m.w[0], BLK_BUF_LOG2, L4_FPAGE_RW));
    return m.w[0];
}

static uint64_t attach_ok(struct blk_server *s, l4_threadid_t from)
{
    enum sas_error e;
    uint64_t va = attach(s, from, &e);
    assert_int_equal(e, SAS_OK);
    assert_int_equal(va % BLK_BUF_SIZE, 0);
    assert_true(va > (uint64_t)s->dev.dma && va < (uint64_t)s->dev.dma + BLK_BUF_WINDOW);
    return va;
}

/* Whether the BLK_BUF_SIZE bytes at va are all zero. */
static int zeroed(uint64_t va)
{
    for (uint64_t k = 0; k < BLK_BUF_SIZE; k++)
        if (((const uint8_t *)va)[k])
            return 0;
    return 1;
}

static void attach_gives_each_task_a_buffer_of_its_own(void **state)
{
    struct blk_server *s = *state;
    uint64_t va[BLK_MAX_CLIENTS];
    for (unsigned i = 0; i < BLK_MAX_CLIENTS; i++) {
        va[i] = attach_ok(s, client(10 + i));
        for (unsigned j = 0; j < i; j++)
            assert_int_not_equal(va[i], va[j]);
    }
    assert_int_equal(attach_ok(s, client(11)), va[1]);      /* again: the same buffer */
    assert_int_equal(fk.nunmapped, 0);
}

static void attach_with_every_client_alive_is_busy(void **state)
{
    struct blk_server *s = *state;
    enum sas_error e;
    for (unsigned i = 0; i < BLK_MAX_CLIENTS; i++)
        attach_ok(s, client(10 + i));
    assert_int_equal(attach(s, client(20), &e), 0);
    assert_int_equal(e, SAS_EBUSY);
    assert_int_equal(fk.nunmapped, 0);
}

static void attach_takes_back_the_slot_of_a_client_that_is_gone(void **state)
{
    struct blk_server *s = *state;
    uint64_t va[BLK_MAX_CLIENTS];
    for (unsigned i = 0; i < BLK_MAX_CLIENTS; i++)
        va[i] = attach_ok(s, client(10 + i));
    memset((void *)va[2], 0x5a, BLK_BUF_SIZE);              /* task 12's last data */
    kill_thread(client(12));
    assert_int_equal(attach_ok(s, client(20)), va[2]);
    assert_int_equal(fk.nunmapped, 1);
    assert_int_equal(fk.unmapped[0], va[2]);                /* out of every old view */
    assert_true(zeroed(va[2]));                             /* nothing of task 12's */
    enum sas_error e;
    assert_int_equal(attach(s, client(21), &e), 0);         /* the others are alive */
    assert_int_equal(e, SAS_EBUSY);
}

/* A new task with a dead client's number gets nothing of its slot without attaching. */
static void a_reused_task_number_does_not_inherit_the_buffer(void **state)
{
    struct blk_server *s = *state;
    uint64_t va = attach_ok(s, client(13));
    memset((void *)va, 0x77, BLK_BUF_SIZE);
    kill_thread(client(13));
    l4_msg_t m = { { 0, 64, 0 } };                          /* write the buffer's bytes */
    assert_int_equal(request(s, client_again(13), BLK_CACHE_WRITE, 3, &m), SAS_EPERM);
    for (unsigned k = 0; k < 64; k++)
        assert_int_equal(fk.disk[k], 0);
    assert_int_equal(fk.nunmapped, 1);
    assert_int_equal(fk.unmapped[0], va);
    assert_true(zeroed(va));
    uint64_t again = attach_ok(s, client_again(13));
    assert_true(zeroed(again));
    m = (l4_msg_t){ { 0, 64, 0 } };
    assert_int_equal(request(s, client_again(13), BLK_CACHE_WRITE, 3, &m), SAS_OK);
}

/* Another thread of a client's task uses its slot while the attaching thread lives. */
static void another_thread_of_the_task_shares_its_slot(void **state)
{
    struct blk_server *s = *state;
    uint64_t va = attach_ok(s, client(16));
    l4_threadid_t other = l4_tid_make(16, 1, 999);
    memset((void *)va, 0x61, 64);
    l4_msg_t m = { { 0, 64, 0 } };
    assert_int_equal(request(s, other, BLK_CACHE_WRITE, 3, &m), SAS_OK);
    assert_int_equal(request(s, other, BLK_FLUSH, 0, &m), SAS_OK);
    assert_int_equal(fk.disk[63], 0x61);
    kill_thread(client(16));                                  /* the attaching one ends */
    m = (l4_msg_t){ { 0, 64, 0 } };
    assert_int_equal(request(s, other, BLK_CACHE_WRITE, 3, &m), SAS_EPERM);
    assert_true(zeroed(va));
}

static void requests_are_checked_before_anything_is_done(void **state)
{
    struct blk_server *s = *state;
    l4_msg_t m = { { 0, 1, 0 } };
    assert_int_equal(request(s, client(14), BLK_READ, 3, &m), SAS_EPERM);   /* no attach */
    uint64_t va = attach_ok(s, client(14));
    memset((void *)va, 0x33, BLK_BUF_SIZE);
    uint64_t sectors = s->dev.sectors;
    m = (l4_msg_t){ { sectors - 1, 2, 0 } };                /* across the end */
    assert_int_equal(request(s, client(14), BLK_WRITE, 3, &m), SAS_EINVAL);
    m = (l4_msg_t){ { 0, 1, BLK_BUF_SIZE - 256 } };         /* past the buffer's end */
    assert_int_equal(request(s, client(14), BLK_WRITE, 3, &m), SAS_EINVAL);
    m = (l4_msg_t){ { 0, 1, 0 } };
    assert_int_equal(request(s, client(14), BLK_WRITE, 2, &m), SAS_EINVAL);  /* words */
    m = (l4_msg_t){ { DISK_PAGES * BLK_PAGE - 10, 20, 0 } };
    assert_int_equal(request(s, client(14), BLK_CACHE_WRITE, 3, &m), SAS_EINVAL);
    m = (l4_msg_t){ { 100 } };                              /* not a page's offset */
    assert_int_equal(request(s, client(14), BLK_CACHE_MAP, 1, &m), SAS_EINVAL);
    assert_int_equal(request(s, client(14), 0x424c00ffu, 0, &m), SAS_ENOTSUP);
    for (unsigned k = 0; k < sizeof(fk.disk); k++)
        assert_int_equal(fk.disk[k], 0);                    /* nothing was written */
    m = (l4_msg_t){ { sectors - 1, 1, 0 } };
    assert_int_equal(request(s, client(14), BLK_WRITE, 3, &m), SAS_OK);
    assert_int_equal(fk.disk[sizeof(fk.disk) - 1], 0x33);
}

/* Every clean page the cache holds is byte for byte what the device holds, and the dirty
 * count is the dirty pages'. */
static void assert_cache_coherent(struct blk_server *s)
{
    unsigned dirty = 0;
    for (unsigned i = 0; i < s->cache.npages; i++) {
        dirty += s->cache.dirty[i];
        if (s->cache.dirty[i])
            assert_true(s->cache.tag[i] && s->cache.listed[i]);
        else if (s->cache.tag[i])
            assert_memory_equal(s->cache.frames + (uint64_t)i * BLK_PAGE,
                                fk.disk + (s->cache.tag[i] - 1) * BLK_PAGE, BLK_PAGE);
    }
    assert_int_equal(dirty, s->cache.ndirty);
}

/* A cached write of len bytes of `byte` at off, from client c's buffer. */
static void cached_write(struct blk_server *s, unsigned c, uint64_t off, uint64_t len, int byte)
{
    uint64_t buf = attach_ok(s, client(c));
    memset((void *)buf, byte, len);
    l4_msg_t m = { { off, len, 0 } };
    assert_int_equal(request(s, client(c), BLK_CACHE_WRITE, 3, &m), SAS_OK);
}

/* A cached write reaches the device at the next flush, not before; a third dirty page of
 * the four-page cache (more than half) makes the cache write them back by itself. */
static void flush_writes_back_every_dirty_page(void **state)
{
    struct blk_server *s = *state;
    cached_write(s, 15, BLK_PAGE + 10, BLK_PAGE, 0x5e);          /* pages 1 and 2 */
    assert_int_equal(fk.disk[BLK_PAGE + 10], 0);
    assert_int_equal(s->cache.ndirty, 2);
    l4_msg_t m = { { 0 } };
    assert_int_equal(request(s, client(15), BLK_FLUSH, 0, &m), SAS_OK);
    assert_int_equal(s->cache.ndirty, 0);
    for (uint64_t k = 0; k < BLK_PAGE; k++)
        assert_int_equal(fk.disk[BLK_PAGE + 10 + k], 0x5e);
    assert_int_equal(fk.disk[BLK_PAGE + 9], 0);
    assert_int_equal(fk.disk[2 * BLK_PAGE + 10], 0);
    cached_write(s, 15, 4 * BLK_PAGE, 3 * BLK_PAGE, 0x5f);       /* pages 4 .. 6 */
    assert_int_equal(s->cache.ndirty, 0);
    assert_int_equal(fk.disk[7 * BLK_PAGE - 1], 0x5f);
    assert_cache_coherent(s);
}

/* A raw read of sectors whose page a cached write dirtied reads that write. */
static void raw_read_sees_a_cached_write(void **state)
{
    struct blk_server *s = *state;
    cached_write(s, 15, 2 * BLK_PAGE + 512, 512, 0x7a);
    uint64_t buf = attach_ok(s, client(15));
    memset((void *)buf, 0, 1024);
    l4_msg_t m = { { 2 * BLK_PAGE / BLK_SECTOR + 1, 1, 0 } };
    assert_int_equal(request(s, client(15), BLK_READ, 3, &m), SAS_OK);
    assert_int_equal(((uint8_t *)buf)[0], 0x7a);
    assert_int_equal(((uint8_t *)buf)[511], 0x7a);
    assert_cache_coherent(s);
}

/* A raw write over a dirty page is not undone by that page's write-back. */
static void raw_write_is_not_undone_by_a_later_write_back(void **state)
{
    struct blk_server *s = *state;
    cached_write(s, 15, 0, BLK_PAGE, 0x11);
    uint64_t buf = attach_ok(s, client(15));
    memset((void *)buf, 0x22, BLK_SECTOR);
    l4_msg_t m = { { 3, 1, 0 } };                               /* sector 3 of page 0 */
    assert_int_equal(request(s, client(15), BLK_WRITE, 3, &m), SAS_OK);
    m = (l4_msg_t){ { 0 } };
    assert_int_equal(request(s, client(15), BLK_FLUSH, 0, &m), SAS_OK);
    assert_int_equal(fk.disk[3 * BLK_SECTOR], 0x22);
    assert_int_equal(fk.disk[3 * BLK_SECTOR - 1], 0x11);
    assert_int_equal(fk.disk[4 * BLK_SECTOR], 0x11);
    assert_cache_coherent(s);
}

/* A write-back that fails makes that flush fail; the next flush, with nothing lost since,
 * succeeds. A write-back the cache did for itself (to make room) that fails is reported
 * by the next flush instead. */
static void a_failed_write_back_is_reported_by_a_flush_once(void **state)
{
    struct blk_server *s = *state;
    l4_msg_t m = { { 0 } };
    cached_write(s, 15, 0, 100, 0x31);
    fk.fail_writes = 1;
    assert_int_equal(request(s, client(15), BLK_FLUSH, 0, &m), SAS_EIO);
    assert_int_equal(cache_lookup(&s->cache, 0), -1);           /* dropped */
    assert_int_equal(request(s, client(15), BLK_FLUSH, 0, &m), SAS_OK);
    cached_write(s, 15, BLK_PAGE, 100, 0x32);                   /* dirty page 1 ... */
    for (uint64_t pg = 2; pg < 6; pg++) {                       /* ... made room for */
        m = (l4_msg_t){ { pg * BLK_PAGE, 10, 0 } };
        fk.fail_writes = 1;
        assert_int_equal(request(s, client(15), BLK_CACHE_READ, 3, &m), SAS_OK);
    }
    fk.fail_writes = 0;
    assert_int_equal(cache_lookup(&s->cache, 1), -1);
    m = (l4_msg_t){ { 0 } };
    assert_int_equal(request(s, client(15), BLK_FLUSH, 0, &m), SAS_EIO);
    assert_int_equal(request(s, client(15), BLK_FLUSH, 0, &m), SAS_OK);
    assert_cache_coherent(s);
}

/* A raw write around the cache updates the cached page, so a view sees it at once. */
static void raw_write_updates_the_cached_page(void **state)
{
    struct blk_server *s = *state;
    uint64_t buf = attach_ok(s, client(15));
    l4_msg_t m = { { 2 * BLK_PAGE } };
    assert_int_equal(request(s, client(15), BLK_CACHE_MAP, 1, &m), SAS_OK);
    const uint8_t *view = (const uint8_t *)m.w[1];
    memset((void *)buf, 0x42, 3 * BLK_SECTOR);
    uint64_t sector = 2 * BLK_PAGE / BLK_SECTOR + 7;           /* the page's tail and beyond */
    m = (l4_msg_t){ { sector, 3, 0 } };
    assert_int_equal(request(s, client(15), BLK_WRITE, 3, &m), SAS_OK);
    assert_int_equal(view[7 * BLK_SECTOR], 0x42);
    assert_int_equal(view[7 * BLK_SECTOR - 1], 0);
    assert_cache_coherent(s);
}

/* A raw write that fails drops the cached pages it touched: the device's bytes are unknown. */
static void failed_raw_write_drops_the_cached_page(void **state)
{
    struct blk_server *s = *state;
    attach_ok(s, client(15));
    l4_msg_t m = { { 3 * BLK_PAGE } };
    assert_int_equal(request(s, client(15), BLK_CACHE_MAP, 1, &m), SAS_OK);
    fk.fail_writes = 1;
    m = (l4_msg_t){ { 3 * BLK_PAGE / BLK_SECTOR, 1, 0 } };
    assert_int_equal(request(s, client(15), BLK_WRITE, 3, &m), SAS_EIO);
    assert_int_equal(cache_lookup(&s->cache, 3), -1);
    assert_cache_coherent(s);
}

static unsigned rnd(unsigned n)
{
    fk.seed = fk.seed * 1103515245u + 12345u;
    return (fk.seed >> 8) % n;
}

/* Near the device's size, so that ends, edges and overruns all come up. */
static uint64_t rnd_offset(uint64_t size)
{
    uint64_t r = rnd(3) ? rnd((unsigned)size) : size - rnd(64) + rnd(64);
    return rnd(4) ? r : r / BLK_SECTOR * BLK_SECTOR;
}

/* One random request from one of three clients (one of which never attached): any label
 * of the protocol or none, any word count, words around the valid ranges. */
static void random_request(struct blk_server *s)
{
    static const uint32_t labels[] = { BLK_ATTACH, BLK_READ, BLK_WRITE, BLK_FLUSH, BLK_INFO,
                                       BLK_CACHE_READ, BLK_CACHE_WRITE, BLK_CACHE_MAP, 0,
                                       0x424c00ffu };
    uint64_t bytes = sizeof(fk.disk), sectors = bytes / BLK_SECTOR;
    l4_threadid_t from = client(30 + rnd(3));
    uint32_t label = labels[rnd(sizeof(labels) / sizeof(labels[0]))];
    l4_msg_t m = { { 0 } };
    int raw = label == BLK_READ || label == BLK_WRITE;
    m.w[0] = raw ? rnd((unsigned)sectors + 2) : rnd_offset(bytes);
    m.w[1] = raw ? rnd(BLK_BUF_SIZE / BLK_SECTOR + 2) : rnd(BLK_BUF_SIZE + 2);
    m.w[2] = rnd(2) ? 0 : raw ? rnd(BLK_BUF_SIZE / BLK_SECTOR) * BLK_SECTOR : rnd(BLK_BUF_SIZE);
    unsigned u = rnd(8) ? (label == BLK_CACHE_MAP ? 1 : raw || label > BLK_INFO ? 3 : 0) : rnd(9);
    for (unsigned k = 0; k < 3; k++) {                         /* fresh bytes to write */
        uint8_t *b = s->dev.dma + (uint64_t)(k + 1) * BLK_BUF_SIZE;
        memset(b + rnd(BLK_BUF_SIZE - 64), (int)rnd(256), 64);
    }
    fk.fail_writes = rnd(50) == 0;
    enum sas_error e = request(s, from, label, u, &m);
    fk.fail_writes = 0;
    if (label == BLK_FLUSH && u == 0)
        assert_int_equal(s->cache.ndirty, 0);                   /* even when it failed */
    (void)e;
    if (label == BLK_CACHE_READ && u == 3 && m.w[0] < bytes)    /* what it read is the disk's */
        assert_cache_coherent(s);
}

/* 20,000 random requests: nothing faults (ASan, UBSan), and after each one every clean
 * cached page is what the device holds (a flush leaves none dirty), whatever mix of raw and cached reads and writes, maps,
 * failed writes and nonsense came before. */
static void random_requests_keep_the_cache_coherent(void **state)
{
    struct blk_server *s = *state;
    fk.seed = 7;
    for (unsigned n = 0; n < 20000; n++) {
        random_request(s);
        assert_cache_coherent(s);
    }
    assert_true(s->cache.hits > 100 && s->cache.misses > 100);   /* it did exercise them */
}

/* A CACHE_MAP reply whose item the client's kernel memory refused is answered once more,
 * SAS_ENOMEM and no item, so the client's call returns; any other failed reply is dropped. */
static void refused_map_item_is_answered_enomem(void **state)
{
    l4_msg_t m = { { 0 } };
    attach_ok(*state, client(15));
    assert_int_equal(request(*state, client(15), BLK_CACHE_MAP, 1, &m), SAS_OK);
    struct server_msg msg = { .from = client(15), .task = l4_tid_task(client(15)), .tag = l4_msgtag(BLK_CACHE_MAP, 1, 0),
                              .m = &m, .reply = l4_msgtag(SAS_OK, 0, 2) };
    assert_int_equal(blk_reply_failed(*state, &msg, L4_ERR_MAP_FAILED), SERVER_REPLY);
    assert_int_equal(l4_msgtag_label(msg.reply), SAS_ENOMEM);
    assert_int_equal(l4_msgtag_t_words(msg.reply), 0);
    msg.reply = l4_msgtag(SAS_OK, 0, 2);
    assert_int_not_equal(blk_reply_failed(*state, &msg, L4_ERR_NO_PARTNER), SERVER_REPLY);
    msg.reply = l4_msgtag(SAS_OK, 1, 0);
    assert_int_not_equal(blk_reply_failed(*state, &msg, L4_ERR_MAP_FAILED), SERVER_REPLY);
}

/* Once root names an owner, only the owner's task attaches; root is asked every time, so
 * the owner it names later (or none, once persist is gone) is the one that counts. */
static void attach_is_refused_to_all_but_the_disks_owner(void **state)
{
    struct blk_server *s = *state;
    enum sas_error e;
    fk.owner = 0;                                           /* nobody owns it yet */
    uint64_t va = attach_ok(s, client(17));
    fk.owner = 17;                                          /* persist (17) is ready */
    assert_int_equal(attach_ok(s, client(17)), va);         /* the owner again */
    assert_int_equal(attach_ok(s, l4_tid_make(17, 3, 5)), va);  /* any thread of it */
    assert_int_equal(attach(s, client(18), &e), 0);
    assert_int_equal(e, SAS_EPERM);
    assert_int_equal(attach(s, l4_tid_make(ROOT_TASK, 2, 1), &e), 0);   /* root too */
    assert_int_equal(e, SAS_EPERM);
    assert_int_equal(fk.owner_asked, 5);                    /* asked every time */
    l4_msg_t m = { { 0, 1, 0 } };                           /* 18 got no slot */
    assert_int_equal(request(s, client(18), BLK_READ, 3, &m), SAS_EPERM);
    fk.owner = 0;                                           /* persist is gone */
    assert_int_not_equal(attach_ok(s, client(18)), va);
}

/* If root cannot say who owns the disk, nobody attaches. */
static void attach_is_refused_when_root_does_not_answer(void **state)
{
    struct blk_server *s = *state;
    enum sas_error e;
    fk.owner_e = SAS_EIO;
    assert_int_equal(attach(s, client(17), &e), 0);
    assert_int_equal(e, SAS_EIO);
    l4_msg_t m = { { 0, 64, 0 } };
    assert_int_equal(request(s, client(17), BLK_CACHE_WRITE, 3, &m), SAS_EPERM);
}

/* Every request but ATTACH and INFO from a task that never attached is refused before it
 * does anything: no device request, no cached page. */
static void a_task_that_did_not_attach_gets_only_info(void **state)
{
    struct blk_server *s = *state;
    static const struct { uint32_t label; unsigned u; } reqs[] = {
        { BLK_READ, 3 }, { BLK_WRITE, 3 }, { BLK_CACHE_READ, 3 }, { BLK_CACHE_WRITE, 3 },
        { BLK_CACHE_MAP, 1 }, { BLK_FLUSH, 0 },
    };
    cached_write(s, 15, 0, 100, 0x44);                      /* a dirty page of another's */
    for (unsigned k = 0; k < sizeof(reqs) / sizeof(reqs[0]); k++) {
        l4_msg_t m = { { 0, 1, 0 } };
        assert_int_equal(request(s, client(19), reqs[k].label, reqs[k].u, &m), SAS_EPERM);
    }
    assert_int_equal(s->cache.ndirty, 1);                   /* no flush wrote it back */
    assert_int_equal(fk.disk[0], 0);
    assert_int_equal(s->cache.misses, 1);                   /* only 15's own write */
    l4_msg_t m = { { 0 } };
    assert_int_equal(request(s, client(19), BLK_INFO, 0, &m), SAS_OK);
    assert_int_equal(m.w[0], s->dev.sectors);
}

/* Root flushes at power-off without attaching (and while persist owns the disk). */
static void root_may_flush_without_attaching(void **state)
{
    struct blk_server *s = *state;
    cached_write(s, 15, 0, 100, 0x45);
    fk.owner = 15;
    l4_msg_t m = { { 0 } };
    assert_int_equal(request(s, l4_tid_make(ROOT_TASK, 2, 1), BLK_FLUSH, 0, &m), SAS_OK);
    assert_int_equal(s->cache.ndirty, 0);
    assert_int_equal(fk.disk[99], 0x45);
    m = (l4_msg_t){ { 0, 1, 0 } };                          /* but nothing else */
    assert_int_equal(request(s, l4_tid_make(ROOT_TASK, 2, 1), BLK_READ, 3, &m), SAS_EPERM);
}

#define OPS_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        OPS_TEST(attach_gives_each_task_a_buffer_of_its_own),
        OPS_TEST(attach_with_every_client_alive_is_busy),
        OPS_TEST(attach_takes_back_the_slot_of_a_client_that_is_gone),
        OPS_TEST(a_reused_task_number_does_not_inherit_the_buffer),
        OPS_TEST(another_thread_of_the_task_shares_its_slot),
        OPS_TEST(requests_are_checked_before_anything_is_done),
        OPS_TEST(raw_write_updates_the_cached_page),
        OPS_TEST(failed_raw_write_drops_the_cached_page),
        OPS_TEST(flush_writes_back_every_dirty_page),
        OPS_TEST(raw_read_sees_a_cached_write),
        OPS_TEST(raw_write_is_not_undone_by_a_later_write_back),
        OPS_TEST(a_failed_write_back_is_reported_by_a_flush_once),
        OPS_TEST(random_requests_keep_the_cache_coherent),
        OPS_TEST(refused_map_item_is_answered_enomem),
        OPS_TEST(attach_is_refused_to_all_but_the_disks_owner),
        OPS_TEST(attach_is_refused_when_root_does_not_answer),
        OPS_TEST(a_task_that_did_not_attach_gets_only_info),
        OPS_TEST(root_may_flush_without_attaching),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
