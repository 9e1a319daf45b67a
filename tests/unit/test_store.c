/*
 * test_store.c — ellfour-store end to end: an image it created, filled through objmgr and
 * persist as the servers will, then listed, dumped, checked and read by mdb_stat; and one
 * damaged copy per class of damage (truncation, a meta page, a branch page, value bytes,
 * a foreign file), each reported with a clear message and a non-zero exit, never a crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <objmgr/objmgr.h>
#include <persist/persist.h>
#include <sas/layout.h>

#define PG 4096u

static char dir[64], img[96], out[8192], err[8192];
static uint64_t obj_a, obj_b;

static int setup(void **st)
{
    (void)st;
    strcpy(dir, "/tmp/test_store.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(img, sizeof img, "%s/disk.img", dir);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

/* Run `ellfour-store ARGS`; out/err receive its output; returns its exit status. */
static int tool(const char *fmt, ...)
{
    char args[512], cmd[1024], path[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s %s >%s/out 2>%s/err", STORE_TOOL, args, dir, dir);
    int st = system(cmd);
    for (int i = 0; i < 2; i++) {
        char *buf = i ? err : out;
        snprintf(path, sizeof path, "%s/%s", dir, i ? "err" : "out");
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(buf, 1, sizeof out - 1, f) : 0;
        buf[n] = 0;
        if (f)
            fclose(f);
    }
    assert_true(WIFEXITED(st));                   /* the tool itself never crashes */
    return WEXITSTATUS(st);
}

static void put_obj(struct persist_txn *t, const struct obj_record *r)
{
    uint8_t enc[OBJ_RECORD_BYTES];
    obj_encode(r, enc);
    assert_int_equal(persist_record_put(t, r->base, enc, sizeof enc), SAS_OK);
}

/* Fill the image as objmgr's server would: objects, a freed range, pages, the epoch. */
static void fill_image(unsigned extra_objects)
{
    struct obj_table *tab;
    struct persist *p;
    struct persist_txn *t;
    struct obj_record a, b, c, freed;
    struct obj_spec s = { .size = 3 * PG, .flags = OBJ_PERSISTENT, .owner = 1, .label = "alpha" };
    static uint8_t pages[3 * PG];
    assert_int_equal(obj_table_new(SAS_OBJECT_BASE, SAS_OBJECT_END, &tab), SAS_OK);
    assert_int_equal(obj_create(tab, &s, &a), SAS_OK);
    s.label = "doomed";
    assert_int_equal(obj_create(tab, &s, &c), SAS_OK);
    s.size = PG, s.label = "beta", s.align = 1 << 20;
    assert_int_equal(obj_create(tab, &s, &b), SAS_OK);
    assert_int_equal(obj_delete(tab, c.base, NULL, &freed), SAS_OK);
    assert_int_equal(persist_open(img, 0, &p), SAS_OK);
    assert_int_equal(persist_begin(p, 1, &t), SAS_OK);
    put_obj(t, &a);
    put_obj(t, &b);
    put_obj(t, &freed);
    for (unsigned i = 0; i < extra_objects; i++) {
        struct obj_record x;
        struct obj_spec xs = { .size = PG, .label = "many" };
        assert_int_equal(obj_create(tab, &xs, &x), SAS_OK);
        put_obj(t, &x);
    }
    for (unsigned i = 0; i < sizeof pages; i++)
        pages[i] = (uint8_t)("Ell Four page. "[i % 15]);
    assert_int_equal(persist_pages_write(t, a.base, 3, pages), SAS_OK);
    assert_int_equal(persist_pages_write(t, b.base, 1, pages), SAS_OK);
    assert_int_equal(persist_meta_put_u64(t, "objmgr.epoch", obj_next_epoch(tab)), SAS_OK);
    assert_int_equal(persist_commit(t), SAS_OK);
    persist_close(p);
    obj_table_free(tab);
    obj_a = a.base;
    obj_b = b.base;
}

static void make_filled(unsigned extra)
{
    assert_int_equal(tool("create %s --size 4M", img), 0);
    fill_image(extra);
}

static void store_tool_reads_an_image_it_made_and_filled(void **st)
{
    (void)st;
    char cmd[256];
    make_filled(0);
    assert_int_equal(tool("ls %s", img), 0);
    assert_non_null(strstr(out, "alpha"));
    assert_non_null(strstr(out, "beta"));
    assert_non_null(strstr(out, "freed"));
    assert_non_null(strstr(out, "0x0000100000000000"));
    assert_int_equal(tool("dump %s %#llx 32", img, (unsigned long long)obj_a + 15), 0);
    assert_non_null(strstr(out, "|Ell Four page. E|"));
    assert_int_equal(tool("dump %s %#llx", img, (unsigned long long)obj_b + PG), 3);
    assert_non_null(strstr(err, "no object at that address"));
    assert_int_equal(tool("check %s", img), 0);
    assert_non_null(strstr(out, "2 objects, 1 freed ranges, 4 pages: 0 problems"));
    assert_int_equal(tool("stat %s", img), 0);
    assert_non_null(strstr(out, "object records: 3"));
    snprintf(cmd, sizeof cmd, "mdb_stat -n %s >/dev/null 2>&1", img);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "mdb_stat -n -s pages %s >/dev/null 2>&1", img);
    assert_int_equal(system(cmd), 0);
}

