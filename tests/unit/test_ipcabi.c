/*
 * test_ipcabi.c — the IPC encodings of l4/ipc.h and the kernel's timeout arithmetic, on
 * the host: message tags and their reserved bits, the control word in r10, the result
 * word (encoded by the kernel's ipc_result, decoded by the user's accessors), 16-bit
 * timeouts (exact below 1024 µs, never shorter than asked, at most 1/512 longer,
 * monotonic, saturating to NEVER), and kernel/timeout.c: timeout_deadline's rounding and
 * saturation, and the deadline list woken by timeout_expire (with ipc_abort and
 * sched_ready replaced by recorders).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <k/ipc.h>
#include <k/sched.h>
#include <l4/errors.h>
#include <l4/ipc.h>

typedef unsigned __int128 u128;

/* ------------------------------------------------------------------ message tags */

static void msgtag_packs_label_u_t(void **st)
{
    (void)st;
    l4_msgtag_t t = l4_msgtag(0x12345678u, 5, 3);
    assert_int_equal(t, (0x12345678ULL << 16) | (3ULL << 7) | 5);
    assert_int_equal(l4_msgtag_label(t), 0x12345678u);
    assert_int_equal(l4_msgtag_u(t), 5);
    assert_int_equal(l4_msgtag_t_words(t), 3);
    assert_int_equal(l4_msgtag(0, 0, 0), 0);
}

