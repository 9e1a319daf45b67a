/*
 * test_futex.c — the personality's futexes (sasos/posix/futex.c) on the host: waits
 * deferred only while the word holds the value, wakes in arrival order and by address,
 * requeues, and deadlines answered when due. The IPC (posix_answer) and the user-memory
 * check (mapper_user) are stubs that record what futex.c asked of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "systhread.h"

struct posix_task pt;
static struct l4_kip kip = { .tsc_hz = 1000000000 };
const volatile struct l4_kip *rt_kip = &kip;

static l4_threadid_t answered[64];
static int64_t results[64];
static unsigned nanswered;
static uint64_t bad_page;                /* mapper_user refuses this page */

int mapper_user(uint64_t va, uint64_t len, unsigned access)
{
    (void)len;
    (void)access;
    return (va & ~0xfffULL) == bad_page ? -LX_EFAULT : 0;
}

int posix_answer(l4_threadid_t t, int64_t result)
{
    answered[nanswered] = t;
    results[nanswered++] = result;
    return 1;
}

static uint32_t words[4] __attribute__((aligned(8)));
#define W(i) ((uint64_t)(uintptr_t)&words[i])
#define T(n) ((l4_threadid_t)(0x100000 + (n)))

static int setup(void **state)
{
    (void)state;
    nanswered = 0;
    bad_page = 0;
    for (unsigned i = 0; i < 4; i++)
        words[i] = 7;
    /* drain whatever an earlier test left waiting */
    futex_wake(W(0), 1000);
    futex_wake(W(1), 1000);
    futex_wake(W(2), 1000);
    nanswered = 0;
    return 0;
}

static void a_wait_is_deferred_only_while_the_word_holds_the_value(void **state)
{
    (void)state;
    assert_int_equal(futex_wait(T(1), W(0), 8, 0), -LX_EAGAIN);
    assert_true(futex_wait(T(1), W(0), 7, 0) == POSIX_DEFERRED);
    assert_int_equal(futex_wait(T(2), W(0) + 1, 7, 0), -LX_EFAULT);   /* misaligned */
    assert_int_equal(futex_wait(T(2), 0, 7, 0), -LX_EFAULT);
    bad_page = W(3) & ~0xfffULL;
    assert_int_equal(futex_wait(T(2), W(3), 7, 0), -LX_EFAULT);
    assert_int_equal(nanswered, 0);
}

static void wakes_take_the_oldest_first_and_only_their_address(void **state)
{
    (void)state;
    futex_wait(T(1), W(0), 7, 0);
    futex_wait(T(2), W(1), 7, 0);
    futex_wait(T(3), W(0), 7, 0);
    futex_wait(T(4), W(0), 7, 0);
    assert_int_equal(futex_wake(W(0), 2), 2);
    assert_int_equal(nanswered, 2);
    assert_int_equal(answered[0], T(1));
    assert_int_equal(answered[1], T(3));
    assert_int_equal(results[0], 0);
    assert_int_equal(futex_wake(W(0), 5), 1);
    assert_int_equal(answered[2], T(4));
    assert_int_equal(futex_wake(W(0), 5), 0);
    assert_int_equal(futex_wake(W(1), 1), 1);
    assert_int_equal(answered[3], T(2));
}

static void a_requeue_wakes_some_and_moves_the_rest(void **state)
{
    (void)state;
    for (unsigned i = 1; i <= 4; i++)
        futex_wait(T(i), W(0), 7, 0);
    uint32_t wrong = 8, right = 7;
    assert_int_equal(futex_requeue(W(0), 1, 2, W(1), &wrong), -LX_EAGAIN);
    assert_int_equal(nanswered, 0);
    assert_int_equal(futex_requeue(W(0), 1, 2, W(1), &right), 1);
    assert_int_equal(answered[0], T(1));
    assert_int_equal(futex_wake(W(0), 10), 1);              /* T(4) stayed */
    assert_int_equal(answered[1], T(4));
    assert_int_equal(futex_wake(W(1), 10), 2);              /* T(2), T(3) moved */
    assert_int_equal(answered[2], T(2));
    assert_int_equal(answered[3], T(3));
}

static void deadlines_are_answered_when_due_and_wakes_do_not_end_sleeps(void **state)
{
    (void)state;
    struct lx_timespec longer = { 100, 0 }, zero = { 0, 0 }, bad = { 0, 1000000000 };
    assert_int_equal(futex_wait(T(1), W(0), 7, (uint64_t)(uintptr_t)&zero), -LX_ETIMEDOUT);
    assert_int_equal(futex_wait(T(1), W(0), 7, (uint64_t)(uintptr_t)&bad), -LX_EINVAL);
    assert_true(futex_wait(T(1), W(0), 7, (uint64_t)(uintptr_t)&longer) == POSIX_DEFERRED);
    uint64_t soon = rt_rdtsc() + 1000;
    assert_true(futex_sleep(T(2), soon) == POSIX_DEFERRED);
    assert_true(futex_earliest == soon);
    assert_int_equal(futex_wake(0, 10), 0);                 /* a sleep has no address */
    while (rt_rdtsc() < soon)
        ;
    futex_expire();
    assert_int_equal(nanswered, 1);
    assert_int_equal(answered[0], T(2));
    assert_int_equal(results[0], 0);                        /* a sleep ends with 0 */
    assert_true(futex_earliest > soon);                     /* the long wait's deadline */
    assert_int_equal(futex_wake(W(0), 1), 1);               /* woken before its time */
    assert_int_equal(answered[1], T(1));
    assert_true(futex_earliest == 0);
    assert_int_equal(futex_sleep(T(3), 1), 0);              /* already past */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(a_wait_is_deferred_only_while_the_word_holds_the_value, setup),
        cmocka_unit_test_setup(wakes_take_the_oldest_first_and_only_their_address, setup),
        cmocka_unit_test_setup(a_requeue_wakes_some_and_moves_the_rest, setup),
        cmocka_unit_test_setup(deadlines_are_answered_when_due_and_wakes_do_not_end_sleeps,
                               setup),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
