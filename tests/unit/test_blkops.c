/*
 * test_blkops.c — the virtio-blk driver's requests (sasos/virtio_blk/ops.c) on the host:
 * who gets a client slot, and that a slot never outlives its client. ops.c runs with the
 * real cache (cache.c, lru.c) over fakes of the device (every request succeeds, a flat
 * in-memory disk), of the unmaps (logged) and of the kernel's answer to "does this thread
 * still exist" (a set of dead thread ids).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "virtio_blk.h"

#define DISK_PAGES 8u
#define MAX_DEAD   8u

static struct {
    uint8_t disk[DISK_PAGES * BLK_PAGE];
    uint64_t unmapped[16];                      /* buffers vblk_unmap_buffer was given */
    unsigned nunmapped;
    l4_threadid_t dead[MAX_DEAD];
    unsigned ndead;
} fk;

enum sas_error vblk_dov(struct vblk *v, uint32_t type, uint64_t sector,
                        const struct vblk_seg *seg, unsigned n)
{
    (void)v;
    uint64_t at = sector * BLK_SECTOR;
    for (unsigned k = 0; k < n; at += seg[k++].len) {
        uint8_t *d = fk.disk + at;
        assert_true(at + seg[k].len <= sizeof(fk.disk));
        memcpy(type == VIRTIO_BLK_T_IN ? seg[k].buf : d,
               type == VIRTIO_BLK_T_IN ? d : seg[k].buf, seg[k].len);
    }
    return SAS_OK;
}

void vblk_unmap_frame(uint64_t va) { (void)va; }
int vblk_frame_accessed(uint64_t va) { (void)va; return 0; }

void vblk_unmap_buffer(uint64_t va)
{
    assert_true(fk.nunmapped < 16);
    fk.unmapped[fk.nunmapped++] = va;
}

int vblk_thread_alive(l4_threadid_t t)
{
    for (unsigned i = 0; i < fk.ndead; i++)
        if (fk.dead[i] == t)
            return 0;
    return 1;
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
    s->dev.max_segs = VBLK_MAX_SEGS;
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

/* One request: the reply's label (a sas_error) and words in *m. */
static enum sas_error request(struct blk_server *s, l4_threadid_t from, uint32_t label,
                              unsigned u, l4_msg_t *m)
{
    l4_msgtag_t out;
    blk_op(s, from, l4_msgtag(label, u, 0), m, &out);
    return (enum sas_error)l4_msgtag_label(out);
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
    assert_int_equal(request(s, client_again(13), BLK_CACHE_WRITE, 3, &m), SAS_EBUSY);
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

static void requests_are_checked_before_anything_is_done(void **state)
{
    struct blk_server *s = *state;
    l4_msg_t m = { { 0, 1, 0 } };
    assert_int_equal(request(s, client(14), BLK_READ, 3, &m), SAS_EBUSY);   /* no attach */
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

#define OPS_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        OPS_TEST(attach_gives_each_task_a_buffer_of_its_own),
        OPS_TEST(attach_with_every_client_alive_is_busy),
        OPS_TEST(attach_takes_back_the_slot_of_a_client_that_is_gone),
        OPS_TEST(a_reused_task_number_does_not_inherit_the_buffer),
        OPS_TEST(requests_are_checked_before_anything_is_done),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