static void store_tool_create_validates_arguments(void **st)
{
    (void)st;
    assert_int_equal(tool("create %s --size 1000", img), 2);
    assert_int_equal(tool("create %s --run-pages 3", img), 2);
    assert_int_equal(tool("create %s --bogus", img), 2);
    assert_int_equal(tool("frobnicate %s", img), 2);
    assert_int_equal(tool("create %s --size 1M --run-pages 1", img), 0);
    assert_int_equal(tool("create %s", img), 3);         /* never overwrites */
    assert_non_null(strstr(err, "range already in use"));
    struct stat sb;
    assert_int_equal(stat(img, &sb), 0);
    assert_int_equal(sb.st_size, 1 << 20);
}

static long file_size(void)
{
    struct stat sb;
    assert_int_equal(stat(img, &sb), 0);
    return sb.st_size;
}

static void xor_at(long off, const uint8_t *x, size_t n)
{
    int fd = open(img, O_RDWR);
    uint8_t b[PG];
    assert_true(fd >= 0 && n <= PG);
    assert_int_equal(pread(fd, b, n, off), (ssize_t)n);
    for (size_t i = 0; i < n; i++)
        b[i] ^= x[i];
    assert_int_equal(pwrite(fd, b, n, off), (ssize_t)n);
    close(fd);
}

static void store_damage_truncation(void **st)
{
    (void)st;
    struct persist_probe pr;
    make_filled(0);
    assert_int_equal(persist_probe(img, &pr), SAS_OK);
    assert_int_equal(truncate(img, (off_t)(pr.last_page * PG)), 0);
    assert_int_equal(tool("ls %s", img), 3);
    assert_non_null(strstr(err, "truncated"));
    assert_int_equal(tool("check %s", img), 3);
}

static void store_damage_meta_page(void **st)
{
    (void)st;
    uint8_t junk[64];
    make_filled(0);
    memset(junk, 0x5a, sizeof junk);
    xor_at(PG + 128, junk, sizeof junk);                /* meta page 1: roots, last page */
    assert_int_equal(tool("check %s", img), 3);
    assert_non_null(strstr(err, "corrupt"));
    assert_int_equal(tool("ls %s", img), 3);
}

/* Smash the node area of every LMDB branch page (page flag P_BRANCH = 0x01). */
static int smash_branch_pages(void)
{
    int fd = open(img, O_RDWR), n = 0;
    long pages = file_size() / PG;
    uint8_t pg[PG];
    for (long i = 2; i < pages; i++) {
        assert_int_equal(pread(fd, pg, PG, i * PG), PG);
        uint16_t flags;
        memcpy(&flags, pg + 10, 2);
        if ((uint64_t)i != *(uint64_t *)pg || flags != 0x01)
            continue;
        for (int j = 16; j < (int)PG; j++)
            pg[j] = (uint8_t)(j * 37 + 11);
        assert_int_equal(pwrite(fd, pg, PG, i * PG), PG);
        n++;
    }
    close(fd);
    return n;
}

