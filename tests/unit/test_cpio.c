/*
 * test_cpio.c — the boot-archive reader (lib/cpio.c, the one the kernel and root use) on
 * the host, with archives built here the way tools/mkbootar writes them (cpio newc):
 * cpio_find and cpio_next's walk. Found, absent, and
 * malformed: bad magic, truncated headers, names or sizes running past the end, non-hex
 * digits, a missing NUL, every truncation of a valid archive and random corruption. Each
 * lookup reads from a heap copy of exactly the archive's size, and the test is built with
 * AddressSanitizer, so a single byte read past the end fails it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <ell/cpio.h>

#define HDR CPIO_NEWC_HDR_SIZE
#define OFF_FILESIZE CPIO_NEWC_FILESIZE
#define OFF_NAMESIZE CPIO_NEWC_NAMESIZE

struct ar {
    uint8_t b[8192];
    size_t n;
};

static void pad4(struct ar *a)
{
    while (a->n & 3)
        a->b[a->n++] = 0;
}

/* A header with the given sizes, as mkbootar writes it. */
static void put_hdr(struct ar *a, uint64_t fsize, uint64_t nsize)
{
    char h[CPIO_NEWC_HDR_SIZE + 1];
    snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
             1u, 0100755u, 0u, 0u, 1u, 0u, (unsigned)fsize, 0u, 0u, 0u, 0u, (unsigned)nsize, 0u);
    memcpy(a->b + a->n, h, HDR);
    a->n += HDR;
}

/* Appends one member; returns the offset of its data. */
static size_t put_member(struct ar *a, const char *name, const void *data, size_t size)
{
    size_t nsize = strlen(name) + 1;
    put_hdr(a, size, nsize);
    memcpy(a->b + a->n, name, nsize);
    a->n += nsize;
    pad4(a);
    size_t at = a->n;
    memcpy(a->b + a->n, data, size);
    a->n += size;
    pad4(a);
    return at;
}

static void put_trailer(struct ar *a) { put_member(a, "TRAILER!!!", "", 0); }

/* cpio_find on a heap copy of the first `size` bytes, so ASan sees the true end. */
static int find_in(const struct ar *a, size_t size, const char *name, struct cpio_member *f,
                   size_t *data_off)
{
    uint8_t *copy = malloc(size ? size : 1);
    assert_non_null(copy);
    memcpy(copy, a->b, size);
    struct cpio_member got = { 0 };
    int r = cpio_find(copy, size, name, &got);
    if (r == 0) {
        assert_true(got.data >= copy && got.size <= size && got.data - copy <= (long)(size - got.size));
        assert_true((const uint8_t *)got.name >= copy + HDR &&
                    (const uint8_t *)got.name < copy + size);
        assert_string_equal(got.name, name);
        if (data_off)
            *data_off = (size_t)(got.data - copy);
        if (f)
            *f = (struct cpio_member){ NULL, NULL, got.size };   /* the copy is freed below */
    }
    free(copy);
    return r;
}

static int find(const struct ar *a, const char *name)
{
    struct cpio_member f;
    return find_in(a, a->n, name, &f, NULL);
}

static struct ar ar;
static size_t off_root, off_sigma0, off_empty, off_last;
static const char root_data[] = "\x7f" "ELF root program image";
static const char sigma0_data[] = "sigma0!";     /* 8 bytes with the NUL */
static const char last_data[] = "xyz";

static int setup(void **st)
{
    (void)st;
    memset(&ar, 0, sizeof(ar));
    off_root = put_member(&ar, "root", root_data, sizeof(root_data));
    off_sigma0 = put_member(&ar, "sigma0", sigma0_data, sizeof(sigma0_data));
    off_empty = put_member(&ar, "empty", "", 0);
    off_last = put_member(&ar, "a/longer-name.elf", last_data, 3);
    put_trailer(&ar);
    return 0;
}

