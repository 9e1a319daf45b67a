/*
 * posix_lmdb_full — a full disk. LMDB's map is the whole disk (lmdbapp.c), so a store that
 * outgrows the disk is refused by LMDB itself with MDB_MAP_FULL before any write reaches
 * the device; this program shows that is all a full disk does (FULL_MODE):
 *   1 posix_lmdb_full       commits transactions of PER keys with 4 KiB values until one
 *                           fails; it must fail with MDB_MAP_FULL, late (the disk really
 *                           is nearly full), and leave every committed key readable. Then
 *                           it deletes the last transaction's keys, which must commit (the
 *                           store is not stuck), and prints "posix_lmdb: full: K keys
 *                           remain"
 *   2 posix_lmdb_fullcheck  a later boot on the same image: the keys are exactly
 *                           f00000 .. f(K-1), each with its value, and it prints
 *                           "posix_lmdb: fullcheck: K keys" (tests/qemu/lmdb compares K)
 */
#include "lmdbapp.h"
#include <stdio.h>
#include <string.h>

#define VALUE 4096u          /* two LMDB pages each: an overflow page and its header */
#define PER   8u             /* keys per transaction */

static void key_of(char *k, unsigned i) { snprintf(k, 16, "f%05u", i); }

/* Value i: words that differ in every key and every position. */
static void value_of(uint32_t *v, unsigned i)
{
    for (unsigned j = 0; j < VALUE / 4; j++)
        v[j] = i * 2654435761u ^ j;
}

static int value_is(const MDB_val *mv, unsigned i)
{
    static uint32_t want[VALUE / 4];
    value_of(want, i);
    return mv->mv_size == VALUE && !memcmp(mv->mv_data, want, VALUE);
}

/* Whether cursor entry (mk, mv) is key n with its value. */
static int entry_is(const MDB_val *mk, const MDB_val *mv, unsigned n)
{
    char k[16];
    key_of(k, n);
    return mk->mv_size == strlen(k) && !memcmp(mk->mv_data, k, mk->mv_size) && value_is(mv, n);
}

/* The number of keys of the form f%05u (the image's other key, "init", sorts after them),
 * each checked in order with its value; -1 if one is missing, out of order or wrong. */
static long count_keys(MDB_env *env)
{
    MDB_txn *t;
    MDB_dbi dbi;
    MDB_cursor *c;
    MDB_val mk = { 1, "f" }, mv;
    long n = 0;
    int rc = mdb_txn_begin(env, 0, MDB_RDONLY, &t);
    if (rc)
        return -1;
    if (!(rc = mdb_dbi_open(t, 0, 0, &dbi)) && !(rc = mdb_cursor_open(t, dbi, &c))) {
        for (rc = mdb_cursor_get(c, &mk, &mv, MDB_SET_RANGE);
             !rc && *(const char *)mk.mv_data == 'f';
             rc = mdb_cursor_get(c, &mk, &mv, MDB_NEXT)) {
            if (!entry_is(&mk, &mv, (unsigned)n)) {
                printf("posix_lmdb: key %ld is missing or wrong\n", n);
                rc = -1;
                break;
            }
            n++;
        }
        mdb_cursor_close(c);
    }
    mdb_txn_abort(t);
    return rc == MDB_NOTFOUND || rc == 0 ? n : -1;
}

#if FULL_MODE == 1
/* Key i with its value, or key i deleted (in_txn's steps). */
static int put_value(MDB_txn *t, MDB_dbi dbi, unsigned i)
{
    static uint32_t v[VALUE / 4];
    char k[16];
    key_of(k, i);
    value_of(v, i);
    MDB_val mk = { strlen(k), k }, mv = { VALUE, v };
    return mdb_put(t, dbi, &mk, &mv, 0);
}

static int delete_key(MDB_txn *t, MDB_dbi dbi, unsigned i)
{
    char k[16];
    key_of(k, i);
    MDB_val mk = { strlen(k), k };
    return mdb_del(t, dbi, &mk, 0);
}

static void fill(MDB_env *env, uint64_t disk)
{
    unsigned n = 0;
    int rc;
    while (!(rc = in_txn(env, n, PER, put_value)))
        n += PER;
    printf("posix_lmdb: full: %u keys committed, then: %s\n", n, mdb_strerror(rc));
    device_ops("filling the disk");
    check(rc == MDB_MAP_FULL, "a full disk reports MDB_MAP_FULL", rc);
    /* Two pages a key: at least three quarters of the disk must hold values, or the
     * store gave up early. */
    check((uint64_t)n * 2 * 4096 >= disk / 4 * 3, "the disk was filled", 0);
    check(count_keys(env) == (long)n, "every committed key is there after MDB_MAP_FULL", 0);
    rc = n >= PER ? in_txn(env, n - PER, PER, delete_key) : -1;
    check(!rc, "deleting the last transaction's keys commits on a full disk", rc);
    n -= rc ? 0 : PER;
    check(count_keys(env) == (long)n, "the keys left after deleting", 0);
    printf("posix_lmdb: full: %u keys remain\n", n);
}
#endif

int main(void)
{
    uint64_t disk;
    device_ops(0);
    MDB_env *env = open_env(&disk);
    if (!env)
        return 1;
#if FULL_MODE == 1
    fill(env, disk);
#else
    long n = count_keys(env);
    check(n > 0, "the keys are there after a restart", 0);
    printf("posix_lmdb: fullcheck: %ld keys\n", n);
#endif
    report(env);
    mdb_env_close(env);
    printf("posix_lmdb: %s\n", bad ? "FAILED" : "all ok");
    return bad ? 1 : 0;
}