static void store_damage_branch_page(void **st)
{
    (void)st;
    make_filled(1500);                                  /* a two-level objects tree */
    assert_int_equal(tool("check %s", img), 0);
    assert_true(smash_branch_pages() >= 1);
    int rc = tool("ls %s", img);
    assert_int_equal(rc, 3);
    assert_true(strstr(err, "corrupt") || strstr(err, "invalid"));
    assert_int_equal(tool("check %s", img), 3);
    assert_true(strlen(err) > 0);
}

static void store_damage_value_bytes(void **st)
{
    (void)st;
    uint8_t needle[32], x = 0x40;
    make_filled(0);
    for (unsigned i = 0; i < sizeof needle; i++)
        needle[i] = (uint8_t)("Ell Four page. "[i % 15]);
    /* Find the first page's contents in the file and flip one bit in its middle. */
    int fd = open(img, O_RDONLY);
    long size = file_size(), at = -1;
    uint8_t *buf = malloc(size);
    assert_int_equal(pread(fd, buf, size, 0), size);
    close(fd);
    for (long i = 0; i + 32 <= size && at < 0; i++)
        if (!memcmp(buf + i, needle, 32))
            at = i;
    free(buf);
    assert_true(at > 0);
    xor_at(at + PG + 100, &x, 1);                       /* second page of alpha */
    assert_int_equal(tool("check %s", img), 1);
    assert_non_null(strstr(out, "data is damaged"));
    assert_non_null(strstr(out, "1 problem"));
    assert_int_equal(tool("dump %s %#llx 16", img, (unsigned long long)obj_a + PG), 3);
    assert_non_null(strstr(err, "corrupt"));
    assert_int_equal(tool("dump %s %#llx 16", img, (unsigned long long)obj_a), 0);
}

static void store_damage_foreign_file(void **st)
{
    (void)st;
    FILE *f = fopen(img, "w");
    for (int i = 0; i < 3000; i++)
        fprintf(f, "%d bottles of beer\n", i);
    fclose(f);
    assert_int_equal(tool("ls %s", img), 3);
    assert_non_null(strstr(err, "not an Ell Four store"));
    assert_int_equal(truncate(img, 100), 0);
    assert_int_equal(tool("stat %s", img), 3);
    assert_non_null(strstr(err, "not an Ell Four store"));
    unlink(img);
    assert_int_equal(tool("check %s", img), 3);
    assert_non_null(strstr(err, "no object at that address") || strstr(err, "not"));
}

/* check's consistency rules: stray pages and overlapping records. */
static void store_check_reports_stray_pages_and_overlaps(void **st)
{
    (void)st;
    struct persist *p;
    struct persist_txn *t;
    static uint8_t pg[PG];
    struct obj_record r = { .base = 0, .size = 2 * PG, .flags = OBJ_PERSISTENT, .epoch = 1 };
    make_filled(0);
    memset(pg, 1, sizeof pg);
    r.base = obj_a + PG;                                /* inside alpha */
    assert_int_equal(persist_open(img, 0, &p), SAS_OK);
    assert_int_equal(persist_begin(p, 1, &t), SAS_OK);
    assert_int_equal(persist_pages_write(t, SAS_OBJECT_BASE + 0x40000000, 1, pg), SAS_OK);
    put_obj(t, &r);
    assert_int_equal(persist_commit(t), SAS_OK);
    persist_close(p);
    assert_int_equal(tool("check %s", img), 1);
    assert_non_null(strstr(out, "belongs to no live object"));
    assert_non_null(strstr(out, "overlaps"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(store_tool_reads_an_image_it_made_and_filled),
        T(store_tool_create_validates_arguments),
        T(store_damage_truncation),
        T(store_damage_meta_page),
        T(store_damage_branch_page),
        T(store_damage_value_bytes),
        T(store_damage_foreign_file),
        T(store_check_reports_stray_pages_and_overlaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
