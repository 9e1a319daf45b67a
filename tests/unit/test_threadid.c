/*
 * test_threadid.c — thread ids (l4/types.h) on the host: the bit layout
 * [63..19] version [18..7] task [6..0] lthread, round trips at the field limits, nil,
 * that ids differing only in version never compare equal, and l4_is_canonical at the
 * edges of both canonical halves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <l4/layout.h>
#include <l4/types.h>

#define TASK_MAX    (L4_MAX_TASKS - 1)
#define LTHREAD_MAX (L4_THREADS_PER_TASK - 1)

static void expect_fields(l4_threadid_t id, unsigned task, unsigned lthread, uint64_t version)
{
    assert_int_equal(l4_tid_task(id), task);
    assert_int_equal(l4_tid_lthread(id), lthread);
    assert_int_equal(l4_tid_version(id), version);
}

static void tid_layout_is_version_task_lthread(void **st)
{
    (void)st;
    assert_int_equal(L4_THREADS_PER_TASK, 128);
    assert_int_equal(L4_MAX_TASKS, 4096);
    assert_int_equal(L4_VERSION_MAX, (1ULL << 45) - 1);
    assert_int_equal(l4_tid_make(0, 1, 0), 0x1);
    assert_int_equal(l4_tid_make(1, 0, 0), 0x80);
    assert_int_equal(l4_tid_make(0, 0, 1), 0x80000);
    assert_int_equal(l4_tid_make(L4_TASK_ROOT, 3, 5), (5ULL << 19) | (2ULL << 7) | 3);
}

static void tid_make_round_trips_fields(void **st)
{
    (void)st;
    static const unsigned tasks[] = { 0, 1, 2, 3, 1023, 2048, TASK_MAX };
    static const unsigned lts[] = { 0, 1, 64, LTHREAD_MAX };
    static const uint64_t vers[] = { 1, 2, 0xffff, 1ULL << 32, L4_VERSION_MAX - 1, L4_VERSION_MAX };
    for (unsigned a = 0; a < sizeof(tasks) / sizeof(tasks[0]); a++)
        for (unsigned b = 0; b < sizeof(lts) / sizeof(lts[0]); b++)
            for (unsigned c = 0; c < sizeof(vers) / sizeof(vers[0]); c++)
                expect_fields(l4_tid_make(tasks[a], lts[b], vers[c]), tasks[a], lts[b], vers[c]);
}

static void tid_max_values_fill_every_bit(void **st)
{
    (void)st;
    l4_threadid_t id = l4_tid_make(TASK_MAX, LTHREAD_MAX, L4_VERSION_MAX);
    assert_int_equal(id, UINT64_MAX);
    expect_fields(id, TASK_MAX, LTHREAD_MAX, L4_VERSION_MAX);
}

/* A field at its maximum leaves the other two at zero: no field spills into another. */
static void tid_fields_do_not_overlap(void **st)
{
    (void)st;
    expect_fields(l4_tid_make(TASK_MAX, 0, 0), TASK_MAX, 0, 0);
    expect_fields(l4_tid_make(0, LTHREAD_MAX, 0), 0, LTHREAD_MAX, 0);
    expect_fields(l4_tid_make(0, 0, L4_VERSION_MAX), 0, 0, L4_VERSION_MAX);
    assert_int_equal(l4_tid_make(TASK_MAX, 0, 0) & l4_tid_make(0, LTHREAD_MAX, 0), 0);
    assert_int_equal(l4_tid_make(TASK_MAX, 0, 0) & l4_tid_make(0, 0, L4_VERSION_MAX), 0);
}

static void tid_nil_is_zero_and_nothing_else(void **st)
{
    (void)st;
    assert_int_equal(L4_NILTHREAD, 0);
    assert_true(l4_tid_is_nil(L4_NILTHREAD));
    assert_true(l4_tid_is_nil(l4_tid_make(0, 0, 0)));
    expect_fields(L4_NILTHREAD, 0, 0, 0);
    /* Versions start at 1, so no real thread's id is nil, not even task 0's lthread 0. */
    assert_false(l4_tid_is_nil(l4_tid_make(0, 0, 1)));
    assert_false(l4_tid_is_nil(l4_tid_make(L4_TASK_SIGMA0, 0, 1)));
    assert_false(l4_tid_is_nil(l4_tid_make(0, 1, 0)));   /* an interrupt id (irq 0) */
}

static void tid_different_version_never_compares_equal(void **st)
{
    (void)st;
    static const uint64_t vers[] = { 1, 2, 3, 0x80000, 1ULL << 44, L4_VERSION_MAX };
    for (unsigned i = 0; i < 6; i++)
        for (unsigned j = 0; j < 6; j++) {
            l4_threadid_t a = l4_tid_make(L4_TASK_ROOT, 5, vers[i]);
            l4_threadid_t b = l4_tid_make(L4_TASK_ROOT, 5, vers[j]);
            assert_int_equal(a == b, i == j);
            assert_true(l4_tid_same_task(a, b));
            assert_int_equal(l4_tid_lthread(a), l4_tid_lthread(b));
        }
}

static void tid_same_task_compares_task_only(void **st)
{
    (void)st;
    assert_true(l4_tid_same_task(l4_tid_make(7, 0, 1), l4_tid_make(7, LTHREAD_MAX, 99)));
    assert_false(l4_tid_same_task(l4_tid_make(7, 0, 1), l4_tid_make(8, 0, 1)));
    assert_false(l4_tid_same_task(l4_tid_make(0, 0, 1), l4_tid_make(TASK_MAX, 0, 1)));
}

static void is_canonical_accepts_both_halves(void **st)
{
    (void)st;
    assert_true(l4_is_canonical(0));
    assert_true(l4_is_canonical(0x1000));
    assert_true(l4_is_canonical(0x00007fffffffffffULL));
    assert_true(l4_is_canonical(L4_USER_END - 1));
    assert_true(l4_is_canonical(0xffff800000000000ULL));
    assert_true(l4_is_canonical(0xffffffff80000000ULL));
    assert_true(l4_is_canonical(UINT64_MAX));
}

static void is_canonical_rejects_the_hole(void **st)
{
    (void)st;
    assert_false(l4_is_canonical(L4_USER_END));             /* 0x0000800000000000 */
    assert_false(l4_is_canonical(0x0000800000000001ULL));
    assert_false(l4_is_canonical(0x0001000000000000ULL));
    assert_false(l4_is_canonical(0x00ff000000000000ULL));
    assert_false(l4_is_canonical(0x7fffffffffffffffULL));
    assert_false(l4_is_canonical(0x8000000000000000ULL));
    assert_false(l4_is_canonical(0xffff7fffffffffffULL));
    assert_false(l4_is_canonical(0xfffe800000000000ULL));
    /* Every single bit from 47 up is non-canonical on its own. */
    for (int b = 47; b < 64; b++)
        assert_false(l4_is_canonical(1ULL << b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tid_layout_is_version_task_lthread),
        cmocka_unit_test(tid_make_round_trips_fields),
        cmocka_unit_test(tid_max_values_fill_every_bit),
        cmocka_unit_test(tid_fields_do_not_overlap),
        cmocka_unit_test(tid_nil_is_zero_and_nothing_else),
        cmocka_unit_test(tid_different_version_never_compares_equal),
        cmocka_unit_test(tid_same_task_compares_task_only),
        cmocka_unit_test(is_canonical_accepts_both_halves),
        cmocka_unit_test(is_canonical_rejects_the_hole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
