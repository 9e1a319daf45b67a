/*
 * test_persist.c — the store (persist/persist.h) on the host: environment flags and map
 * size, format/foreign/version checks, pages (zeros, runs, multi-object commits,
 * checksums), records, metadata, other modules' databases, transaction rules, a full
 * store, and the error translation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <lmdb.h>
#include <persist/persist.h>
#include <sas/layout.h>

#define PG 4096u
#define A0 SAS_OBJECT_BASE

static char dir[64];
static char img[96];

static int setup(void **st)
{
    (void)st;
    strcpy(dir, "/tmp/test_persist.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(img, sizeof img, "%s/s.img", dir);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    char lock[128];
    unlink(img);
    snprintf(lock, sizeof lock, "%s-lock", img);
    unlink(lock);
    rmdir(dir);
    return 0;
}

static struct persist *make_store(uint64_t size, unsigned run)
{
    struct persist_create_opts o = { .size = size, .run_pages = run };
    struct persist *p = NULL;
    assert_int_equal(persist_create(img, &o), SAS_OK);
    assert_int_equal(persist_open(img, 0, &p), SAS_OK);
    return p;
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(seed * 131 + i * 7 + 1);
}

static void persist_env_uses_safe_flags_and_file_sized_map(void **st)
{
    (void)st;
    struct persist *p = make_store(1 << 20, 8);
    unsigned f = persist_env_flags(p);
    struct persist_info in;
    struct stat sb;
    char lock[128];
    assert_true(f & MDB_NOSUBDIR);
    assert_true(f & MDB_NOLOCK);
    assert_false(f & (MDB_NOSYNC | MDB_NOMETASYNC | MDB_MAPASYNC | MDB_WRITEMAP));
    assert_int_equal(persist_stat(p, &in), SAS_OK);
    assert_int_equal(stat(img, &sb), 0);
    assert_int_equal(sb.st_size, 1 << 20);
    assert_true(in.map_size <= (uint64_t)sb.st_size);
    assert_int_equal(in.format, PERSIST_FORMAT_VERSION);
    assert_int_equal(in.run_pages, 8);
    snprintf(lock, sizeof lock, "%s-lock", img);
    assert_int_equal(access(lock, F_OK), -1);     /* MDB_NOLOCK: no lock file */
    persist_close(p);
}

static void persist_create_validates_and_never_clobbers(void **st)
{
    (void)st;
    struct persist_create_opts o = { .size = 1 << 20, .run_pages = 3 };
    assert_int_equal(persist_create(img, &o), SAS_EINVAL);
    o.run_pages = 64;
    assert_int_equal(persist_create(img, &o), SAS_EINVAL);
    o.run_pages = 1;
    o.size = 4096;
    assert_int_equal(persist_create(img, &o), SAS_EINVAL);
    o.size = (1 << 20) + 1;
    assert_int_equal(persist_create(img, &o), SAS_EINVAL);
    assert_int_equal(access(img, F_OK), -1);
    o.size = 1 << 20;
    assert_int_equal(persist_create(img, &o), SAS_OK);
    assert_int_equal(persist_create(img, &o), SAS_EEXIST);
}

/* One commit across three objects; unwritten pages read as zeros and take no space. */
static void persist_commit_spans_objects_and_survives_reopen(void **st)
{
    (void)st;
    struct persist *p = make_store(4 << 20, 8);
    struct persist_txn *t;
    static uint8_t a[3 * PG], b[PG], c[PG], out[3 * PG];
    struct persist_info in;
    fill(a, sizeof a, 1);
    fill(b, sizeof b, 2);
    fill(c, sizeof c, 3);
    assert_int_equal(persist_begin(p, 1, &t), SAS_OK);
    assert_int_equal(persist_pages_write(t, A0 + 6 * PG, 3, a), SAS_OK);      /* spans two runs */
    assert_int_equal(persist_pages_write(t, A0 + 0x100000, 1, b), SAS_OK);
    assert_int_equal(persist_pages_write(t, A0 + 0x7000000, 1, c), SAS_OK);
    assert_int_equal(persist_record_put(t, A0, "rec", 3), SAS_OK);
    assert_int_equal(persist_commit(t), SAS_OK);
    persist_close(p);
    assert_int_equal(persist_open(img, PERSIST_RDONLY, &p), SAS_OK);
    assert_int_equal(persist_begin(p, 0, &t), SAS_OK);
    assert_int_equal(persist_pages_read(t, A0 + 6 * PG, 3, out), SAS_OK);
    assert_memory_equal(out, a, sizeof a);
    assert_int_equal(persist_pages_read(t, A0 + 0x7000000, 1, out), SAS_OK);
    assert_memory_equal(out, c, PG);
    memset(out, 0xff, PG);
    assert_int_equal(persist_pages_read(t, A0 + 9 * PG, 1, out), SAS_OK); /* never written */
    for (unsigned i = 0; i < PG; i++)
        assert_int_equal(out[i], 0);
    persist_abort(t);
    assert_int_equal(persist_stat(p, &in), SAS_OK);
    assert_int_equal(in.stored_values, 4);       /* runs at pages 0, 8, 0x100, 0x7000 */
    assert_int_equal(in.records, 1);
    persist_close(p);
}

