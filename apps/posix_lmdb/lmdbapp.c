/*
 * lmdbapp.c — the LMDB test programs' shared parts (lmdbapp.h). Device operations are
 * asked of the driver natively (sas_disk_info): a musl program may call L4 too. Busy
 * cycles are sas_busy_tsc's: under -icount, guest instructions executed outside the idle
 * loop, so the time spent waiting for the host's disk is not in them.
 */
#include "lmdbapp.h"
#include <stdio.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <sas/sysinfo.h>

unsigned bad;
uint64_t phase_bytes;

void check(int ok, const char *what, int rc)
{
    if (!ok) {
        printf("posix_lmdb: not ok - %s (%s)\n", what, rc ? mdb_strerror(rc) : "wrong");
        bad++;
    }
}

static struct blk_info ops_then;
static uint64_t busy_then;

/* Prints the device operations since the last call; the flushes among them. */
uint64_t device_ops(const char *phase)
{
    struct blk_info bi;
    if (sas_disk_info(&bi))
        return 0;
    uint64_t flushes = bi.flushes - ops_then.flushes, busy = sas_busy_tsc();
    phase_bytes = bi.bytes - ops_then.bytes;
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

MDB_env *open_env(uint64_t *disk)
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
    if (disk)
        *disk = (uint64_t)st.st_size;
    rc = mdb_env_create(&env);
    if (rc) {
        check(0, "mdb_env_create", rc);
        return 0;
    }
    rc = mdb_env_set_mapsize(env, (size_t)st.st_size);
    if (!rc)
        rc = mdb_env_open(env, DISK, ENV_FLAGS, 0600);
    check(!rc, "mdb_env_open", rc);
    if (rc) {
        mdb_env_close(env);             /* also after a failed open: it frees the handle */
        return 0;
    }
    unsigned flags = 0;
    mdb_env_get_flags(env, &flags);
    check(!(flags & (MDB_NOSYNC | MDB_NOMETASYNC | MDB_MAPASYNC)), "durable flags", 0);
    return env;
}

int in_txn(MDB_env *env, unsigned first, unsigned n, lmdb_step *step)
{
    MDB_txn *t;
    MDB_dbi dbi;
    int rc = mdb_txn_begin(env, 0, 0, &t);
    if (rc)
        return rc;
    rc = mdb_dbi_open(t, 0, 0, &dbi);
    for (unsigned i = first; !rc && i < first + n; i++)
        rc = step(t, dbi, i);
    return rc ? (mdb_txn_abort(t), rc) : mdb_txn_commit(t);
}

void report(MDB_env *env)
{
    MDB_stat ms;
    MDB_envinfo ei;
    if (!mdb_env_stat(env, &ms) && !mdb_env_info(env, &ei))
        printf("posix_lmdb: %zu entries, depth %u, %zu leaf pages, last page %zu, txn %zu\n",
               ms.ms_entries, ms.ms_depth, ms.ms_leaf_pages, ei.me_last_pgno, ei.me_last_txnid);
}

