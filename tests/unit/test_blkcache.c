/*
 * test_blkcache.c — the block cache's bookkeeping (sasos/virtio_blk/lru.c): lookup by
 * device page, reuse of free entries first, then of the least recently used one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include "virtio_blk.h"

static struct blk_cache *new_cache(unsigned n)
{
    struct blk_cache *c = calloc(1, sizeof(*c));
    c->npages = n;
    return c;
}

/* What cache_get does on a miss: take the victim for page pg. */
static unsigned fill(struct blk_cache *c, uint64_t pg)
{
    unsigned i = cache_victim(c);
    c->tag[i] = pg + 1;
    cache_touch(c, i);
    return i;
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

static void cache_ignores_entries_beyond_npages(void **s)
{
    (void)s;
    struct blk_cache *c = new_cache(2);
    c->tag[5] = 42 + 1;                          /* stale data past the frames we have */
    assert_int_equal(cache_lookup(c, 42), -1);
    fill(c, 1);
    fill(c, 2);
    assert_true(cache_victim(c) < 2);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cache_lookup_finds_only_cached_pages),
        cmocka_unit_test(cache_victim_prefers_free_entries),
        cmocka_unit_test(cache_victim_is_least_recently_used),
        cmocka_unit_test(cache_refill_replaces_the_victims_page),
        cmocka_unit_test(cache_ignores_entries_beyond_npages),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