static void expect_found(const char *name, size_t off, const void *data, uint64_t size)
{
    struct cpio_member f;
    size_t at = 0;
    assert_int_equal(find_in(&ar, ar.n, name, &f, &at), 0);
    assert_int_equal(at, off);
    assert_int_equal(f.size, size);
    assert_memory_equal(ar.b + at, data, size);
}

static void cpio_find_finds_first_middle_and_last_member(void **st)
{
    (void)st;
    expect_found("root", off_root, root_data, sizeof(root_data));
    expect_found("sigma0", off_sigma0, sigma0_data, sizeof(sigma0_data));
    expect_found("a/longer-name.elf", off_last, last_data, 3);
}

static void cpio_find_finds_empty_member(void **st)
{
    (void)st;
    struct cpio_member f;
    size_t at = 0;
    assert_int_equal(find_in(&ar, ar.n, "empty", &f, &at), 0);
    assert_int_equal(f.size, 0);
    assert_int_equal(at, off_empty);
}

static void cpio_find_data_is_4_byte_aligned(void **st)
{
    (void)st;
    assert_int_equal(off_root % 4, 0);
    assert_int_equal(off_sigma0 % 4, 0);
    assert_int_equal(off_last % 4, 0);
    assert_int_equal(off_root, 116);               /* 110 + "root\0" = 115, padded */
}

static void cpio_find_reports_absent_name(void **st)
{
    (void)st;
    assert_int_equal(find(&ar, "init"), CPIO_END);
    assert_int_equal(find(&ar, "roo"), CPIO_END);        /* a prefix of a member */
    assert_int_equal(find(&ar, "rootx"), CPIO_END);      /* a member is its prefix */
    assert_int_equal(find(&ar, "ROOT"), CPIO_END);
    assert_int_equal(find(&ar, "TRAILER!!!"), CPIO_END); /* the end marker is not a member */
}

static void cpio_find_stops_at_trailer(void **st)
{
    (void)st;
    put_member(&ar, "after", "late", 4);
    assert_int_equal(find(&ar, "after"), CPIO_END);
    assert_int_equal(find(&ar, "root"), 0);
}

static void cpio_find_accepts_lowercase_hex(void **st)
{
    (void)st;
    struct ar a = { .n = 0 };
    uint8_t big[0xab];
    memset(big, 0x5a, sizeof(big));
    put_member(&a, "x", big, sizeof(big));
    put_trailer(&a);
    memcpy(a.b + OFF_FILESIZE, "000000ab", 8);
    struct cpio_member f;
    assert_int_equal(find_in(&a, a.n, "x", &f, NULL), 0);
    assert_int_equal(f.size, 0xab);
}

static void cpio_find_rejects_empty_and_short_archives(void **st)
{
    (void)st;
    assert_int_equal(find_in(&ar, 0, "root", NULL, NULL), CPIO_BAD);
    assert_int_equal(find_in(&ar, 1, "root", NULL, NULL), CPIO_BAD);
    assert_int_equal(find_in(&ar, HDR - 1, "root", NULL, NULL), CPIO_BAD);
    assert_int_equal(find_in(&ar, HDR, "root", NULL, NULL), CPIO_BAD);   /* header, no name */
}

static void cpio_find_rejects_bad_magic(void **st)
{
    (void)st;
    static const char *const bad[] = { "070702", "070707", "070700", "170701", "07070 " };
    for (unsigned i = 0; i < 5; i++) {
        setup(NULL);
        memcpy(ar.b, bad[i], 6);
        assert_int_equal(find(&ar, "root"), CPIO_BAD);
    }
    setup(NULL);
    memcpy(ar.b + off_root + ((sizeof(root_data) + 3) & ~3u), "171701", 6);  /* 2nd header */
    assert_int_equal(find(&ar, "root"), 0);        /* found before the damage */
    assert_int_equal(find(&ar, "sigma0"), CPIO_BAD);
}

