/*
 * test_posix_vspace.c — mmap's address allocation on the host: first fit over the gaps of
 * the region table (region_gap, sasos/posix/regions.c) between the area's ends, as
 * sys_mmap uses it with region_add and sys_munmap with region_remove. Reuse after an
 * unmap, holes punched by partial unmaps, adjacent holes that serve one larger request,
 * exhaustion and recovery, and a seeded model check of 10^5 random mmaps and munmaps
 * against a page-by-page model: every answer is the model's first fit (so no overlap and
 * never outside the area) and the table holds exactly the model's pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "posix.h"

#define PG 0x1000ULL
#define RW (LX_PROT_READ | LX_PROT_WRITE)
/* As in a program's slot: the image and the stack below the area, which they must not
 * leak into; the area is AREA pages from LO. */
#define IMAGE_LO (0x100 * PG)
#define STACK_LO (0x300 * PG)
#define LO (0x400 * PG)
#define AREA 1024u
#define HI (LO + AREA * PG)

static struct region_table t;

static int setup(void **state)
{
    (void)state;
    memset(&t, 0, sizeof(t));
    assert_int_equal(region_add(&t, IMAGE_LO, IMAGE_LO + 0x100 * PG, REGION_IMAGE, 7), 0);
    assert_int_equal(region_add(&t, STACK_LO, STACK_LO + 0x80 * PG, REGION_ANON, RW), 0);
    return 0;
}

/* sys_mmap's two steps: the address (or -ENOMEM), then the region. */
static int64_t map(uint64_t pages)
{
    uint64_t at;
    int e = region_gap(&t, LO, HI, pages * PG, &at);
    if (!e)
        e = region_add(&t, at, at + pages * PG, REGION_ANON, RW);
    return e ? e : (int64_t)at;
}

static void unmap(uint64_t at, uint64_t pages)
{
    assert_int_equal(region_remove(&t, at, at + pages * PG), 0);
}

static void region_gap_starts_at_the_area_and_packs(void **s)
{
    (void)s;
    assert_int_equal(map(3), LO);
    assert_int_equal(map(1), LO + 3 * PG);
    assert_int_equal(map(AREA - 4), LO + 4 * PG);      /* exactly the rest */
}

static void region_gap_reuses_an_unmapped_range(void **s)
{
    (void)s;
    int64_t a = map(4), b = map(8), c = map(2);
    unmap((uint64_t)b, 8);
    assert_int_equal(map(9), c + 2 * PG);               /* too big for the hole */
    assert_int_equal(map(8), b);                        /* the hole again */
    unmap((uint64_t)a, 4);
    assert_int_equal(map(2), a);                        /* first fit: lowest hole */
    assert_int_equal(map(2), a + 2 * PG);
}

static void region_gap_fills_holes_of_partial_unmaps(void **s)
{
    (void)s;
    int64_t a = map(10), b = map(1);
    unmap((uint64_t)a + 3 * PG, 3);                     /* a hole inside a */
    unmap((uint64_t)a + 9 * PG, 1);                     /* a's last page */
    assert_int_equal(map(4), b + PG);                   /* neither hole is 4 long */
    assert_int_equal(map(1), a + 3 * PG);
    assert_int_equal(map(2), a + 4 * PG);
    assert_int_equal(map(1), a + 9 * PG);
    assert_int_equal(map(1), b + 5 * PG);               /* all holes filled */
}

static void region_gap_coalesces_adjacent_holes(void **s)
{
    (void)s;
    int64_t a = map(2), b = map(3), c = map(2);
    (void)map(1);
    unmap((uint64_t)a, 2);
    unmap((uint64_t)c, 2);
    unmap((uint64_t)b, 3);                              /* three holes, now one of 7 */
    assert_int_equal(map(7), a);
    unmap((uint64_t)a + PG, 5);                         /* one unmap across two regions */
    assert_int_equal(map(5), a + PG);
}

static void region_gap_exhausted_then_recovers(void **s)
{
    (void)s;
    for (unsigned i = 0; i < AREA / 8; i++)
        assert_int_equal(map(8), LO + i * 8 * PG);
    assert_int_equal(map(1), -LX_ENOMEM);
    unmap(LO + 40 * PG, 4);
    unmap(LO + 48 * PG, 4);                             /* 8 pages free, not 5 in a row */
    assert_int_equal(map(5), -LX_ENOMEM);
    assert_int_equal(map(4), LO + 40 * PG);
    unmap(LO + 40 * PG, 12);
    assert_int_equal(map(12), LO + 40 * PG);            /* the space is whole again */
    assert_int_equal(map(1), -LX_ENOMEM);
    unmap(LO, AREA);
    assert_int_equal(map(AREA), LO);
    assert_int_equal(map(AREA + 1), -LX_ENOMEM);
}

