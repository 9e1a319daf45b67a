/*
 * test_posix.c — the personality's pure logic (sasos/posix/posix.h) on the host: region
 * lookup, splitting and protection; the descriptor table; mmap/open flag checks; and the
 * initial stack musl's start-up code reads (argc, argv, envp, auxv with AT_PHENT).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <l4/fpage.h>
#include "posix.h"

#define PG 0x1000ULL
#define RW (LX_PROT_READ | LX_PROT_WRITE)

static struct region_table t;

static int setup(void **state)
{
    (void)state;
    memset(&t, 0, sizeof(t));
    return 0;
}

static void region_find_hits_inside_and_misses_edges(void **s)
{
    (void)s;
    assert_int_equal(region_add(&t, 10 * PG, 20 * PG, REGION_ANON, RW), 0);
    assert_int_equal(region_add(&t, 30 * PG, 31 * PG, REGION_IMAGE, 5), 0);
    assert_null(region_find(&t, 10 * PG - 1));
    assert_non_null(region_find(&t, 10 * PG));
    assert_non_null(region_find(&t, 20 * PG - 1));
    assert_null(region_find(&t, 20 * PG));
    assert_int_equal(region_find(&t, 30 * PG + 5)->kind, REGION_IMAGE);
    assert_null(region_find(&t, 31 * PG));
}

static void region_add_rejects_overlap_and_misalignment(void **s)
{
    (void)s;
    assert_int_equal(region_add(&t, 10 * PG, 20 * PG, REGION_ANON, RW), 0);
    assert_int_equal(region_add(&t, 19 * PG, 21 * PG, REGION_ANON, RW), -LX_EEXIST);
    assert_int_equal(region_add(&t, 5 * PG, 11 * PG, REGION_ANON, RW), -LX_EEXIST);
    assert_int_equal(region_add(&t, 5 * PG + 1, 6 * PG, REGION_ANON, RW), -LX_EINVAL);
    assert_int_equal(region_add(&t, 6 * PG, 6 * PG, REGION_ANON, RW), -LX_EINVAL);
    assert_int_equal(region_add(&t, 20 * PG, 21 * PG, REGION_ANON, RW), 0);   /* adjacent */
    assert_int_equal(t.n, 2);
}

static void region_add_fails_when_table_full(void **s)
{
    (void)s;
    for (unsigned i = 0; i < POSIX_MAX_REGIONS; i++)
        assert_int_equal(region_add(&t, (2 * i + 1) * PG, (2 * i + 2) * PG, REGION_ANON, RW), 0);
    assert_int_equal(region_add(&t, 0x100000 * PG, 0x100001 * PG, REGION_ANON, RW), -LX_ENOMEM);
}

static void region_remove_splits_a_hole(void **s)
{
    (void)s;
    assert_int_equal(region_add(&t, 10 * PG, 20 * PG, REGION_ANON, RW), 0);
    assert_int_equal(region_remove(&t, 12 * PG, 14 * PG), 0);
    assert_int_equal(t.n, 2);
    assert_non_null(region_find(&t, 11 * PG));
    assert_null(region_find(&t, 12 * PG));
    assert_null(region_find(&t, 13 * PG));
    assert_non_null(region_find(&t, 14 * PG));
    /* Removing what is not mapped is fine, as with Linux's munmap. */
    assert_int_equal(region_remove(&t, 100 * PG, 110 * PG), 0);
}

static void region_remove_spans_several_regions(void **s)
{
    (void)s;
    region_add(&t, 10 * PG, 20 * PG, REGION_ANON, RW);
    region_add(&t, 20 * PG, 30 * PG, REGION_ANON, LX_PROT_READ);
    region_add(&t, 40 * PG, 50 * PG, REGION_ANON, RW);
    assert_int_equal(region_remove(&t, 15 * PG, 45 * PG), 0);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.r[0].end, 15 * PG);
    assert_int_equal(t.r[1].start, 45 * PG);
}

