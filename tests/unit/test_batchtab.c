/*
 * test_batchtab.c — root's table of frame batches (sasos/root/batchtab.h) on the host: the
 * batch window is the only flexpage accepted, handles are checked against the task that
 * holds them, a group goes back whole once all its frames are freed, and the runs handed
 * back to sigma0 are as large as alignment and contiguity allow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <l4/fpage.h>
#include "batchtab.h"

#define PG SAS_PAGE_SIZE

static struct batchtab t;

static int setup(void **state)
{
    (void)state;
    memset(&t, 0, sizeof(t));
    return 0;
}

/* A batch of 2^log2 frames for task at physical pages phys0 + i (the pages of one run). */
static unsigned give(unsigned task, unsigned log2, uint64_t phys0)
{
    int g = batchtab_claim(&t, task, log2);
    assert_true(g >= 0);
    for (unsigned i = 0; i < 1u << log2; i++)
        batchtab_set(&t, (unsigned)g, i, phys0 + i * PG);
    batchtab_give(&t, (unsigned)g);
    return (unsigned)g;
}

static void batch_window_log2_accepts_only_the_window(void **s)
{
    (void)s;
    for (unsigned k = 0; k <= BATCH_MAX_LOG2; k++)
        assert_int_equal(batch_window_log2(l4_fpage(SAS_FRAME_BATCH_ADDR, 12 + k, 7)), (int)k);
    assert_int_equal(batch_window_log2(l4_fpage(SAS_FRAME_BATCH_ADDR, 13 + BATCH_MAX_LOG2, 7)), -1);
    assert_int_equal(batch_window_log2(l4_fpage(SAS_FRAME_BATCH_ADDR + PG, 12, 7)), -1);
    assert_int_equal(batch_window_log2(l4_fpage(0x2040000000ULL, 12, 7)), -1);
    assert_int_equal(batch_window_log2(l4_fpage(SAS_FRAME_BATCH_ADDR, 11, 7)), -1);
    assert_int_equal(batch_window_log2(l4_fpage(SAS_FRAME_BATCH_ADDR, 12, 7) | L4_ITEM_GRANT), -1);
    assert_int_equal(batch_window_log2(l4_fpage(SAS_FRAME_BATCH_ADDR, 12, 7) | L4_FPAGE_IO), -1);
    assert_int_equal(batch_window_log2(L4_FPAGE_NIL), -1);
}

static void batchtab_claim_takes_free_groups_first_fit(void **s)
{
    (void)s;
    assert_int_equal(give(3, 6, 0x100000), 0);
    assert_int_equal(give(4, 2, 0x200000), 1);
    assert_int_equal(t.frames, 68);
    for (unsigned g = 2; g < BATCH_GROUPS; g++)
        assert_int_equal(batchtab_claim(&t, 5, 0), (int)g);
    assert_int_equal(batchtab_claim(&t, 5, 0), -1);
}

static void batchtab_check_run_rejects_other_tasks_and_freed_frames(void **s)
{
    (void)s;
    unsigned g = give(3, 3, 0x100000);
    uint32_t h = batchtab_handle(g, 0);
    assert_int_equal(batchtab_check_run(&t, 3, h, 8), 0);
    assert_int_equal(batchtab_check_run(&t, 4, h, 1), -1);         /* another task's */
    assert_int_equal(batchtab_check_run(&t, 3, h, 9), -1);         /* past the batch */
    assert_int_equal(batchtab_check_run(&t, 3, h, 0), -1);
    assert_int_equal(batchtab_check_run(&t, 3, BATCH_HANDLE0 - 1, 2), -1);   /* a single */
    assert_int_equal(batchtab_check_run(&t, 3, BATCH_HANDLE_END - 1, 2), -1);
    assert_int_equal(batchtab_check_run(&t, 3, h, 0xffffffffu), -1);
    assert_int_equal(batchtab_free(&t, 3, g, 2, 1), 0);
    assert_int_equal(batchtab_check_run(&t, 3, h, 8), -1);         /* h + 2 is freed */
    assert_int_equal(batchtab_free(&t, 3, g, 2, 1), 0);            /* twice: nothing */
    assert_int_equal(batchtab_free(&t, 4, g, 3, 1), 0);            /* not task 4's */
    assert_int_equal(batchtab_check_run(&t, 3, h + 3, 5), 0);
}

static void batchtab_free_of_the_last_frame_frees_the_group(void **s)
{
    (void)s;
    unsigned g = give(3, 2, 0x100000);
    assert_int_equal(batchtab_free(&t, 3, g, 0, 2), 0);
    assert_int_equal(batchtab_free(&t, 3, g, 2, 1), 0);
    assert_int_equal(batchtab_free(&t, 3, g, 2, 2), 1);            /* 2 again, and 3 */
    unsigned i = 0, log2;
    uint64_t phys;
    assert_int_equal(batchtab_next_run(&t, g, &i, &phys, &log2), 4);
    assert_int_equal(i, 0);
    assert_int_equal(phys, 0x100000);
    assert_int_equal(log2, 14);
    batchtab_returned(&t, g, i, 4);
    assert_int_equal(t.frames, 0);
    assert_int_equal(t.b[g].task, 0);
    assert_int_equal(batchtab_claim(&t, 9, 6), (int)g);             /* free again */
}