static void msgtag_round_trips_at_field_limits(void **st)
{
    (void)st;
    static const uint32_t labels[] = { 0, 1, 0x8000u, 0xffffu, 0x10000u, 0x80000000u, 0xffffffffu };
    for (unsigned i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        for (unsigned u = 0; u <= L4_TAG_U_MASK; u++)
            for (unsigned tw = 0; tw <= L4_TAG_T_MASK; tw += 7) {
                l4_msgtag_t t = l4_msgtag(labels[i], u, tw);
                assert_int_equal(l4_msgtag_label(t), labels[i]);
                assert_int_equal(l4_msgtag_u(t), u);
                assert_int_equal(l4_msgtag_t_words(t), tw);
                assert_int_equal(t & L4_TAG_RESERVED, 0);
            }
    l4_msgtag_t max = l4_msgtag(0xffffffffu, L4_TAG_U_MASK, L4_TAG_T_MASK);
    assert_int_equal(max, 0x0000ffffffff1fffULL);
}

/* Oversized counts are cut to their field: they never spill into the next one. */
static void msgtag_counts_do_not_spill_into_neighbours(void **st)
{
    (void)st;
    l4_msgtag_t t = l4_msgtag(0, L4_TAG_U_MASK + 1, 0);
    assert_int_equal(l4_msgtag_t_words(t), 0);
    t = l4_msgtag(0, 0, L4_TAG_T_MASK + 1);
    assert_int_equal(l4_msgtag_label(t), 0);
    assert_int_equal(t & L4_TAG_RESERVED, 0);
}

/* u, t, label and the reserved bits partition the 64-bit word. */
static void msgtag_reserved_mask_is_exactly_the_unused_bits(void **st)
{
    (void)st;
    uint64_t used = L4_TAG_U_MASK | (L4_TAG_T_MASK << L4_TAG_T_SHIFT) |
                    (L4_TAG_LABEL_MASK << L4_TAG_LABEL_SHIFT);
    assert_int_equal(used & L4_TAG_RESERVED, 0);
    assert_int_equal(used | L4_TAG_RESERVED, UINT64_MAX);
    assert_int_equal(L4_TAG_RESERVED, 0xffff00000000e000ULL);   /* [63..48] and flags [15..13] */
    for (int b = 13; b <= 15; b++)
        assert_true(L4_TAG_RESERVED & (1ULL << b));
    for (int b = 48; b <= 63; b++)
        assert_true(L4_TAG_RESERVED & (1ULL << b));
}

/* ------------------------------------------------------------------ control word */

static void ipc_control_places_timeouts_and_flags(void **st)
{
    (void)st;
    uint64_t c = l4_ipc_control(L4_IPC_SEND | L4_IPC_RECV, 0x1234, 0xabcd);
    assert_int_equal(c, 0x00000003abcd1234ULL);
    /* decoded the way sys_ipc decodes r10 */
    assert_int_equal((unsigned)(c >> 32), L4_IPC_SEND | L4_IPC_RECV);
    assert_int_equal((l4_timeout_t)(c & 0xffff), 0x1234);
    assert_int_equal((l4_timeout_t)((c >> 16) & 0xffff), 0xabcd);
    assert_int_equal(l4_ipc_control(L4_IPC_FLAGS_VALID, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER),
                     0x0000000fffffffffULL);
    assert_int_equal(l4_ipc_control(0, L4_TIMEOUT_ZERO, L4_TIMEOUT_ZERO), 0);
    assert_int_equal(l4_ipc_control(L4_IPC_RECV, 0, L4_TIMEOUT_NEVER), 0x00000002ffff0000ULL);
}

static void ipc_flags_are_distinct_bits(void **st)
{
    (void)st;
    assert_int_equal(L4_IPC_SEND & L4_IPC_RECV, 0);
    assert_int_equal(L4_IPC_SEND & L4_IPC_OPEN, 0);
    assert_int_equal(L4_IPC_RECV & L4_IPC_OPEN, 0);
    assert_int_equal(L4_IPC_FLAGS_VALID, 0xf);   /* with L4_IPC_DECEIT */
}

/* ------------------------------------------------------------------ result word */

static void ipc_result_success_is_the_tag(void **st)
{
    (void)st;
    l4_msgtag_t tag = l4_msgtag(0xfeedf00du, 8, 0);
    uint64_t res = tag;                  /* what transfer() leaves in the receiver's rax */
    assert_int_equal(l4_ipc_error(res), L4_OK);
    assert_false(l4_ipc_failed_in_receive(res));
    assert_int_equal(l4_ipc_tag(res), tag);
    assert_int_equal(l4_msgtag_label(l4_ipc_tag(res)), 0xfeedf00du);
    assert_int_equal(l4_ipc_tag(l4_msgtag(0xffffffffu, 127, 63)), 0xffffffff1fffULL);
}

static void ipc_result_encodes_every_error_and_phase(void **st)
{
    (void)st;
    assert_true(L4_ERR__COUNT <= 0x100);
    for (unsigned e = 0; e < L4_ERR__COUNT; e++)
        for (int phase = 0; phase <= 1; phase++) {
            uint64_t res = ipc_result(e, phase);
            assert_int_equal(l4_ipc_error(res), e);
            assert_int_equal(l4_ipc_failed_in_receive(res), phase);
            assert_int_equal(l4_ipc_tag(res), 0);
        }
    assert_int_equal(ipc_result(L4_ERR_TIMEOUT, 1), (1ULL << 48) | (1ULL << 56));
    assert_int_equal(ipc_result(L4_ERR_NO_PARTNER, 0), 2ULL << 48);
}

static void ipc_result_fields_are_independent(void **st)
{
    (void)st;
    uint64_t res = (0xffULL << L4_RES_ERR_SHIFT) | L4_RES_RECV_PHASE | 0xffffffffffffULL;
    assert_int_equal(l4_ipc_error(res), 0xff);
    assert_true(l4_ipc_failed_in_receive(res));
    assert_int_equal(l4_ipc_tag(res), 0xffffffffffffULL);
    assert_int_equal(l4_ipc_error(L4_RES_RECV_PHASE), 0);
    assert_int_equal(l4_ipc_error(1ULL << 47), 0);
    assert_false(l4_ipc_failed_in_receive(0xffULL << 48));
}

/* ------------------------------------------------------------------ 16-bit timeouts */

#define TO_MAX_US (0x3ffULL << L4_TIMEOUT_EXP_MAX)    /* longest finite timeout */

static uint64_t rt(uint64_t us) { return l4_timeout_to_us(l4_timeout_from_us(us)); }

/* r is at least us and at most 1/512 (~0.2%) longer. */
static void expect_close_above(uint64_t us)
{
    uint64_t r = rt(us);
    if (r < us || (u128)(r - us) * 512 > us)
        fail_msg("from_us(%llu) stands for %llu us", (unsigned long long)us, (unsigned long long)r);
}

static void timeout_zero_and_never(void **st)
{
    (void)st;
    assert_int_equal(l4_timeout_to_us(L4_TIMEOUT_ZERO), 0);
    assert_int_equal(l4_timeout_to_us(L4_TIMEOUT_NEVER), UINT64_MAX);
    assert_int_equal(l4_timeout_from_us(0), L4_TIMEOUT_ZERO);
    assert_int_equal(l4_timeout_from_us(UINT64_MAX), L4_TIMEOUT_NEVER);
}

static void timeout_exact_below_1024us(void **st)
{
    (void)st;
    for (uint64_t us = 0; us < 1024; us++) {
        assert_int_equal(l4_timeout_from_us(us), us);        /* e = 0, m = us */
        assert_int_equal(l4_timeout_to_us((l4_timeout_t)us), us);
    }
    assert_int_equal(rt(1024), 1024);
    assert_int_equal(rt(1025), 1026);                        /* 10 significant bits */
}

static void timeout_decodes_mantissa_and_exponent(void **st)
{
    (void)st;
    assert_int_equal(l4_timeout_to_us((1 << 10) | 0x3ff), 0x3ffULL << 1);
    assert_int_equal(l4_timeout_to_us((10 << 10) | 1), 1024);
    assert_int_equal(l4_timeout_to_us((L4_TIMEOUT_EXP_MAX << 10) | 0x3ff), TO_MAX_US);
    /* exponents above 40 are read as 40 */
    assert_int_equal(l4_timeout_to_us((41 << 10) | 1), 1ULL << 40);
    assert_int_equal(l4_timeout_to_us((63 << 10) | 0x3fe), 0x3feULL << 40);
}

static void timeout_never_shorter_at_most_0p2_percent_longer(void **st)
{
    (void)st;
    for (uint64_t us = 0; us < (1u << 20); us++)
        expect_close_above(us);
    for (int b = 10; b < 64; b++)
        for (int d = -3; d <= 3; d++) {
            uint64_t us = (1ULL << b) + (uint64_t)(int64_t)d;
            if (us <= TO_MAX_US)
                expect_close_above(us);
        }
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        expect_close_above(x % (TO_MAX_US + 1));
        expect_close_above((x >> (x & 63)) % (TO_MAX_US + 1));
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* from_us picks the shortest encodable duration that is not shorter than asked:
 * checked against the sorted list of every duration a 16-bit timeout can stand for. */
static void timeout_from_us_is_the_shortest_long_enough(void **st)
{
    (void)st;
    uint64_t *all = malloc(0xffff * sizeof(*all));
    assert_non_null(all);
    for (unsigned c = 0; c < 0xffff; c++)
        all[c] = l4_timeout_to_us((l4_timeout_t)c);
    qsort(all, 0xffff, sizeof(*all), cmp_u64);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t us = (x >> (x & 63)) % (TO_MAX_US + 1);
        size_t lo = 0, hi = 0xffff;           /* first duration >= us */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (all[mid] < us)
                lo = mid + 1;
            else
                hi = mid;
        }
        assert_int_equal(rt(us), all[lo]);
    }
    /* every encodable duration comes back exactly */
    for (unsigned c = 0; c < 0xffff; c++)
        assert_int_equal(rt(all[c]), all[c]);
    free(all);
}

