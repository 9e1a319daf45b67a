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
 * The environment is opened as persist opens it: MDB_NOSUBDIR | MDB_NOLOCK, never
 * MDB_NOSYNC, MDB_NOMETASYNC or MDB_MAPASYNC, with a map no larger than the disk.
 * Each phase prints the device operations it caused (BLK_INFO, asked natively: a musl
 * program may call L4 too) and the TSC cycles the machine was busy (the KIP's idle count
 * subtracted: under -icount, guest instructions executed excluding idle), and the 1,000 single-key commits must have flushed the device
 * at least twice each (fdatasync of the data, then the O_DSYNC meta-page write).
 * Exit code 0 when every check passed; the failed checks are printed as "not ok".
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <l4/kip.h>
#include <sas/proto/blk.h>
#include <sas/proto/root.h>

#define DISK     "/disk"
#define BULK     10000u
#define SINGLES  1000u
#define COMMITS  200u
#define ENV_FLAGS (MDB_NOSUBDIR | MDB_NOLOCK)

static unsigned bad;

static void check(int ok, const char *what, int rc)
{
    if (!ok) {
        printf("posix_lmdb: not ok - %s (%s)\n", what, rc ? mdb_strerror(rc) : "wrong");
        bad++;
    }
}

static struct blk_info ops_then;
static uint64_t busy_then;

/* TSC cycles so far outside the kernel's idle loop. */
static uint64_t busy_tsc(void)
{
    const volatile struct l4_kip *k = (const volatile struct l4_kip *)L4_KIP_ADDR;
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32 | lo) - k->idle_tsc;
}

/* Prints the device operations since the last call; the flushes among them. */
static uint64_t device_ops(const char *phase)
{
    l4_threadid_t blk;
    struct blk_info bi;
    if (root_service(root_find(), ROOT_SERVICE_BLK, &blk) || blk_info(blk, &bi))
        return 0;
    uint64_t flushes = bi.flushes - ops_then.flushes, busy = busy_tsc();
    if (phase)
        printf("posix_lmdb: %s: %lu busy TSC, %lu device requests, %lu bytes, %lu flushes; cache %lu misses, "
               "%lu dropped\n", phase, (unsigned long)(busy - busy_then),
               (unsigned long)(bi.requests - ops_then.requests),
               (unsigned long)(bi.bytes - ops_then.bytes), (unsigned long)flushes,
               (unsigned long)(bi.cache_misses - ops_then.cache_misses),
               (unsigned long)(bi.cache_evictions - ops_then.cache_evictions));
    ops_then = bi;
    busy_then = busy;
    return flushes;
}

static void key_of(char *k, char kind, unsigned i) { snprintf(k, 16, "%c%05u", kind, i); }
static void value_of(char *v, char kind, unsigned i)
{
    snprintf(v, 48, "value of %c%05u: %08x", kind, i, i * 2654435761u);
}

static int put(MDB_txn *t, MDB_dbi dbi, char kind, unsigned i)
{
    char k[16], v[48];
    key_of(k, kind, i);
    value_of(v, kind, i);
    MDB_val mk = { strlen(k), k }, mv = { strlen(v) + 1, v };
    return mdb_put(t, dbi, &mk, &mv, 0);
}

/* Writes `n` keys of `kind` in transactions of `per` keys each. */
__attribute__((unused)) static void write_keys(MDB_env *env, char kind, unsigned n, unsigned per, int report)
{
    for (unsigned i = 0; i < n && !bad;) {
        MDB_txn *t;
        MDB_dbi dbi;
        int rc = mdb_txn_begin(env, 0, 0, &t);
        if (!rc)
            rc = mdb_dbi_open(t, 0, 0, &dbi);
        for (unsigned j = 0; !rc && j < per && i < n; j++, i++)
            rc = put(t, dbi, kind, i);
        rc = rc ? (mdb_txn_abort(t), rc) : mdb_txn_commit(t);
        check(!rc, "a write transaction", rc);
        if (!rc && report)
            printf("posix_lmdb: committed %u\n", i);
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

static MDB_env *open_env(void)
{
    MDB_env *env;
    int fd = open(DISK, O_RDONLY);
    struct stat st;
    int rc = fd < 0 || fstat(fd, &st) ? -1 : 0;
    check(!rc && st.st_size > 0, "the disk file has a size", 0);
    if (fd >= 0)
        close(fd);
    if (bad)
        return 0;
    printf("posix_lmdb: %s holds %lld bytes\n", DISK, (long long)st.st_size);
    rc = mdb_env_create(&env);
    if (!rc)
        rc = mdb_env_set_mapsize(env, (size_t)st.st_size);
    if (!rc)
        rc = mdb_env_open(env, DISK, ENV_FLAGS, 0600);
    check(!rc, "mdb_env_open", rc);
    unsigned flags = 0;
    mdb_env_get_flags(env, &flags);
    check(!(flags & (MDB_NOSYNC | MDB_NOMETASYNC | MDB_MAPASYNC)), "durable flags", 0);
    return rc ? 0 : env;
}

static void report(MDB_env *env)
{
    MDB_stat ms;
    MDB_envinfo ei;
    if (!mdb_env_stat(env, &ms) && !mdb_env_info(env, &ei))
        printf("posix_lmdb: %zu entries, depth %u, %zu leaf pages, last page %zu, txn %zu\n",
               ms.ms_entries, ms.ms_depth, ms.ms_leaf_pages, ei.me_last_pgno, ei.me_last_txnid);
}

int main(void)
{
    device_ops(0);
    MDB_env *env = open_env();
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
