/*
 * test_blkring.c — the virtqueue's bookkeeping (sasos/virtio_blk/vring.c) against a fake
 * device that plays the other side of the rings as the virtio spec's legacy layout has it:
 * it takes heads from the available ring, walks their chains by the descriptors' flags,
 * and puts heads in the used ring, in any order. Checked: each chain as built (addresses,
 * lengths, the device-writes flag, the links), several in flight completed out of order
 * with their descriptors given back, a full queue refused without change, a long random
 * run in which no two chains in flight ever share a descriptor, and an element naming no
 * chain skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "virtio_blk.h"

#define QSIZE 256u

static struct {
    uint8_t *mem;
    struct vring r;
    uint16_t avail_seen, used_idx;               /* the device's own indices */
} fk;

static int setup(void **state)
{
    (void)state;
    memset(&fk, 0, sizeof(fk));
    fk.mem = aligned_alloc(VRING_ALIGN, (vring_bytes(QSIZE) + VRING_ALIGN - 1) & ~(VRING_ALIGN - 1));
    memset(fk.mem, 0xcc, vring_bytes(QSIZE));
    vring_init(&fk.r, fk.mem, QSIZE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(fk.mem);
    return 0;
}

/* The device: the next head made available, or -1. */
static int dev_pop(void)
{
    if (fk.r.avail[1] == fk.avail_seen)
        return -1;
    return fk.r.avail[2 + fk.avail_seen++ % QSIZE];
}

/* The device: the descriptors of the chain at head into d (at most max); their count. */
static unsigned dev_chain(unsigned head, unsigned *d, unsigned max)
{
    unsigned n = 0, i = head;
    for (;;) {
        assert_true(n < max && i < QSIZE);
        d[n++] = i;
        if (!(fk.r.desc[i].flags & 1))
            return n;
        i = fk.r.desc[i].next;
    }
}

/* The device: chain `head` used. */
static void dev_complete(uint32_t head)
{
    volatile uint32_t *elem = (volatile uint32_t *)(fk.r.used + 2);
    elem[2 * (fk.used_idx % QSIZE)] = head;
    elem[2 * (fk.used_idx % QSIZE) + 1] = 0;
    fk.r.used[1] = ++fk.used_idx;
}

/* A chain of n buffers at phys base + 4096 k, the last one written by the device. */
static int add(unsigned n, uint64_t base)
{
    struct vring_buf b[QSIZE];
    for (unsigned k = 0; k < n; k++)
        b[k] = (struct vring_buf){ base + 4096 * k, 16u + k, k + 1 == n };
    return vring_add(&fk.r, b, n);
}

static void vring_lays_out_the_legacy_rings(void **state)
{
    (void)state;
    assert_ptr_equal((void *)fk.r.desc, fk.mem);
    assert_ptr_equal((void *)fk.r.avail, fk.mem + 16 * QSIZE);
    assert_ptr_equal((void *)fk.r.used, fk.mem + 8192);        /* 4096 + 518, aligned */
    assert_int_equal(vring_bytes(QSIZE), 8192 + 6 + 8 * QSIZE);
    assert_int_equal(fk.r.avail[1], 0);
    assert_int_equal(fk.r.used[1], 0);
    assert_int_equal(fk.r.nfree, QSIZE);
}

static void vring_add_builds_the_chain_the_device_walks(void **state)
{
    (void)state;
    int head = add(4, 0x100000);
    assert_true(head >= 0);
    assert_int_equal(dev_pop(), head);
    unsigned d[8], n = dev_chain((unsigned)head, d, 8);
    assert_int_equal(n, 4);
    for (unsigned k = 0; k < n; k++) {
        assert_int_equal(fk.r.desc[d[k]].addr, 0x100000 + 4096 * k);
        assert_int_equal(fk.r.desc[d[k]].len, 16 + k);
        assert_int_equal(fk.r.desc[d[k]].flags & 2, k == 3 ? 2 : 0);
    }
    assert_int_equal(fk.r.nfree, QSIZE - 4);
    assert_int_equal(vring_used(&fk.r), -1);                    /* not used yet */
    dev_complete((uint32_t)head);
    assert_int_equal(vring_used(&fk.r), head);
    assert_int_equal(fk.r.nfree, QSIZE);
    assert_int_equal(vring_used(&fk.r), -1);
}

/* Three chains in flight, used 2, 3, 1: each head comes back once, in the device's order,
 * and the descriptors are all free again and reusable for a chain of the whole queue. */
static void vring_takes_chains_back_in_any_order(void **state)
{
    (void)state;
    int h1 = add(3, 0x1000), h2 = add(100, 0x200000), h3 = add(2, 0x900000);
    assert_true(h1 >= 0 && h2 >= 0 && h3 >= 0);
    assert_int_equal(fk.r.nfree, QSIZE - 105);
    assert_int_equal(dev_pop(), h1);
    assert_int_equal(dev_pop(), h2);
    assert_int_equal(dev_pop(), h3);
    dev_complete((uint32_t)h2);
    dev_complete((uint32_t)h3);
    assert_int_equal(vring_used(&fk.r), h2);
    assert_int_equal(fk.r.nfree, QSIZE - 5);
    int h4 = add(50, 0x500000);                                 /* reuses h2's */
    assert_true(h4 >= 0);
    assert_int_equal(vring_used(&fk.r), h3);
    dev_complete((uint32_t)h1);
    dev_complete((uint32_t)h4);
    assert_int_equal(vring_used(&fk.r), h1);
    assert_int_equal(vring_used(&fk.r), h4);
    assert_int_equal(fk.r.nfree, QSIZE);
    assert_true(add(QSIZE, 0) >= 0);                             /* every descriptor */
    assert_int_equal(fk.r.nfree, 0);
}

static void vring_refuses_a_chain_longer_than_the_free_descriptors(void **state)
{
    (void)state;
    int h = add(QSIZE - 10, 0);
    assert_true(h >= 0);
    uint16_t idx = fk.r.avail[1];
    assert_int_equal(add(11, 0), -1);
    assert_int_equal(add(0, 0), -1);
    assert_int_equal(fk.r.avail[1], idx);                        /* nothing made available */
    assert_int_equal(fk.r.nfree, 10);
    assert_true(add(10, 0) >= 0);
}

static void vring_skips_an_element_that_names_no_chain(void **state)
{
    (void)state;
    int h = add(2, 0);
    dev_complete(QSIZE + 5);                                     /* out of the table */
    dev_complete((uint32_t)(h + 1));                             /* not a head of ours */
    dev_complete((uint32_t)h);
    assert_int_equal(vring_used(&fk.r), -2);
    assert_int_equal(vring_used(&fk.r), -2);
    assert_int_equal(vring_used(&fk.r), h);
    assert_int_equal(fk.r.nfree, QSIZE);
}

/* 200,000 steps of adds (1 .. 40 descriptors) and completions of a random chain in flight:
 * no descriptor is ever in two chains, the free count is the queue's less theirs, and the
 * indices wrap past 65,535. */
static void vring_random_run_never_shares_a_descriptor(void **state)
{
    (void)state;
    static int owner[QSIZE];
    int fly[QSIZE];
    unsigned nfly = 0, inuse = 0, x = 1, adds = 0;
    for (unsigned i = 0; i < QSIZE; i++)
        owner[i] = -1;
    for (unsigned step = 0; step < 200000; step++) {
        x = x * 1103515245u + 12345u;
        unsigned n = 1 + (x >> 16) % 40;
        if ((x >> 8) % 2 && n <= fk.r.nfree) {
            int h = add(n, (uint64_t)step << 20);
            assert_true(h >= 0);
            assert_int_equal(dev_pop(), h);
            unsigned d[40];
            assert_int_equal(dev_chain((unsigned)h, d, 40), n);
            for (unsigned k = 0; k < n; k++) {
                assert_int_equal(owner[d[k]], -1);
                owner[d[k]] = h;
            }
            fly[nfly++] = h;
            inuse += n, adds++;
        } else if (nfly) {
            unsigned pick = (x >> 4) % nfly;
            int h = fly[pick];
            fly[pick] = fly[--nfly];
            dev_complete((uint32_t)h);
            assert_int_equal(vring_used(&fk.r), h);
            for (unsigned i = 0; i < QSIZE; i++)
                if (owner[i] == h)
                    owner[i] = -1, inuse--;
        }
        assert_int_equal(fk.r.nfree, QSIZE - inuse);
    }
    assert_true(adds > 65536);                                   /* the indices wrapped */
}

#define RING_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        RING_TEST(vring_lays_out_the_legacy_rings),
        RING_TEST(vring_add_builds_the_chain_the_device_walks),
        RING_TEST(vring_takes_chains_back_in_any_order),
        RING_TEST(vring_refuses_a_chain_longer_than_the_free_descriptors),
        RING_TEST(vring_skips_an_element_that_names_no_chain),
        RING_TEST(vring_random_run_never_shares_a_descriptor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