static void timeout_from_us_is_monotonic(void **st)
{
    (void)st;
    uint64_t prev = 0;
    for (uint64_t us = 0; us < (1u << 22); us++) {
        uint64_t r = rt(us);
        assert_true(r >= prev);
        prev = r;
    }
    prev = 0;
    for (int b = 3; b < 64; b++)        /* increasing: 6..10, 14..18, ..., 2^63+2 */
        for (int d = -2; d <= 2; d++) {
            uint64_t us = (1ULL << b) + (uint64_t)(int64_t)d;
            uint64_t r = rt(us);
            assert_true(r >= prev);
            prev = r;
        }
}

static void timeout_saturates_to_never(void **st)
{
    (void)st;
    assert_int_equal(l4_timeout_from_us(TO_MAX_US), (L4_TIMEOUT_EXP_MAX << 10) | 0x3ff);
    assert_int_equal(rt(TO_MAX_US), TO_MAX_US);
    assert_int_equal(l4_timeout_from_us(TO_MAX_US + 1), L4_TIMEOUT_NEVER);
    assert_int_equal(l4_timeout_from_us(0x3feULL << 40 | 1), (L4_TIMEOUT_EXP_MAX << 10) | 0x3ff);
    assert_int_equal(l4_timeout_from_us(1ULL << 50), L4_TIMEOUT_NEVER);
    assert_int_equal(l4_timeout_from_us(1ULL << 63), L4_TIMEOUT_NEVER);
    assert_int_equal(l4_timeout_from_us(UINT64_MAX - 1), L4_TIMEOUT_NEVER);
}

