/*
 * test_blkruns.c — the write-back's plan (sasos/virtio_blk/runs.c): dirty entries sorted
 * by their device page (a natural merge sort, checked on shuffled, reversed, presorted,
 * interleaved-runs, empty and single-element inputs) and cut into requests: each a run of
 * consecutive pages, no longer than the device takes, a gap always starting a new one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "virtio_blk.h"

#define N 4096u

static uint64_t key[N];
static uint16_t idx[N], tmp[N];

/* Entries 0..n-1 with keys k(i), in shuffled order (a fixed generator). */
static void shuffled(unsigned n, uint64_t (*k)(unsigned))
{
    uint64_t x = 88172645463325252ull;
    for (unsigned i = 0; i < n; i++)
        key[i] = k(i), idx[i] = (uint16_t)i;
    for (unsigned i = n; i > 1; i--) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned j = (unsigned)(x % i);
        uint16_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

static void assert_sorted_permutation(unsigned n)
{
    static uint8_t seen[N];
    memset(seen, 0, sizeof(seen));
    for (unsigned i = 0; i < n; i++) {
        assert_true(idx[i] < n);
        assert_false(seen[idx[i]]);
        seen[idx[i]] = 1;
        if (i)
            assert_true(key[idx[i - 1]] < key[idx[i]]);
    }
}

static uint64_t spread(unsigned i) { return 1 + (uint64_t)i * 7919 % 100003; }
static uint64_t dense(unsigned i) { return 1000 + i; }

static void runs_sort_orders_shuffled_pages(void **s)
{
    (void)s;
    static const unsigned sizes[] = { 0, 1, 2, 3, 5, 64, 255, 1000, N };
    for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        shuffled(sizes[k], spread);
        runs_sort(idx, tmp, sizes[k], key);
        assert_sorted_permutation(sizes[k]);
        shuffled(sizes[k], dense);
        runs_sort(idx, tmp, sizes[k], key);
        assert_sorted_permutation(sizes[k]);
    }
}

static void runs_sort_orders_a_reversed_list(void **s)
{
    (void)s;
    for (unsigned i = 0; i < N; i++)
        key[i] = 5 * (uint64_t)i + 1, idx[i] = (uint16_t)(N - 1 - i);
    runs_sort(idx, tmp, N, key);
    assert_sorted_permutation(N);
}

/* Already in order: one look each, nothing moved; two ascending runs interleaved, and
 * many short ones: merged. */
static void runs_sort_keeps_sorted_input_and_merges_runs(void **s)
{
    (void)s;
    for (unsigned i = 0; i < N; i++)
        key[i] = 3 + (uint64_t)i, idx[i] = (uint16_t)i;
    runs_sort(idx, tmp, N, key);
    for (unsigned i = 0; i < N; i++)
        assert_int_equal(idx[i], i);
    for (unsigned i = 0; i < N; i++)                 /* evens ascending, then odds */
        key[i] = i, idx[i] = (uint16_t)(i < N / 2 ? 2 * i : 2 * (i - N / 2) + 1);
    runs_sort(idx, tmp, N, key);
    assert_sorted_permutation(N);
    for (unsigned i = 0; i < N; i++)                 /* runs of 3, descending blocks */
        key[i] = (uint64_t)(N - i / 3 * 3) * 4 + i % 3, idx[i] = (uint16_t)i;
    runs_sort(idx, tmp, N, key);
    assert_sorted_permutation(N);
}

/* Keys, in order, and the requests they must make with a limit of max pages. */
static void assert_cut(const uint64_t *keys, unsigned n, unsigned max, const unsigned *want,
                       unsigned nwant)
{
    for (unsigned i = 0; i < n; i++)
        key[i] = keys[i], idx[i] = (uint16_t)i;
    unsigned at = 0, r = 0;
    while (at < n) {
        unsigned take = runs_take(idx + at, n - at, key, max);
        assert_true(r < nwant);
        assert_int_equal(take, want[r]);
        r++, at += take;
    }
    assert_int_equal(r, nwant);
}

static void runs_take_ends_a_request_at_a_gap(void **s)
{
    (void)s;
    const uint64_t keys[] = { 10, 11, 12, 14, 15, 20, 22, 23, 24, 25 };
    const unsigned want[] = { 3, 2, 1, 4 };
    assert_cut(keys, 10, 254, want, 4);
}

static void runs_take_cuts_a_run_at_the_device_limit(void **s)
{
    (void)s;
    static uint64_t keys[600];
    for (unsigned i = 0; i < 600; i++)
        keys[i] = 100 + i;
    const unsigned want[] = { 254, 254, 92 };
    assert_cut(keys, 600, 254, want, 3);
    const unsigned one[] = { 1, 1, 1 };
    assert_cut(keys, 3, 1, one, 3);
}

static void runs_take_of_nothing_is_nothing(void **s)
{
    (void)s;
    assert_int_equal(runs_take(idx, 0, key, 10), 0);
    key[0] = 7, idx[0] = 0;
    assert_int_equal(runs_take(idx, 1, key, 10), 1);
}

/* A shuffled set of runs (lengths 1 .. 600), sorted then cut: every request is one run or
 * a max-long piece of one, and together they cover every page once. */
static void sorted_runs_make_the_fewest_requests(void **s)
{
    (void)s;
    static const unsigned len[] = { 1, 600, 3, 254, 255, 2, 17 };
    unsigned n = 0, want = 0, max = 254;
    uint64_t at = 50;
    for (unsigned r = 0; r < sizeof(len) / sizeof(len[0]); r++) {
        for (unsigned k = 0; k < len[r]; k++, n++)
            key[n] = at + k;
        at += len[r] + 1 + r;                       /* a gap after each */
        want += (len[r] + max - 1) / max;
    }
    uint64_t x = 12345;
    for (unsigned i = 0; i < n; i++)
        idx[i] = (uint16_t)i;
    for (unsigned i = n; i > 1; i--) {
        x = x * 6364136223846793005ull + 1;
        unsigned j = (unsigned)((x >> 33) % i);
        uint16_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
    runs_sort(idx, tmp, n, key);
    unsigned requests = 0, covered = 0;
    for (unsigned i = 0; i < n;) {
        unsigned take = runs_take(idx + i, n - i, key, max);
        assert_true(take >= 1 && take <= max);
        for (unsigned k = 1; k < take; k++)
            assert_int_equal(key[idx[i + k]], key[idx[i]] + k);
        requests++, covered += take, i += take;
    }
    assert_int_equal(covered, n);
    assert_int_equal(requests, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(runs_sort_orders_shuffled_pages),
        cmocka_unit_test(runs_sort_orders_a_reversed_list),
        cmocka_unit_test(runs_sort_keeps_sorted_input_and_merges_runs),
        cmocka_unit_test(runs_take_ends_a_request_at_a_gap),
        cmocka_unit_test(runs_take_cuts_a_run_at_the_device_limit),
        cmocka_unit_test(runs_take_of_nothing_is_nothing),
        cmocka_unit_test(sorted_runs_make_the_fewest_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
