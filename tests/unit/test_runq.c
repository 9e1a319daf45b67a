/*
 * test_runq.c — the ready queues (l4kern/src/kernel/runq.c) on the host: FIFO order within
 * a priority, rotation, removal of head/middle/tail/only element, the 256-bit map of
 * non-empty levels at its word boundaries (0, 63, 64, 255) with its cached top, and
 * runq_highest across levels.
 * Every check walks the circular list both ways, so a broken back link fails too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <k/sched.h>

static struct runq q;
static struct tcb t[8];

static int setup(void **st)
{
    (void)st;
    memset(&q, 0, sizeof(q));
    memset(t, 0, sizeof(t));
    return 0;
}

static struct tcb *at(unsigned i, unsigned prio)
{
    t[i].prio = (uint8_t)prio;
    return &t[i];
}

/* Level `prio` holds exactly want[0..n) in this order, linked both ways, map bit set. */
static void expect_level(unsigned prio, struct tcb *const *want, unsigned n)
{
    int bit = (q.bitmap[prio / 64] >> (prio % 64)) & 1;
    if (n == 0) {
        assert_null(q.head[prio]);
        assert_int_equal(bit, 0);
        return;
    }
    assert_int_equal(bit, 1);
    assert_ptr_equal(q.head[prio], want[0]);
    for (unsigned i = 0; i < n; i++) {
        assert_true(want[i]->in_runq);
        assert_ptr_equal(want[i]->rq_next, want[(i + 1) % n]);
        assert_ptr_equal(want[i]->rq_prev, want[(i + n - 1) % n]);
    }
}

/* Exactly the levels in `levels` (count n) have their map bit set, and the cached top is
 * the highest of them. */
static void expect_map(const unsigned *levels, unsigned n)
{
    uint64_t want[4] = { 0 };
    unsigned top = 0;
    for (unsigned i = 0; i < n; i++) {
        want[levels[i] / 64] |= 1ULL << (levels[i] % 64);
        if (levels[i] + 1 > top)
            top = levels[i] + 1;
    }
    for (int w = 0; w < 4; w++)
        assert_int_equal(q.bitmap[w], want[w]);
    assert_int_equal(q.top, top);
}

static void runq_highest_of_empty_queue_is_null(void **st)
{
    (void)st;
    assert_null(runq_highest(&q));
    expect_map(NULL, 0);
}

static void runq_enqueue_keeps_fifo_order_within_level(void **st)
{
    (void)st;
    struct tcb *a = at(0, 100), *b = at(1, 100), *c = at(2, 100);
    runq_enqueue(&q, a);
    runq_enqueue(&q, b);
    runq_enqueue(&q, c);
    expect_level(100, (struct tcb *[]){ a, b, c }, 3);
    assert_ptr_equal(runq_highest(&q), a);
    expect_map((unsigned[]){ 100 }, 1);
}

static void runq_enqueue_single_links_to_itself(void **st)
{
    (void)st;
    struct tcb *a = at(0, 7);
    runq_enqueue(&q, a);
    assert_ptr_equal(a->rq_next, a);
    assert_ptr_equal(a->rq_prev, a);
    expect_level(7, (struct tcb *[]){ a }, 1);
}

/* 0, 63, 64 and 255 are the first and last bits of the map's words. */
static void runq_bitmap_marks_word_boundary_levels(void **st)
{
    (void)st;
    static const unsigned levels[] = { 0, 63, 64, 255 };
    for (unsigned i = 0; i < 4; i++) {
        runq_enqueue(&q, at(i, levels[i]));
        expect_map(levels, i + 1);
    }
    for (unsigned i = 0; i < 4; i++)
        expect_level(levels[i], (struct tcb *[]){ &t[i] }, 1);
    /* Taking them out again clears exactly their own bit. */
    for (unsigned i = 0; i < 4; i++) {
        runq_remove(&q, &t[i]);
        expect_map(levels + i + 1, 3 - i);
        expect_level(levels[i], NULL, 0);
    }
}

static void runq_highest_picks_highest_level_across_words(void **st)
{
    (void)st;
    runq_enqueue(&q, at(0, 0));
    assert_ptr_equal(runq_highest(&q), &t[0]);
    runq_enqueue(&q, at(1, 63));
    assert_ptr_equal(runq_highest(&q), &t[1]);
    runq_enqueue(&q, at(2, 64));
    assert_ptr_equal(runq_highest(&q), &t[2]);
    runq_enqueue(&q, at(3, 255));
    assert_ptr_equal(runq_highest(&q), &t[3]);
    runq_enqueue(&q, at(4, 254));       /* lower than 255: does not take over */
    assert_ptr_equal(runq_highest(&q), &t[3]);

    runq_remove(&q, &t[3]);
    assert_ptr_equal(runq_highest(&q), &t[4]);
    runq_remove(&q, &t[4]);
    assert_ptr_equal(runq_highest(&q), &t[2]);
    runq_remove(&q, &t[2]);
    assert_ptr_equal(runq_highest(&q), &t[1]);
    runq_remove(&q, &t[1]);
    assert_ptr_equal(runq_highest(&q), &t[0]);
    runq_remove(&q, &t[0]);
    assert_null(runq_highest(&q));
}

