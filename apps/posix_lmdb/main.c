/*
 * posix_lmdb — Debian's liblmdb.a, linked as shipped, on the disk file DISK ("/disk": the
 * whole virtio-blk device through the personality and the block cache). The image must
 * be an LMDB file already (made on the host, then grown to the disk's size: DESIGN.md §8).
 * One source, three programs (LMDB_MODE):
 *   1 posix_lmdb_fill    10,000 keys in one transaction, then 1,000 transactions of one
 *                        key each; reads all of them back
 *   2 posix_lmdb_check   a later boot on the same image: finds all 11,000 keys
 *   3 posix_lmdb_commits COMMITS transactions of one key ("c%04u") each, printing
 *                        "posix_lmdb: committed N" once mdb_txn_commit returned (for crash
 *                        and flush-point tests: every printed commit must survive)
 * The environment is opened as persist opens it (lmdbapp.c). Each phase prints the device
 * operations it caused and the guest instructions it took excluding idle; the 1,000
 * single-key commits must have flushed the device at least twice each (fdatasync of the
 * data, then the O_DSYNC meta-page write).
 * Exit code 0 when every check passed; the failed checks are printed as "not ok".
 */
#include "lmdbapp.h"
#include <stdio.h>
#include <string.h>

#define BULK     10000u
#define SINGLES  1000u
#define COMMITS  200u

static void key_of(char *k, char kind, unsigned i) { snprintf(k, 16, "%c%05u", kind, i); }
static void value_of(char *v, char kind, unsigned i)
{
    snprintf(v, 48, "value of %c%05u: %08x", kind, i, i * 2654435761u);
}

/* in_txn's step: key i of the kind being written, with its value. */
static char writing;
static int put(MDB_txn *t, MDB_dbi dbi, unsigned i)
{
    char k[16], v[48];
    key_of(k, writing, i);
    value_of(v, writing, i);
    MDB_val mk = { strlen(k), k }, mv = { strlen(v) + 1, v };
    return mdb_put(t, dbi, &mk, &mv, 0);
}

/* Writes `n` keys of `kind` in transactions of `per` keys each. */
__attribute__((unused)) static void write_keys(MDB_env *env, char kind, unsigned n, unsigned per, int report)
{
    writing = kind;
    for (unsigned i = 0; i < n && !bad; i += per) {
        unsigned now = per < n - i ? per : n - i;
        int rc = in_txn(env, i, now, put);
        check(!rc, "a write transaction", rc);
        if (!rc && report)
            printf("posix_lmdb: committed %u\n", i + now);
    }
}

/* Every key of `kind` below n is there with its value. */
__attribute__((unused)) static void read_keys(MDB_env *env, char kind, unsigned n)
{
    MDB_txn *t;
    MDB_dbi dbi;
    unsigned found = 0;
    int rc = mdb_txn_begin(env, 0, MDB_RDONLY, &t);
    if (!rc)
        rc = mdb_dbi_open(t, 0, 0, &dbi);
    for (unsigned i = 0; !rc && i < n; i++) {
        char k[16], v[48];
        key_of(k, kind, i);
        value_of(v, kind, i);
        MDB_val mk = { strlen(k), k }, mv;
        if (!mdb_get(t, dbi, &mk, &mv) && mv.mv_size == strlen(v) + 1 && !memcmp(mv.mv_data, v, mv.mv_size))
            found++;
    }
    if (!rc)
        mdb_txn_abort(t);
    printf("posix_lmdb: %u of %u '%c' keys read back\n", found, n, kind);
    check(!rc && found == n, "keys read back", rc);
}

int main(void)
{
    device_ops(0);
    MDB_env *env = open_env(0);
    if (!env)
        return 1;
    device_ops("mdb_env_open");
#if LMDB_MODE == 1
    write_keys(env, 'k', BULK, BULK, 0);
    printf("posix_lmdb: %u keys in one transaction\n", BULK);
    device_ops("one transaction of 10000 keys");
    write_keys(env, 's', SINGLES, 1, 0);
    printf("posix_lmdb: %u single-key transactions\n", SINGLES);
    check(device_ops("1000 single-key transactions") >= 2 * SINGLES,
          "two device flushes per commit", 0);
#elif LMDB_MODE == 3
    write_keys(env, 'c', COMMITS, 1, 1);
#endif
#if LMDB_MODE == 1 || LMDB_MODE == 2
    read_keys(env, 'k', BULK);
    read_keys(env, 's', SINGLES);
    device_ops("reading 11000 keys back");
#endif
    report(env);
    mdb_env_close(env);
    printf("posix_lmdb: %s\n", bad ? "FAILED" : "all ok");
    return bad ? 1 : 0;
}