static void batchtab_next_run_splits_at_gaps_misalignment_and_held_frames(void **s)
{
    (void)s;
    int g = batchtab_claim(&t, 3, 3);
    /* Frames 0..3 one aligned run; 4, 5 consecutive but misaligned; 6, 7 apart. */
    static const uint64_t phys[8] = { 0x10000, 0x11000, 0x12000, 0x13000,
                                      0x21000, 0x22000, 0x40000, 0x50000 };
    for (unsigned i = 0; i < 8; i++)
        batchtab_set(&t, (unsigned)g, i, phys[i]);
    batchtab_give(&t, (unsigned)g);
    assert_int_equal(batchtab_free(&t, 3, (unsigned)g, 0, 7), 0);
    static const unsigned want_i[] = { 0, 4, 5, 6 }, want_n[] = { 4, 1, 1, 1 };
    unsigned i = 0, log2;
    uint64_t p;
    for (unsigned r = 0; r < 4; r++) {
        assert_int_equal(batchtab_next_run(&t, (unsigned)g, &i, &p, &log2), want_n[r]);
        assert_int_equal(i, want_i[r]);
        assert_int_equal(p, phys[i]);
        batchtab_returned(&t, (unsigned)g, i, want_n[r]);
        i += want_n[r];
    }
    i = 0;
    assert_int_equal(batchtab_next_run(&t, (unsigned)g, &i, &p, &log2), 0);   /* 7 is held */
    assert_int_equal(t.b[g].task, 3);
    assert_int_equal(t.frames, 1);
    batchtab_drop(&t, (unsigned)g);                                  /* the task ended */
    i = 0;
    assert_int_equal(batchtab_next_run(&t, (unsigned)g, &i, &p, &log2), 1);
    assert_int_equal(i, 7);
    batchtab_returned(&t, (unsigned)g, 7, 1);
    assert_int_equal(t.b[g].task, 0);
}

static void batchtab_runs_span_groups_in_pieces(void **s)
{
    (void)s;
    unsigned g0 = give(3, 6, 0x100000), g1 = give(3, 6, 0x200000);
    assert_int_equal(g1, g0 + 1);
    uint32_t h = batchtab_handle(g0, 60);
    assert_int_equal(batchtab_check_run(&t, 3, h, 10), 0);          /* 4 in g0, 6 in g1 */
    unsigned g, i;
    assert_int_equal(batchtab_span(h, 10, &g, &i), 4);
    assert_int_equal(g, g0);
    assert_int_equal(i, 60);
    assert_int_equal(batchtab_span(h + 4, 6, &g, &i), 6);
    assert_int_equal(g, g1);
    assert_int_equal(i, 0);
    assert_int_equal(batchtab_free(&t, 3, g1, 0, 6), 0);
    assert_int_equal(batchtab_check_run(&t, 3, h, 10), -1);
    assert_int_equal(batchtab_check_run(&t, 3, h, 4), 0);
}

static void batchtab_pool_keeps_whole_groups_within_its_limit(void **s)
{
    (void)s;
    unsigned g = give(3, 6, 0x100000), last;
    assert_int_equal(batchtab_pool_put(&t, g), 0);                 /* still held */
    assert_int_equal(batchtab_free(&t, 3, g, 0, 64), 1);
    assert_int_equal(batchtab_pool_put(&t, g), 1);
    assert_int_equal(t.b[g].task, BATCH_POOL);
    assert_int_equal(t.pooled, 64);
    assert_int_equal(batchtab_pool_take(&t, 4, 5, &last), -1);     /* no 32-frame group */
    assert_int_equal(batchtab_pool_take(&t, 4, 6, &last), (int)g);
    assert_int_equal(last, 3);
    assert_int_equal(t.b[g].task, 4);
    assert_int_equal(batchtab_check_run(&t, 4, batchtab_handle(g, 0), 64), 0);
    assert_int_equal(t.pooled, 0);
    /* A group with a frame returned alone is not whole: not for the pool. */
    unsigned h = give(5, 1, 0x300000), i = 0, log2;
    uint64_t p;
    batchtab_free(&t, 5, h, 0, 1);
    assert_int_equal(batchtab_next_run(&t, h, &i, &p, &log2), 1);
    batchtab_returned(&t, h, 0, 1);
    assert_int_equal(batchtab_free(&t, 5, h, 1, 1), 1);
    assert_int_equal(batchtab_pool_put(&t, h), 0);
    /* The pool takes BATCH_POOL_MAX frames at most; pop empties it. */
    unsigned n = 0;
    for (;; n++) {
        unsigned k = give(6, 6, 0x1000000 + (uint64_t)n * 64 * PG);
        batchtab_free(&t, 6, k, 0, 64);
        if (!batchtab_pool_put(&t, k))
            break;
    }
    assert_int_equal(n, BATCH_POOL_MAX / 64);
    for (unsigned k = 0; k < n; k++) {
        int q = batchtab_pool_pop(&t);
        assert_true(q >= 0);
        assert_int_equal(t.b[q].task, 6);
    }
    assert_int_equal(batchtab_pool_pop(&t), -1);
    assert_int_equal(t.pooled, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(batch_window_log2_accepts_only_the_window),
        cmocka_unit_test_setup(batchtab_claim_takes_free_groups_first_fit, setup),
        cmocka_unit_test_setup(batchtab_check_run_rejects_other_tasks_and_freed_frames, setup),
        cmocka_unit_test_setup(batchtab_free_of_the_last_frame_frees_the_group, setup),
        cmocka_unit_test_setup(batchtab_next_run_splits_at_gaps_misalignment_and_held_frames,
                               setup),
        cmocka_unit_test_setup(batchtab_runs_span_groups_in_pieces, setup),
        cmocka_unit_test_setup(batchtab_pool_keeps_whole_groups_within_its_limit, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