static void runq_highest_returns_head_of_its_level(void **st)
{
    (void)st;
    runq_enqueue(&q, at(0, 200));
    runq_enqueue(&q, at(1, 200));
    runq_enqueue(&q, at(2, 10));
    assert_ptr_equal(runq_highest(&q), &t[0]);
    runq_rotate(&q, &t[0]);
    assert_ptr_equal(runq_highest(&q), &t[1]);
}

static void runq_rotate_moves_head_to_tail(void **st)
{
    (void)st;
    struct tcb *a = at(0, 50), *b = at(1, 50), *c = at(2, 50);
    runq_enqueue(&q, a);
    runq_enqueue(&q, b);
    runq_enqueue(&q, c);
    runq_rotate(&q, a);
    expect_level(50, (struct tcb *[]){ b, c, a }, 3);
    runq_rotate(&q, b);
    expect_level(50, (struct tcb *[]){ c, a, b }, 3);
}

static void runq_rotate_moves_middle_to_tail(void **st)
{
    (void)st;
    struct tcb *a = at(0, 50), *b = at(1, 50), *c = at(2, 50), *d = at(3, 50);
    runq_enqueue(&q, a);
    runq_enqueue(&q, b);
    runq_enqueue(&q, c);
    runq_enqueue(&q, d);
    runq_rotate(&q, b);
    expect_level(50, (struct tcb *[]){ a, c, d, b }, 4);
}

static void runq_rotate_of_tail_keeps_order(void **st)
{
    (void)st;
    struct tcb *a = at(0, 50), *b = at(1, 50), *c = at(2, 50);
    runq_enqueue(&q, a);
    runq_enqueue(&q, b);
    runq_enqueue(&q, c);
    runq_rotate(&q, c);
    expect_level(50, (struct tcb *[]){ a, b, c }, 3);
}

static void runq_rotate_of_only_element_keeps_it_queued(void **st)
{
    (void)st;
    struct tcb *a = at(0, 255);
    runq_enqueue(&q, a);
    runq_rotate(&q, a);
    expect_level(255, (struct tcb *[]){ a }, 1);
    assert_ptr_equal(runq_highest(&q), a);
}

static void runq_rotate_ignores_thread_not_queued(void **st)
{
    (void)st;
    struct tcb *a = at(0, 50), *b = at(1, 50), *outside = at(2, 50);
    runq_enqueue(&q, a);
    runq_enqueue(&q, b);
    runq_rotate(&q, outside);
    expect_level(50, (struct tcb *[]){ a, b }, 2);
    assert_false(outside->in_runq);
    assert_null(outside->rq_next);
}

static void runq_rotate_leaves_other_levels_alone(void **st)
{
    (void)st;
    struct tcb *a = at(0, 50), *b = at(1, 50), *x = at(2, 51), *y = at(3, 51);
    runq_enqueue(&q, a);
    runq_enqueue(&q, b);
    runq_enqueue(&q, x);
    runq_enqueue(&q, y);
    runq_rotate(&q, a);
    expect_level(50, (struct tcb *[]){ b, a }, 2);
    expect_level(51, (struct tcb *[]){ x, y }, 2);
}

static void runq_remove_head_promotes_next(void **st)
{
    (void)st;
    struct tcb *a = at(0, 9), *b = at(1, 9), *c = at(2, 9);
    runq_enqueue(&q, a);
    runq_enqueue(&q, b);
    runq_enqueue(&q, c);
    runq_remove(&q, a);
    expect_level(9, (struct tcb *[]){ b, c }, 2);
    assert_false(a->in_runq);
    assert_null(a->rq_next);
    assert_null(a->rq_prev);
}

static void runq_remove_middle_relinks_neighbours(void **st)
{
    (void)st;
    struct tcb *a = at(0, 9), *b = at(1, 9), *c = at(2, 9);
    runq_enqueue(&q, a);
    runq_enqueue(&q, b);
    runq_enqueue(&q, c);
    runq_remove(&q, b);
    expect_level(9, (struct tcb *[]){ a, c }, 2);
    assert_false(b->in_runq);
}