static void cpio_find_rejects_non_hex_sizes(void **st)
{
    (void)st;
    static const char bad[] = { 'g', 'G', ' ', '-', 'x', ':', '@', '`', '/', '\0', (char)0xff };
    for (unsigned i = 0; i < sizeof(bad); i++)
        for (int pos = 0; pos < 8; pos++) {
            setup(NULL);
            ar.b[OFF_FILESIZE + pos] = (uint8_t)bad[i];
            assert_int_equal(find(&ar, "root"), CPIO_BAD);
            setup(NULL);
            ar.b[OFF_NAMESIZE + pos] = (uint8_t)bad[i];
            assert_int_equal(find(&ar, "root"), CPIO_BAD);
        }
}

static void cpio_find_rejects_zero_name_size(void **st)
{
    (void)st;
    memcpy(ar.b + OFF_NAMESIZE, "00000000", 8);
    assert_int_equal(find(&ar, "root"), CPIO_BAD);
    ar.b[HDR - 1] = 0;          /* the byte before the name is NUL: still no name */
    assert_int_equal(find(&ar, "root"), CPIO_BAD);
    assert_int_equal(find(&ar, ""), CPIO_BAD);
}

static void cpio_find_rejects_name_without_nul(void **st)
{
    (void)st;
    ar.b[HDR + 4] = 'x';                           /* "root\0" -> "rootx" */
    assert_int_equal(find(&ar, "root"), CPIO_BAD);
    assert_int_equal(find(&ar, "rootx"), CPIO_BAD);
    setup(NULL);
    memcpy(ar.b + OFF_NAMESIZE, "00000004", 8);    /* the NUL falls outside the name */
    assert_int_equal(find(&ar, "root"), CPIO_BAD);
}

static void cpio_find_rejects_name_running_past_end(void **st)
{
    (void)st;
    struct ar a = { .n = 0 };
    put_hdr(&a, 0, 64);
    memcpy(a.b + a.n, "short", 6);
    a.n += 6;
    assert_int_equal(find(&a, "short"), CPIO_BAD);
    memcpy(ar.b + OFF_NAMESIZE, "FFFFFFFF", 8);
    assert_int_equal(find(&ar, "root"), CPIO_BAD);
    /* a name ending exactly at the end of the archive leaves no room for padding */
    struct ar b = { .n = 0 };
    put_hdr(&b, 0, 3);
    memcpy(b.b + b.n, "ab", 3);
    b.n += 3;
    assert_int_equal(find(&b, "ab"), CPIO_BAD);
}

static void cpio_find_rejects_size_running_past_end(void **st)
{
    (void)st;
    memcpy(ar.b + OFF_FILESIZE, "FFFFFFFF", 8);
    assert_int_equal(find(&ar, "root"), CPIO_BAD);
    setup(NULL);
    char hex[9];
    snprintf(hex, sizeof(hex), "%08zX", ar.n - off_root + 1);   /* one byte too many */
    memcpy(ar.b + OFF_FILESIZE, hex, 8);
    assert_int_equal(find(&ar, "root"), CPIO_BAD);
    setup(NULL);
    snprintf(hex, sizeof(hex), "%08zX", ar.n - off_root);       /* exactly to the end */
    memcpy(ar.b + OFF_FILESIZE, hex, 8);
    assert_int_equal(find(&ar, "root"), 0);
}

/* Every prefix of a valid archive: a member is found once its data is complete; the
 * archive is malformed (never merely "absent") until its trailer is complete. */
static void cpio_find_handles_every_truncation(void **st)
{
    (void)st;
    for (size_t len = 0; len <= ar.n; len++) {
        int r = find_in(&ar, len, "absent", NULL, NULL);
        assert_int_equal(r, len == ar.n ? -1 : -2);
        struct cpio_member f;
        r = find_in(&ar, len, "sigma0", &f, NULL);
        assert_int_equal(r, len >= off_sigma0 + sizeof(sigma0_data) ? 0 : -2);
        r = find_in(&ar, len, "a/longer-name.elf", &f, NULL);
        assert_int_equal(r, len >= off_last + 3 ? 0 : -2);
    }
}