static void region_remove_refuses_image(void **s)
{
    (void)s;
    region_add(&t, 10 * PG, 20 * PG, REGION_IMAGE, 7);
    assert_int_equal(region_remove(&t, 12 * PG, 13 * PG), -LX_EINVAL);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.r[0].end, 20 * PG);
}

static void region_protect_splits_inside(void **s)
{
    (void)s;
    region_add(&t, 10 * PG, 12 * PG, REGION_ANON, 0);
    assert_int_equal(region_protect(&t, 11 * PG, 12 * PG, RW), 0);
    assert_int_equal(region_find(&t, 10 * PG)->prot, 0);
    assert_int_equal(region_find(&t, 11 * PG)->prot, RW);
    assert_int_equal(t.n, 2);
}

static void region_protect_needs_full_cover(void **s)
{
    (void)s;
    region_add(&t, 10 * PG, 12 * PG, REGION_ANON, RW);
    region_add(&t, 13 * PG, 14 * PG, REGION_ANON, RW);
    assert_int_equal(region_protect(&t, 11 * PG, 14 * PG, 0), -LX_ENOMEM);
    assert_int_equal(t.n, 2);                   /* nothing changed */
    assert_int_equal(region_find(&t, 11 * PG)->prot, RW);
}

static void fd_table_lowest_free_first(void **s)
{
    (void)s;
    struct fd_table f;
    fd_init(&f);
    assert_int_equal(fd_get(&f, 1)->kind, FD_CONSOLE);
    assert_int_equal(fd_alloc(&f, FD_CONSOLE, LX_O_RDWR), 3);
    assert_int_equal(fd_close(&f, 1), 0);
    assert_null(fd_get(&f, 1));
    assert_int_equal(fd_close(&f, 1), -LX_EBADF);
    assert_int_equal(fd_alloc(&f, FD_CONSOLE, LX_O_WRONLY | LX_O_CLOEXEC), 1);
    assert_int_equal(fd_get(&f, 1)->cloexec, 1);
    assert_int_equal(fd_get(&f, 1)->flags, LX_O_WRONLY);
    assert_null(fd_get(&f, -1));
    assert_null(fd_get(&f, POSIX_MAX_FDS));
}

static void fd_table_full_is_emfile(void **s)
{
    (void)s;
    struct fd_table f;
    fd_init(&f);
    for (unsigned i = 3; i < POSIX_MAX_FDS; i++)
        assert_int_equal(fd_alloc(&f, FD_CONSOLE, 0), (int)i);
    assert_int_equal(fd_alloc(&f, FD_CONSOLE, 0), -LX_EMFILE);
}

static void prot_to_rights_as_x86(void **s)
{
    (void)s;
    assert_int_equal(prot_to_rights(0), 0);
    assert_int_equal(prot_to_rights(LX_PROT_READ), L4_FPAGE_R);
    assert_int_equal(prot_to_rights(LX_PROT_WRITE), L4_FPAGE_RW);
    assert_int_equal(prot_to_rights(LX_PROT_EXEC), L4_FPAGE_R | L4_FPAGE_X);
    assert_true(prot_allows(RW, L4_FPAGE_W));
    assert_false(prot_allows(LX_PROT_READ, L4_FPAGE_W));
    assert_false(prot_allows(0, L4_FPAGE_R));
}