/* No finite duration is encoded as 0xffff, and every finite encoding has e <= 40. */
static void timeout_finite_encodings_stay_below_never(void **st)
{
    (void)st;
    uint64_t x = 0x2545f4914f6cdd1dULL;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        l4_timeout_t t = l4_timeout_from_us((x >> (x & 63)) % (TO_MAX_US + 1));
        assert_true(t != L4_TIMEOUT_NEVER);
        assert_true((t >> 10) <= L4_TIMEOUT_EXP_MAX);
    }
}

/* ------------------------------------------------------------------ timeout_deadline */

/* now + ceil(us * hz / 1e6), or UINT64_MAX if that does not fit. */
static uint64_t deadline_model(uint64_t now, uint64_t us, uint64_t hz)
{
    u128 c = ((u128)us * hz + 999999) / 1000000 + now;
    return c > UINT64_MAX ? UINT64_MAX : (uint64_t)c;
}

/* Exact unless saturated, and saturated only within one second (hz cycles) of 2^64. */
static void expect_deadline(uint64_t now, uint64_t us, uint64_t hz)
{
    uint64_t got = timeout_deadline(now, us, hz), want = deadline_model(now, us, hz);
    if (got == want)
        return;
    if (got == UINT64_MAX && want > UINT64_MAX - hz)
        return;
    fail_msg("timeout_deadline(%llu, %llu, %llu) = %llu, want %llu",
             (unsigned long long)now, (unsigned long long)us, (unsigned long long)hz,
             (unsigned long long)got, (unsigned long long)want);
}

static void deadline_converts_exact_multiples(void **st)
{
    (void)st;
    assert_int_equal(timeout_deadline(0, 0, 1000000000), 0);
    assert_int_equal(timeout_deadline(500, 0, 1000000000), 500);
    assert_int_equal(timeout_deadline(0, 1, 1000000000), 1000);
    assert_int_equal(timeout_deadline(7, 1000000, 1000000000), 1000000007);
    assert_int_equal(timeout_deadline(0, 2500000, 2000000000), 5000000000ULL);
}

static void deadline_rounds_up_to_whole_cycle(void **st)
{
    (void)st;
    assert_int_equal(timeout_deadline(0, 1, 999999999), 1000);       /* 999.999999 */
    assert_int_equal(timeout_deadline(0, 1, 3), 1);                  /* 0.000003 */
    assert_int_equal(timeout_deadline(100, 1, 1), 101);
    assert_int_equal(timeout_deadline(0, 1000001, 3), 4);            /* 3.000003 */
    assert_int_equal(timeout_deadline(0, 333333, 3), 1);             /* 0.999999 */
    assert_int_equal(timeout_deadline(0, 1000000, 3), 3);            /* exact: no extra */
}