static void region_gap_stays_inside_its_bounds(void **s)
{
    (void)s;
    assert_int_equal(region_add(&t, LO - 4 * PG, LO + 2 * PG, REGION_ANON, RW), 0);
    assert_int_equal(region_add(&t, HI - PG, HI + 8 * PG, REGION_ANON, RW), 0);
    assert_int_equal(map(1), LO + 2 * PG);              /* past a region straddling lo */
    assert_int_equal(map(AREA - 4), LO + 3 * PG);       /* up to the one straddling hi */
    assert_int_equal(map(1), -LX_ENOMEM);
    uint64_t at = 0;
    assert_int_equal(region_gap(&t, LO, HI, 0, &at), -LX_EINVAL);
    assert_int_equal(region_gap(&t, LO, HI, PG + 1, &at), -LX_EINVAL);
    assert_int_equal(region_gap(&t, LO + 1, HI, PG, &at), -LX_EINVAL);
    assert_int_equal(region_gap(&t, HI, LO, PG, &at), -LX_EINVAL);
    assert_int_equal(at, 0);                            /* untouched on failure */
}

static void region_gap_full_table_is_enomem_until_a_region_goes(void **s)
{
    (void)s;
    while (t.n < POSIX_MAX_REGIONS)
        assert_true(map(1) > 0);
    int64_t last = (int64_t)(LO + (POSIX_MAX_REGIONS - 3) * PG);
    assert_int_equal(map(1), -LX_ENOMEM);               /* room in the area, not the table */
    unmap(LO + 5 * PG, 1);
    assert_int_equal(map(1), LO + 5 * PG);
    assert_int_equal(region_find(&t, (uint64_t)last)->start, last);
}

/* ---- the model check ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

static uint32_t owner[AREA];       /* per page of the area: the mapping's number, 0 free */

/* The model's first fit of `pages`, or -1. */
static int model_fit(unsigned pages)
{
    for (unsigned i = 0, run = 0; i < AREA; i++) {
        run = owner[i] ? 0 : run + 1;
        if (run == pages)
            return (int)(i + 1 - pages);
    }
    return -1;
}

/* Regions the model implies: the runs of pages of one mapping. */
static unsigned model_regions(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < AREA; i++)
        n += owner[i] && (i == 0 || owner[i - 1] != owner[i]);
    return n;
}

static void model_matches_table(void)
{
    assert_int_equal(t.n, model_regions() + 2);         /* + the image and the stack */
    for (unsigned i = 0; i < AREA; i++) {
        const struct region *r = region_find(&t, LO + i * PG);
        assert_int_equal(r != 0, owner[i] != 0);
    }
}

/* Mostly small, sometimes a quarter of the area: holes of every size, and exhaustion. */
static unsigned random_pages(void)
{
    uint64_t r = next();
    return (unsigned)(r % 8 == 0 ? 1 + (r >> 8) % (AREA / 4) : 1 + (r >> 8) % 16);
}

static void model_map(uint32_t id)
{
    unsigned pages = random_pages();
    int want = model_fit(pages);
    int full = t.n == POSIX_MAX_REGIONS;
    int64_t got = map(pages);
    if (want < 0 || full) {
        assert_int_equal(got, -LX_ENOMEM);
        return;
    }
    assert_int_equal(got, LO + (uint64_t)want * PG);
    for (unsigned i = 0; i < pages; i++) {
        assert_int_equal(owner[want + i], 0);
        owner[want + i] = id;
    }
}

/* Anywhere in the area, mapped or not, across mappings or inside one. */
static void model_unmap(void)
{
    unsigned first = (unsigned)(next() % AREA), pages = random_pages();
    if (pages > AREA - first)
        pages = AREA - first;
    if (region_remove(&t, LO + first * PG, LO + (first + pages) * PG) == -LX_ENOMEM)
        return;     /* a split that would not fit: nothing changed (checked below) */
    for (unsigned i = first; i < first + pages; i++)
        owner[i] = 0;
}

static void region_gap_random_model_check(void **s)
{
    (void)s;
    memset(owner, 0, sizeof(owner));
    unsigned maps = 0, enomem = 0;
    for (uint32_t op = 1; op <= 100000; op++) {
        unsigned before = t.n;
        if (next() % 100 < 55) {
            model_map(op);
            maps++;
            enomem += t.n == before;
        } else {
            model_unmap();
        }
        if (op % 97 == 0)
            model_matches_table();
    }
    model_matches_table();
    printf("model check: %u maps, %u refused (-ENOMEM), %u regions at the end\n", maps,
           enomem, t.n);
    assert_true(enomem > 100 && enomem < maps / 2);     /* both outcomes well exercised */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(region_gap_starts_at_the_area_and_packs, setup),
        cmocka_unit_test_setup(region_gap_reuses_an_unmapped_range, setup),
        cmocka_unit_test_setup(region_gap_fills_holes_of_partial_unmaps, setup),
        cmocka_unit_test_setup(region_gap_coalesces_adjacent_holes, setup),
        cmocka_unit_test_setup(region_gap_exhausted_then_recovers, setup),
        cmocka_unit_test_setup(region_gap_stays_inside_its_bounds, setup),
        cmocka_unit_test_setup(region_gap_full_table_is_enomem_until_a_region_goes, setup),
        cmocka_unit_test_setup(region_gap_random_model_check, setup),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