static void mmap_check_accepts_only_private_anonymous(void **s)
{
    (void)s;
    uint64_t pa = LX_MAP_PRIVATE | LX_MAP_ANONYMOUS;
    assert_int_equal(mmap_check(0, 4096, RW, pa, -1), 0);
    assert_int_equal(mmap_check(0, 0, RW, pa, -1), -LX_EINVAL);
    assert_int_equal(mmap_check(0, 4096, 8, pa, -1), -LX_EINVAL);
    assert_int_equal(mmap_check(0, 4096, RW, LX_MAP_PRIVATE, 3), -LX_ENODEV);
    assert_int_equal(mmap_check(0, 4096, RW, LX_MAP_PRIVATE, -1), -LX_EBADF);
    assert_int_equal(mmap_check(0, 4096, RW, LX_MAP_SHARED | LX_MAP_ANONYMOUS, -1),
                     -LX_EOPNOTSUPP);
    assert_int_equal(mmap_check(0x1000, 4096, RW, pa | LX_MAP_FIXED, -1), -LX_EOPNOTSUPP);
    assert_int_equal(mmap_check(0, 4096, RW, pa | 0x40000000, -1), -LX_EINVAL);
}

static void open_flags_keeps_what_matters(void **s)
{
    (void)s;
    assert_int_equal(open_flags(LX_O_WRONLY | LX_O_CLOEXEC | LX_O_LARGEFILE),
                     LX_O_WRONLY | LX_O_CLOEXEC);
    assert_int_equal(open_flags(LX_O_ACCMODE), -LX_EINVAL);
    assert_int_equal(open_flags(LX_O_RDWR | LX_O_CREAT), -LX_EINVAL);
}

static void mmap_check_accepts_shared_read_only_files(void **s)
{
    (void)s;
    assert_int_equal(mmap_check(0, 4096, LX_PROT_READ, LX_MAP_SHARED, 3), 0);
    assert_int_equal(mmap_check(0, 4096, RW, LX_MAP_SHARED, 3), -LX_EOPNOTSUPP);
    assert_int_equal(mmap_check(0, 4096, LX_PROT_READ, LX_MAP_SHARED | LX_MAP_FIXED, 3),
                     -LX_EOPNOTSUPP);
    assert_int_equal(mmap_check(0, 4096, LX_PROT_READ, LX_MAP_SHARED, -1), -LX_EBADF);
    assert_int_equal(mmap_check(0, 4096, LX_PROT_READ, LX_MAP_SHARED | LX_MAP_PRIVATE, 3),
                     -LX_EINVAL);
}

static void disk_open_flags_keeps_dsync_and_ignores_creat(void **s)
{
    (void)s;
    assert_int_equal(disk_open_flags(LX_O_RDWR | LX_O_CREAT | LX_O_CLOEXEC),
                     LX_O_RDWR | LX_O_CLOEXEC);
    assert_int_equal(disk_open_flags(LX_O_WRONLY | LX_O_DSYNC), LX_O_WRONLY | LX_O_DSYNC);
    assert_int_equal(disk_open_flags(LX_O_WRONLY | LX_O_SYNC), LX_O_WRONLY | LX_O_SYNC);
    assert_int_equal(disk_open_flags(LX_O_RDWR | LX_O_TRUNC), -LX_EINVAL);
    assert_int_equal(disk_open_flags(LX_O_RDWR | LX_O_APPEND), -LX_EINVAL);
    assert_int_equal(disk_open_flags(LX_O_ACCMODE), -LX_EINVAL);
}

static void region_file_split_keeps_disk_offsets(void **s)
{
    (void)s;
    struct region_table t = { .n = 0 };
    assert_int_equal(region_add_file(&t, 10 * PG, 20 * PG, LX_PROT_READ, 0x100000), 0);
    const struct region *r = region_find(&t, 15 * PG);
    assert_non_null(r);
    assert_int_equal(r->kind, REGION_FILE);
    assert_int_equal(r->off, 0x100000);
    assert_int_equal(region_remove(&t, 12 * PG, 14 * PG), 0);   /* a hole in the middle */
    r = region_find(&t, 15 * PG);
    assert_non_null(r);
    assert_int_equal(r->start, 14 * PG);
    assert_int_equal(r->off, 0x100000 + 4 * PG);                 /* the upper part's offset */
    assert_int_equal(region_find(&t, 10 * PG)->off, 0x100000);
    assert_null(region_find(&t, 13 * PG));
    assert_int_equal(region_protect(&t, 10 * PG, 11 * PG, RW), -LX_ENOMEM);  /* not anon */
}