static void deadline_saturates_instead_of_wrapping(void **st)
{
    (void)st;
    assert_int_equal(timeout_deadline(UINT64_MAX, 1, 1000000000), UINT64_MAX);
    assert_int_equal(timeout_deadline(UINT64_MAX - 999, 1, 1000000000), UINT64_MAX);
    assert_int_equal(timeout_deadline(UINT64_MAX - 1000, 1, 1000000000), UINT64_MAX);
    assert_int_equal(timeout_deadline(UINT64_MAX - 1001, 1, 1000000000), UINT64_MAX - 1);
    assert_int_equal(timeout_deadline(1, UINT64_MAX, 1000000000), UINT64_MAX);
    assert_int_equal(timeout_deadline(0, UINT64_MAX, UINT64_MAX), UINT64_MAX);
    /* The whole seconds alone fit (18446744073 s at 1 GHz), their fraction does not. */
    assert_int_equal(timeout_deadline(0, 18446744073999999ULL, 1000000000), UINT64_MAX);
    assert_int_equal(timeout_deadline(0, 18446744073709552ULL, 1000000000), UINT64_MAX);
}

static void deadline_matches_model_for_realistic_clocks(void **st)
{
    (void)st;
    static const uint64_t hzs[] = { 1, 3, 1000, 999999, 1000000, 1000001, 14318180,
                                    999999999, 1000000000, 2893452000ULL, 3999999999ULL,
                                    10000000000ULL, 100000000000ULL };
    uint64_t x = 0xdeadbeefcafef00dULL;
    for (unsigned h = 0; h < sizeof(hzs) / sizeof(hzs[0]); h++) {
        for (int i = 0; i < 20000; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            uint64_t us = x >> (x & 63);
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            uint64_t now = (i & 1) ? x : x >> 20;
            expect_deadline(now, us, hzs[h]);
            expect_deadline(now, us % (TO_MAX_US + 1), hzs[h]);
        }
        /* around the point where whole seconds stop fitting */
        uint64_t s = UINT64_MAX / hzs[h];
        if (s < UINT64_MAX / 1000000 - 1)
            for (uint64_t us = s * 1000000 - 2; us < s * 1000000 + 3000000; us += 249999)
                expect_deadline(0, us, hzs[h]);
    }
}

/* ------------------------------------------------------------------ the deadline list */

static struct tcb *aborted[16], *readied[16];
static unsigned n_aborted, n_readied, abort_err[16];

void ipc_abort(struct tcb *t, unsigned err)
{
    assert_true(n_aborted < 16);
    abort_err[n_aborted] = err;
    aborted[n_aborted++] = t;
}

void sched_ready(struct tcb *t)
{
    assert_true(n_readied < 16);
    readied[n_readied++] = t;
}

static struct tcb th[8];

static int list_setup(void **st)
{
    (void)st;
    memset(th, 0, sizeof(th));
    n_aborted = n_readied = 0;
    return 0;
}

static int list_teardown(void **st)
{
    (void)st;
    timeout_expire(UINT64_MAX);        /* leaves the file's list empty for the next test */
    return 0;
}

/* Since the last reset, exactly want[0..n) were woken, in order, each with TIMEOUT. */
static void expect_woken(struct tcb *const *want, unsigned n)
{
    assert_int_equal(n_aborted, n);
    assert_int_equal(n_readied, n);
    for (unsigned i = 0; i < n; i++) {
        assert_ptr_equal(aborted[i], want[i]);
        assert_ptr_equal(readied[i], want[i]);
        assert_int_equal(abort_err[i], L4_ERR_TIMEOUT);
        assert_false(want[i]->in_timeouts);
    }
    n_aborted = n_readied = 0;
}