static void runq_remove_tail_relinks_head(void **st)
{
    (void)st;
    struct tcb *a = at(0, 9), *b = at(1, 9), *c = at(2, 9);
    runq_enqueue(&q, a);
    runq_enqueue(&q, b);
    runq_enqueue(&q, c);
    runq_remove(&q, c);
    expect_level(9, (struct tcb *[]){ a, b }, 2);
    runq_enqueue(&q, c);                /* and the tail slot works again */
    expect_level(9, (struct tcb *[]){ a, b, c }, 3);
}

static void runq_remove_only_element_clears_level(void **st)
{
    (void)st;
    struct tcb *a = at(0, 64), *other = at(1, 65);
    runq_enqueue(&q, a);
    runq_enqueue(&q, other);
    runq_remove(&q, a);
    expect_level(64, NULL, 0);
    expect_map((unsigned[]){ 65 }, 1);
    assert_false(a->in_runq);
    assert_ptr_equal(runq_highest(&q), other);
}

static void runq_remove_twice_is_harmless(void **st)
{
    (void)st;
    struct tcb *a = at(0, 3), *b = at(1, 3);
    runq_enqueue(&q, a);
    runq_enqueue(&q, b);
    runq_remove(&q, a);
    runq_remove(&q, a);
    expect_level(3, (struct tcb *[]){ b }, 1);
}

static void runq_reenqueue_after_remove_goes_to_tail(void **st)
{
    (void)st;
    struct tcb *a = at(0, 128), *b = at(1, 128), *c = at(2, 128);
    runq_enqueue(&q, a);
    runq_enqueue(&q, b);
    runq_enqueue(&q, c);
    runq_remove(&q, a);
    runq_enqueue(&q, a);
    expect_level(128, (struct tcb *[]){ b, c, a }, 3);
}

/* A thread moved between levels (what thread_schedule does) lands at the new tail. */
static void runq_priority_change_by_remove_and_enqueue(void **st)
{
    (void)st;
    struct tcb *a = at(0, 10), *b = at(1, 20);
    runq_enqueue(&q, a);
    runq_enqueue(&q, b);
    runq_remove(&q, a);
    a->prio = 20;
    runq_enqueue(&q, a);
    expect_level(10, NULL, 0);
    expect_level(20, (struct tcb *[]){ b, a }, 2);
    expect_map((unsigned[]){ 20 }, 1);
}


/* Random enqueue/remove/rotate against a model of per-level arrays. */
static void runq_matches_model_under_random_operations(void **st)
{
    (void)st;
    static const unsigned prios[] = { 0, 1, 63, 64, 200, 255 };
    struct tcb *model[256][8];
    unsigned len[256] = { 0 };
    uint32_t seed = 12345;
    for (int step = 0; step < 20000; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned i = (seed >> 16) % 8, op = (seed >> 8) % 2;
        struct tcb *x = &t[i];
        if (!x->in_runq) {
            x->prio = (uint8_t)prios[(seed >> 24) % 6];
            runq_enqueue(&q, x);
            model[x->prio][len[x->prio]++] = x;
            continue;
        }
        unsigned p = x->prio, k = 0;
        while (model[p][k] != x)
            k++;
        memmove(&model[p][k], &model[p][k + 1], (len[p] - k - 1) * sizeof(x));
        if (op == 0) {
            runq_remove(&q, x);
            len[p]--;
        } else {
            runq_rotate(&q, x);       /* head, middle or tail: it ends up last */
            model[p][len[p] - 1] = x;
        }
        for (unsigned l = 0; l < 6; l++)
            expect_level(prios[l], model[prios[l]], len[prios[l]]);
        struct tcb *best = NULL;
        for (int l = 255; l >= 0 && !best; l--)
            if (len[l])
                best = model[l][0];
        assert_ptr_equal(runq_highest(&q), best);
    }
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(runq_highest_of_empty_queue_is_null),
        T(runq_enqueue_keeps_fifo_order_within_level),
        T(runq_enqueue_single_links_to_itself),
        T(runq_bitmap_marks_word_boundary_levels),
        T(runq_highest_picks_highest_level_across_words),
        T(runq_highest_returns_head_of_its_level),
        T(runq_rotate_moves_head_to_tail),
        T(runq_rotate_moves_middle_to_tail),
        T(runq_rotate_of_tail_keeps_order),
        T(runq_rotate_of_only_element_keeps_it_queued),
        T(runq_rotate_ignores_thread_not_queued),
        T(runq_rotate_leaves_other_levels_alone),
        T(runq_remove_head_promotes_next),
        T(runq_remove_middle_relinks_neighbours),
        T(runq_remove_tail_relinks_head),
        T(runq_remove_only_element_clears_level),
        T(runq_remove_twice_is_harmless),
        T(runq_reenqueue_after_remove_goes_to_tail),
        T(runq_priority_change_by_remove_and_enqueue),
        T(runq_matches_model_under_random_operations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