static void persist_abort_and_zero_writes_leave_nothing(void **st)
{
    (void)st;
    struct persist *p = make_store(1 << 20, 4);
    struct persist_txn *t;
    static uint8_t a[PG], z[PG], out[PG];
    struct persist_info in;
    fill(a, PG, 9);
    assert_int_equal(persist_begin(p, 1, &t), SAS_OK);
    assert_int_equal(persist_pages_write(t, A0, 1, a), SAS_OK);
    persist_abort(t);
    assert_int_equal(persist_stat(p, &in), SAS_OK);
    assert_int_equal(in.stored_values, 0);
    assert_int_equal(persist_begin(p, 1, &t), SAS_OK);
    assert_int_equal(persist_pages_write(t, A0 + PG, 1, a), SAS_OK);
    assert_int_equal(persist_pages_write(t, A0 + 2 * PG, 1, a), SAS_OK);
    assert_int_equal(persist_commit(t), SAS_OK);
    /* Neighbours in one run are independent: zeroing one keeps the other. */
    assert_int_equal(persist_begin(p, 1, &t), SAS_OK);
    assert_int_equal(persist_pages_write(t, A0 + PG, 1, z), SAS_OK);
    assert_int_equal(persist_pages_read(t, A0 + 2 * PG, 1, out), SAS_OK);
    assert_memory_equal(out, a, PG);
    assert_int_equal(persist_pages_discard(t, A0 + 2 * PG, 1), SAS_OK);
    assert_int_equal(persist_commit(t), SAS_OK);
    assert_int_equal(persist_stat(p, &in), SAS_OK);
    assert_int_equal(in.stored_values, 0);
    persist_close(p);
}

static void persist_pages_reject_bad_ranges_and_readonly_writes(void **st)
{
    (void)st;
    struct persist *p = make_store(1 << 20, 8);
    struct persist_txn *t, *t2;
    static uint8_t a[PG];
    assert_int_equal(persist_begin(p, 0, &t), SAS_OK);
    assert_int_equal(persist_pages_write(t, A0, 1, a), SAS_ESTORE_READONLY);
    assert_int_equal(persist_begin(p, 1, &t2), SAS_EBUSY);   /* reader open */
    persist_abort(t);
    assert_int_equal(persist_begin(p, 1, &t), SAS_OK);
    assert_int_equal(persist_begin(p, 1, &t2), SAS_EBUSY);   /* one writer */
    assert_int_equal(persist_pages_write(t, A0 + 1, 1, a), SAS_EINVAL);
    assert_int_equal(persist_pages_write(t, A0 - PG, 1, a), SAS_EINVAL);
    assert_int_equal(persist_pages_write(t, SAS_OBJECT_END - PG, 2, a), SAS_EINVAL);
    assert_int_equal(persist_pages_write(t, A0, 0, a), SAS_EINVAL);
    assert_int_equal(persist_pages_read(t, A0 + 8, 1, a), SAS_EINVAL);
    assert_int_equal(persist_commit(t), SAS_OK);              /* validation does not poison */
    persist_close(p);
    assert_int_equal(persist_open(img, PERSIST_RDONLY, &p), SAS_OK);
    assert_int_equal(persist_begin(p, 1, &t), SAS_ESTORE_READONLY);
    persist_close(p);
}

/* Find needle in the image file; returns its offset or -1. */
static long find_in_file(const uint8_t *needle, size_t n)
{
    struct stat sb;
    int fd = open(img, O_RDONLY);
    assert_true(fd >= 0);
    fstat(fd, &sb);
    uint8_t *buf = malloc(sb.st_size);
    assert_int_equal(pread(fd, buf, sb.st_size, 0), sb.st_size);
    close(fd);
    long at = -1;
    for (long i = 0; i + (long)n <= sb.st_size; i++)
        if (!memcmp(buf + i, needle, n)) {
            at = i;
            break;
        }
    free(buf);
    return at;
}