/* Random byte damage: any answer is allowed, reading out of bounds is not (ASan). */
static void cpio_find_survives_random_corruption(void **st)
{
    (void)st;
    struct ar clean = ar;
    uint32_t x = 2463534242u;
    for (int i = 0; i < 20000; i++) {
        ar = clean;
        for (int k = 0; k < 1 + i % 4; k++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            size_t at = x % ar.n;
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            static const uint8_t pick[] = { '0', '1', 'F', 'f', 'g', 0, 0xff, '7' };
            ar.b[at] = (i & 1) ? (uint8_t)x : pick[x % 8];
        }
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        size_t len = (i & 2) ? ar.n : x % (ar.n + 1);
        struct cpio_member f;
        static const char *const names[] = { "root", "sigma0", "empty", "a/longer-name.elf", "no" };
        int r = find_in(&ar, len, names[i % 5], &f, NULL);
        assert_true(r == CPIO_OK || r == CPIO_END || r == CPIO_BAD);
    }
}

/* cpio_next visits every member in order, with the cursor at each next header, and ends
 * at the trailer without moving past it. */
static void cpio_next_walks_every_member_then_ends(void **st)
{
    (void)st;
    static const char *const names[] = { "root", "sigma0", "empty", "a/longer-name.elf" };
    const size_t offs[] = { off_root, off_sigma0, off_empty, off_last };
    uint64_t cursor = 0;
    struct cpio_member m;
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(cpio_next(ar.b, ar.n, &cursor, &m), CPIO_OK);
        assert_string_equal(m.name, names[i]);
        assert_int_equal(m.data - ar.b, offs[i]);
        assert_int_equal(cursor % CPIO_NEWC_ALIGN, 0);
    }
    uint64_t at_trailer = cursor;
    assert_int_equal(cpio_next(ar.b, ar.n, &cursor, &m), CPIO_END);
    assert_int_equal(cursor, at_trailer);
}

/* A damaged header stops the walk with CPIO_BAD and leaves the cursor where it was. */
static void cpio_next_reports_damage_and_keeps_cursor(void **st)
{
    (void)st;
    uint64_t cursor = 0;
    struct cpio_member m;
    assert_int_equal(cpio_next(ar.b, ar.n, &cursor, &m), CPIO_OK);
    uint64_t second = cursor;
    ar.b[second] = 'X';                               /* the second member's magic */
    assert_int_equal(cpio_next(ar.b, ar.n, &cursor, &m), CPIO_BAD);
    assert_int_equal(cursor, second);
    cursor = ar.n;                                    /* a cursor at or past the end */
    assert_int_equal(cpio_next(ar.b, ar.n, &cursor, &m), CPIO_BAD);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(cpio_find_finds_first_middle_and_last_member),
        T(cpio_find_finds_empty_member),
        T(cpio_find_data_is_4_byte_aligned),
        T(cpio_find_reports_absent_name),
        T(cpio_find_stops_at_trailer),
        T(cpio_find_accepts_lowercase_hex),
        T(cpio_find_rejects_empty_and_short_archives),
        T(cpio_find_rejects_bad_magic),
        T(cpio_find_rejects_non_hex_sizes),
        T(cpio_find_rejects_zero_name_size),
        T(cpio_find_rejects_name_without_nul),
        T(cpio_find_rejects_name_running_past_end),
        T(cpio_find_rejects_size_running_past_end),
        T(cpio_find_handles_every_truncation),
        T(cpio_find_survives_random_corruption),
        T(cpio_next_walks_every_member_then_ends),
        T(cpio_next_reports_damage_and_keeps_cursor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