static void timeout_expire_wakes_due_threads_in_deadline_order(void **st)
{
    (void)st;
    timeout_arm(&th[0], 30);
    timeout_arm(&th[1], 10);
    timeout_arm(&th[2], 40);
    timeout_arm(&th[3], 20);
    timeout_expire(9);
    expect_woken(NULL, 0);
    timeout_expire(25);
    expect_woken((struct tcb *[]){ &th[1], &th[3] }, 2);
    assert_true(th[0].in_timeouts);
    assert_true(th[2].in_timeouts);
    timeout_expire(40);                 /* a deadline equal to now is due */
    expect_woken((struct tcb *[]){ &th[0], &th[2] }, 2);
    timeout_expire(UINT64_MAX);
    expect_woken(NULL, 0);
}

static void timeout_equal_deadlines_wake_in_arming_order(void **st)
{
    (void)st;
    timeout_arm(&th[0], 5);
    timeout_arm(&th[1], 5);
    timeout_arm(&th[2], 1);
    timeout_arm(&th[3], 5);
    timeout_expire(5);
    expect_woken((struct tcb *[]){ &th[2], &th[0], &th[1], &th[3] }, 4);
}

static void timeout_disarm_removes_head_middle_tail(void **st)
{
    (void)st;
    for (unsigned i = 0; i < 5; i++)
        timeout_arm(&th[i], 100 + i);
    timeout_disarm(&th[0]);             /* head */
    timeout_disarm(&th[2]);             /* middle */
    timeout_disarm(&th[4]);             /* tail */
    timeout_disarm(&th[4]);             /* not armed: nothing happens */
    timeout_disarm(&th[7]);             /* never armed */
    assert_false(th[0].in_timeouts);
    assert_null(th[2].to_next);
    assert_null(th[2].to_prev);
    timeout_expire(UINT64_MAX);
    expect_woken((struct tcb *[]){ &th[1], &th[3] }, 2);
}

static void timeout_disarm_of_only_entry_empties_list(void **st)
{
    (void)st;
    timeout_arm(&th[0], 1);
    timeout_disarm(&th[0]);
    timeout_expire(UINT64_MAX);
    expect_woken(NULL, 0);
    timeout_arm(&th[1], 2);             /* and the list works again */
    timeout_expire(2);
    expect_woken((struct tcb *[]){ &th[1] }, 1);
}

#define L(f) cmocka_unit_test_setup_teardown(f, list_setup, list_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(msgtag_packs_label_u_t),
        cmocka_unit_test(msgtag_round_trips_at_field_limits),
        cmocka_unit_test(msgtag_counts_do_not_spill_into_neighbours),
        cmocka_unit_test(msgtag_reserved_mask_is_exactly_the_unused_bits),
        cmocka_unit_test(ipc_control_places_timeouts_and_flags),
        cmocka_unit_test(ipc_flags_are_distinct_bits),
        cmocka_unit_test(ipc_result_success_is_the_tag),
        cmocka_unit_test(ipc_result_encodes_every_error_and_phase),
        cmocka_unit_test(ipc_result_fields_are_independent),
        cmocka_unit_test(timeout_zero_and_never),
        cmocka_unit_test(timeout_exact_below_1024us),
        cmocka_unit_test(timeout_decodes_mantissa_and_exponent),
        cmocka_unit_test(timeout_never_shorter_at_most_0p2_percent_longer),
        cmocka_unit_test(timeout_from_us_is_the_shortest_long_enough),
        cmocka_unit_test(timeout_from_us_is_monotonic),
        cmocka_unit_test(timeout_saturates_to_never),
        cmocka_unit_test(timeout_finite_encodings_stay_below_never),
        cmocka_unit_test(deadline_converts_exact_multiples),
        cmocka_unit_test(deadline_rounds_up_to_whole_cycle),
        cmocka_unit_test(deadline_saturates_instead_of_wrapping),
        cmocka_unit_test(deadline_matches_model_for_realistic_clocks),
        L(timeout_expire_wakes_due_threads_in_deadline_order),
        L(timeout_equal_deadlines_wake_in_arming_order),
        L(timeout_disarm_removes_head_middle_tail),
        L(timeout_disarm_of_only_entry_empties_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