static void poke(long off, uint8_t x)
{
    int fd = open(img, O_RDWR);
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, off), 1);
    b ^= x;
    assert_int_equal(pwrite(fd, &b, 1, off), 1);
    close(fd);
}

static void persist_read_detects_corrupted_page_by_checksum(void **st)
{
    (void)st;
    struct persist *p = make_store(1 << 20, 1);
    struct persist_txn *t;
    static uint8_t a[PG], out[PG];
    fill(a, PG, 5);
    assert_int_equal(persist_begin(p, 1, &t), SAS_OK);
    assert_int_equal(persist_pages_write(t, A0 + 3 * PG, 1, a), SAS_OK);
    assert_int_equal(persist_commit(t), SAS_OK);
    persist_close(p);
    long at = find_in_file(a, 64);
    assert_true(at > 0);
    poke(at + 1000, 0x10);
    assert_int_equal(persist_open(img, 0, &p), SAS_OK);
    assert_int_equal(persist_begin(p, 0, &t), SAS_OK);
    memset(out, 0xee, PG);
    assert_int_equal(persist_pages_read(t, A0 + 3 * PG, 1, out), SAS_ESTORE_CORRUPT);
    assert_int_equal(out[0], 0xee);                           /* nothing returned */
    persist_abort(t);
    persist_close(p);
}

static int count_bad(void *arg, uint64_t addr, const void *page, enum sas_error e)
{
    (void)addr, (void)page;
    if (e)
        ++*(int *)arg;
    return 0;
}

static void persist_pages_each_reports_bad_pages_only(void **st)
{
    (void)st;
    struct persist *p = make_store(1 << 20, 8);
    struct persist_txn *t;
    static uint8_t a[4 * PG];
    int bad = 0;
    fill(a, sizeof a, 7);
    assert_int_equal(persist_begin(p, 1, &t), SAS_OK);
    assert_int_equal(persist_pages_write(t, A0, 4, a), SAS_OK);
    assert_int_equal(persist_commit(t), SAS_OK);
    persist_close(p);
    poke(find_in_file(a + 2 * PG, 64) + 7, 1);
    assert_int_equal(persist_open(img, 0, &p), SAS_OK);
    assert_int_equal(persist_begin(p, 0, &t), SAS_OK);
    assert_int_equal(persist_pages_each(t, count_bad, &bad), SAS_OK);
    assert_int_equal(bad, 1);
    uint8_t out[PG];
    assert_int_equal(persist_pages_read(t, A0 + PG, 1, out), SAS_OK);   /* neighbour fine */
    persist_abort(t);
    persist_close(p);
}

/* Write identity keys with LMDB directly, as a foreign or future writer would. */
static void raw_put(const char *dbname, const char *key, const void *val, size_t len)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k = { strlen(key), (void *)key }, v = { len, (void *)val };
    struct stat sb;
    size_t map = stat(img, &sb) == 0 && sb.st_size ? (size_t)sb.st_size : 1 << 20;
    assert_int_equal(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 16);
    mdb_env_set_mapsize(env, map);
    assert_int_equal(mdb_env_open(env, img, MDB_NOSUBDIR | MDB_NOLOCK, 0644), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, dbname, MDB_CREATE, &dbi), 0);
    assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

static void persist_open_refuses_newer_and_foreign_stores(void **st)
{
    (void)st;
    struct persist *p = make_store(1 << 20, 8);
    uint32_t v2 = PERSIST_FORMAT_VERSION + 1;
    persist_close(p);
    raw_put("meta", "persist.format", &v2, sizeof v2);
    assert_int_equal(persist_open(img, 0, &p), SAS_ESTORE_VERSION);
    unlink(img);
    raw_put("other", "k", "v", 1);                 /* an LMDB file, not ours */
    assert_int_equal(persist_open(img, 0, &p), SAS_ESTORE_FOREIGN);
    unlink(img);
    FILE *f = fopen(img, "w");
    for (int i = 0; i < 5000; i++)
        fputs("not a store ", f);
    fclose(f);
    assert_int_equal(persist_open(img, 0, &p), SAS_ESTORE_FOREIGN);
    unlink(img);
    assert_int_equal(persist_open(img, 0, &p), SAS_ENOTFOUND);
}