/* The stack as the ABI lays it out, read back the way musl's __init_libc reads it. */
static void stack_build_lays_out_argv_envp_auxv(void **s)
{
    (void)s;
    static uint8_t mem[4096];
    const uint64_t top = 0x7000000ULL;
    const char *argv[] = { "prog", "-x", 0 }, *envp[] = { "HOME=/", 0 };
    struct stack_args a = { argv, envp, 0x1040, 56, 9, 0x1396, { 1, 2, 3 } };
    uint64_t sp = stack_build(mem, top, sizeof(mem), &a);
    assert_int_not_equal(sp, 0);
    assert_int_equal(sp % 16, 0);
    const uint64_t *w = (const uint64_t *)(mem + (sp - (top - sizeof(mem))));
#define STR(va) ((const char *)(mem + ((va) - (top - sizeof(mem)))))
    assert_int_equal(w[0], 2);
    assert_string_equal(STR(w[1]), "prog");
    assert_string_equal(STR(w[2]), "-x");
    assert_int_equal(w[3], 0);
    assert_string_equal(STR(w[4]), "HOME=/");
    assert_int_equal(w[5], 0);
    const uint64_t *aux = &w[6];
    uint64_t seen[32] = { 0 };
    unsigned n = 0;
    for (; aux[2 * n] != LX_AT_NULL; n++)
        if (aux[2 * n] < 32)
            seen[aux[2 * n]] = aux[2 * n + 1];
    assert_int_equal(n + 1, STACK_AUXV_ENTRIES);
    assert_int_equal(seen[LX_AT_PHDR], 0x1040);
    assert_int_equal(seen[LX_AT_PHENT], 56);
    assert_int_equal(seen[LX_AT_PHNUM], 9);
    assert_int_equal(seen[LX_AT_ENTRY], 0x1396);
    assert_int_equal(seen[LX_AT_PAGESZ], 4096);
    assert_memory_equal(STR(seen[LX_AT_RANDOM]), a.random, 16);
    assert_true(seen[LX_AT_RANDOM] > sp && seen[LX_AT_RANDOM] + 16 <= top);
#undef STR
}

static void stack_build_refuses_too_small(void **s)
{
    (void)s;
    static uint8_t mem[128];
    const char *argv[] = { "prog", 0 };
    struct stack_args a = { argv, 0, 1, 56, 1, 1, { 0 } };
    assert_int_equal(stack_build(mem, 0x10000, sizeof(mem), &a), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(region_find_hits_inside_and_misses_edges, setup),
        cmocka_unit_test_setup(region_add_rejects_overlap_and_misalignment, setup),
        cmocka_unit_test_setup(region_add_fails_when_table_full, setup),
        cmocka_unit_test_setup(region_remove_splits_a_hole, setup),
        cmocka_unit_test_setup(region_remove_spans_several_regions, setup),
        cmocka_unit_test_setup(region_remove_refuses_image, setup),
        cmocka_unit_test_setup(region_protect_splits_inside, setup),
        cmocka_unit_test_setup(region_protect_needs_full_cover, setup),
        cmocka_unit_test(fd_table_lowest_free_first),
        cmocka_unit_test(fd_table_full_is_emfile),
        cmocka_unit_test(prot_to_rights_as_x86),
        cmocka_unit_test(mmap_check_accepts_only_private_anonymous),
        cmocka_unit_test(open_flags_keeps_what_matters),
        cmocka_unit_test(mmap_check_accepts_shared_read_only_files),
        cmocka_unit_test(disk_open_flags_keeps_dsync_and_ignores_creat),
        cmocka_unit_test(region_file_split_keeps_disk_offsets),
        cmocka_unit_test(stack_build_lays_out_argv_envp_auxv),
        cmocka_unit_test(stack_build_refuses_too_small),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