static void persist_probe_detects_truncation(void **st)
{
    (void)st;
    struct persist *p = make_store(1 << 20, 1);
    struct persist_txn *t;
    struct persist_probe pr;
    static uint8_t a[16 * PG];
    fill(a, sizeof a, 4);
    assert_int_equal(persist_begin(p, 1, &t), SAS_OK);
    assert_int_equal(persist_pages_write(t, A0, 16, a), SAS_OK);
    assert_int_equal(persist_commit(t), SAS_OK);
    persist_close(p);
    assert_int_equal(persist_probe(img, &pr), SAS_OK);
    assert_true(pr.last_page > 32);
    assert_int_equal(truncate(img, (off_t)(pr.last_page * PG)), 0);
    assert_int_equal(persist_probe(img, &pr), SAS_ESTORE_TRUNCATED);
    assert_int_equal(persist_open(img, 0, &p), SAS_ESTORE_TRUNCATED);
}

/* Fill a small store commit by commit: the failing one is all that is lost. */
static void persist_full_store_is_its_own_error_and_keeps_commits(void **st)
{
    (void)st;
    struct persist *p = make_store(256 * 1024, 1);
    struct persist_txn *t;
    static uint8_t a[PG], out[PG];
    enum sas_error e = SAS_OK;
    unsigned ok = 0;
    while (ok < 1000) {
        fill(a, PG, ok);
        assert_int_equal(persist_begin(p, 1, &t), SAS_OK);
        e = persist_pages_write(t, A0 + (uint64_t)ok * PG, 1, a);
        if (e) {
            assert_int_equal(persist_commit(t), e);   /* poisoned: rolled back */
            break;
        }
        if ((e = persist_commit(t)))
            break;
        ok++;
    }
    assert_int_equal(e, SAS_ESTORE_FULL);
    assert_true(ok > 5);
    persist_close(p);
    assert_int_equal(persist_open(img, PERSIST_RDONLY, &p), SAS_OK);
    assert_int_equal(persist_begin(p, 0, &t), SAS_OK);
    for (unsigned i = 0; i < ok; i++) {
        fill(a, PG, i);
        assert_int_equal(persist_pages_read(t, A0 + (uint64_t)i * PG, 1, out), SAS_OK);
        assert_memory_equal(out, a, PG);
    }
    persist_abort(t);
    persist_close(p);
}

static int collect(void *arg, uint64_t base, const void *rec, size_t len)
{
    uint64_t *v = arg;
    (void)rec, (void)len;
    v[++v[0]] = base;
    return 0;
}

static void persist_records_iterate_in_address_order(void **st)
{
    (void)st;
    struct persist *p = make_store(1 << 20, 8);
    struct persist_txn *t;
    uint64_t bases[] = { A0 + 0x10000000, A0 + 0x1000, A0 + 0x200000000, A0 }, got[8] = { 0 };
    char buf[8];
    size_t len;
    assert_int_equal(persist_begin(p, 1, &t), SAS_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(persist_record_put(t, bases[i], "abcd", 4), SAS_OK);
    assert_int_equal(persist_record_put(t, A0, "", 0), SAS_EINVAL);
    assert_int_equal(persist_record_del(t, A0 + 0x1000), SAS_OK);
    assert_int_equal(persist_record_del(t, A0 + 0x1000), SAS_ENOTFOUND);
    assert_int_equal(persist_commit(t), SAS_OK);      /* a missing key does not poison */
    assert_int_equal(persist_begin(p, 0, &t), SAS_OK);
    assert_int_equal(persist_record_each(t, collect, got), SAS_OK);
    assert_int_equal(got[0], 3);
    assert_int_equal(got[1], A0);
    assert_int_equal(got[2], A0 + 0x10000000);
    assert_int_equal(got[3], A0 + 0x200000000);
    assert_int_equal(persist_record_get(t, A0, buf, sizeof buf, &len), SAS_OK);
    assert_int_equal(len, 4);
    assert_int_equal(persist_record_get(t, A0 + 0x1000, buf, sizeof buf, &len), SAS_ENOTFOUND);
    persist_abort(t);
    persist_close(p);
}

static void persist_meta_guards_its_own_keys(void **st)
{
    (void)st;
    struct persist *p = make_store(1 << 20, 8);
    struct persist_txn *t;
    uint64_t v = 0;
    assert_int_equal(persist_begin(p, 1, &t), SAS_OK);
    assert_int_equal(persist_meta_put(t, "persist.format", "x", 1), SAS_EINVAL);
    assert_int_equal(persist_meta_put_u64(t, "objmgr.epoch", 77), SAS_OK);
    assert_int_equal(persist_meta_get_u64(t, "objmgr.epoch", &v), SAS_OK);
    assert_int_equal(v, 77);
    assert_int_equal(persist_meta_get_u64(t, "nope", &v), SAS_ENOTFOUND);
    assert_int_equal(persist_commit(t), SAS_OK);
    persist_close(p);
}

static int count_kv(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
    (void)k, (void)kl, (void)v, (void)vl;
    return ++*(int *)arg >= 2;      /* stop after two */
}

static void persist_db_gives_other_modules_their_own_tables(void **st)
{
    (void)st;
    struct persist *p = make_store(1 << 20, 8);
    struct persist_txn *t;
    persist_db db, db2;
    const void *v;
    size_t vl;
    int n = 0;
    assert_int_equal(persist_db_open(p, "pages", &db), SAS_EINVAL);
    assert_int_equal(persist_db_open(p, "", &db), SAS_EINVAL);
    assert_int_equal(persist_db_open(p, "caps", &db), SAS_OK);
    assert_int_equal(persist_begin(p, 1, &t), SAS_OK);
    assert_int_equal(persist_db_open(p, "domains", &db2), SAS_EBUSY);
    assert_int_equal(persist_db_put(t, db, "a", 1, "1", 1), SAS_OK);
    assert_int_equal(persist_db_put(t, db, "b", 1, "22", 2), SAS_OK);
    assert_int_equal(persist_db_put(t, db, "c", 1, "333", 3), SAS_OK);
    assert_int_equal(persist_db_put(t, db, "", 0, "x", 1), SAS_EINVAL);
    assert_int_equal(persist_commit(t), SAS_OK);
    persist_close(p);
    assert_int_equal(persist_open(img, 0, &p), SAS_OK);
    assert_int_equal(persist_db_open(p, "caps", &db), SAS_OK);
    assert_int_equal(persist_begin(p, 0, &t), SAS_OK);
    assert_int_equal(persist_db_get(t, db, "b", 1, &v, &vl), SAS_OK);
    assert_int_equal(vl, 2);
    assert_memory_equal(v, "22", 2);
    assert_int_equal(persist_db_get(t, db, "z", 1, &v, &vl), SAS_ENOTFOUND);
    assert_int_equal(persist_db_each(t, db, "b", 1, count_kv, &n), SAS_OK);
    assert_int_equal(n, 2);
    persist_abort(t);
    persist_close(p);
}

static void persist_error_translates_lmdb_and_errno(void **st)
{
    (void)st;
    assert_int_equal(persist_error(0), SAS_OK);
    assert_int_equal(persist_error(MDB_MAP_FULL), SAS_ESTORE_FULL);
    assert_int_equal(persist_error(MDB_NOTFOUND), SAS_ENOTFOUND);
    assert_int_equal(persist_error(MDB_CORRUPTED), SAS_ESTORE_CORRUPT);
    assert_int_equal(persist_error(MDB_INVALID), SAS_ESTORE_FOREIGN);
    assert_int_equal(persist_error(MDB_VERSION_MISMATCH), SAS_ESTORE_FOREIGN);
    assert_int_equal(persist_error(ENOSPC), SAS_ESTORE_FULL);
    assert_int_equal(persist_error(-ENOENT), SAS_ENOTFOUND);
    assert_int_equal(persist_error(EIO), SAS_EIO);
    assert_int_equal(persist_error(EROFS), SAS_ESTORE_READONLY);
    assert_string_equal(sas_strerror(SAS_ESTORE_FULL), "store is full");
    assert_string_equal(sas_strerror((enum sas_error)999), "unknown error");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(persist_env_uses_safe_flags_and_file_sized_map),
        T(persist_create_validates_and_never_clobbers),
        T(persist_commit_spans_objects_and_survives_reopen),
        T(persist_abort_and_zero_writes_leave_nothing),
        T(persist_pages_reject_bad_ranges_and_readonly_writes),
        T(persist_read_detects_corrupted_page_by_checksum),
        T(persist_pages_each_reports_bad_pages_only),
        T(persist_open_refuses_newer_and_foreign_stores),
        T(persist_probe_detects_truncation),
        T(persist_full_store_is_its_own_error_and_keeps_commits),
        T(persist_records_iterate_in_address_order),
        T(persist_meta_guards_its_own_keys),
        T(persist_db_gives_other_modules_their_own_tables),
        T(persist_error_translates_lmdb_and_errno),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
