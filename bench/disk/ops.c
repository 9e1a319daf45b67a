/*
 * ops.c — the disk operations (ops.h), compiled into Ell Four's bench/disk program and the
 * Linux /disk-bench alike; their measuring loop is device.c.
 */
#define _POSIX_C_SOURCE 200809L
#include "ops.h"
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../common/measure.h"

#define ENV_FLAGS   (MDB_NOSUBDIR | MDB_NOLOCK)
#define VALUE_SIZE  4096u
#define PUT_KEYS    100u                /* lmdb_put_commit_4k: keys k00000 .. k00099 */
#define TXN_PUTS    1000u               /* lmdb_txn_1000x4k: keys k01000 .. k01999 */
#define TXN_KEY0    1000u
#define RAW_CHUNK   (1u << 20)

static const struct disk_system *sys;
static MDB_env *env;
static MDB_dbi dbi;
static int raw_fd;
static unsigned raw_chunks;             /* RAW_CHUNKs in the raw region */
static char value[VALUE_SIZE];
static char chunk[RAW_CHUNK];

_Noreturn void disk_fail(const char *what, int rc)
{
    printf("disk_bench: %s failed: %s\n", what, mdb_strerror(rc));
    exit(1);
}

static void put_key(MDB_txn *t, unsigned k, unsigned stamp)
{
    char key[16];
    snprintf(key, sizeof(key), "k%05u", k);
    memcpy(value, &stamp, sizeof(stamp));       /* a new value each iteration */
    MDB_val mk = { strlen(key), key }, mv = { VALUE_SIZE, value };
    int rc = mdb_put(t, dbi, &mk, &mv, 0);
    if (rc)
        disk_fail("mdb_put", rc);
}

/* One write transaction: n keys from `first`, committed. */
static void lmdb_txn(unsigned first, unsigned n, unsigned stamp)
{
    MDB_txn *t;
    int rc = mdb_txn_begin(env, 0, 0, &t);
    if (rc)
        disk_fail("mdb_txn_begin", rc);
    for (unsigned k = 0; k < n; k++)
        put_key(t, first + k, stamp);
    rc = mdb_txn_commit(t);
    if (rc)
        disk_fail("mdb_txn_commit", rc);
}

static void put_commit(unsigned i) { lmdb_txn(i % PUT_KEYS, 1, i); }
static void txn_1000(unsigned i) { lmdb_txn(TXN_KEY0, TXN_PUTS, i); }

static void write_1m_flush(unsigned i)
{
    off_t off = DISK_LMDB_MAP + (off_t)(i % raw_chunks) * RAW_CHUNK;
    memcpy(chunk, &i, sizeof(i));
    if (pwrite(raw_fd, chunk, RAW_CHUNK, off) != RAW_CHUNK)
        disk_fail("pwrite", errno);
    if (fdatasync(raw_fd))
        disk_fail("fdatasync", errno);
}

/* The device's size: a block device's st_size is 0, so then where lseek ends. */
static off_t disk_size(int fd)
{
    struct stat st;
    if (fstat(fd, &st))
        return -1;
    return st.st_size ? st.st_size : lseek(fd, 0, SEEK_END);
}

/* The environment on the device (map DISK_LMDB_MAP) and its main database; the raw
 * region's fd. */
static void open_disk(void)
{
    MDB_txn *t;
    raw_fd = open(sys->path, O_RDWR);
    off_t size = raw_fd < 0 ? -1 : disk_size(raw_fd);
    if (size < 0)
        disk_fail("opening the disk", errno);
    if (size < (off_t)DISK_LMDB_MAP + RAW_CHUNK)
        disk_fail("finding a raw region after LMDB's map", ENOSPC);
    raw_chunks = (unsigned)((size - DISK_LMDB_MAP) / RAW_CHUNK);
    int rc = mdb_env_create(&env);
    if (!rc)
        rc = mdb_env_set_mapsize(env, DISK_LMDB_MAP);
    if (!rc)
        rc = mdb_env_open(env, sys->path, ENV_FLAGS, 0600);
    if (!rc)
        rc = mdb_txn_begin(env, 0, 0, &t);
    if (!rc)
        rc = mdb_dbi_open(t, 0, 0, &dbi);
    if (!rc)
        rc = mdb_txn_commit(t);
    if (rc)
        disk_fail("opening LMDB", rc);
    printf("BENCH-INFO disk: %lld bytes, LMDB map %u MiB, raw region %u MiB\n",
           (long long)size, DISK_LMDB_MAP >> 20, raw_chunks);
}

void disk_bench_run(const struct disk_system *s)
{
    sys = s;
    /* N = 10,000: 1,000, 10 and 100 iterations; N = 100 (bench.smoke): 100, 3 and 3. */
    unsigned n_put = disk_clamp(iters, 1, DISK_ITERS),
             n_txn = disk_clamp(iters / 1000, 3, DISK_ITERS),
             n_raw = disk_clamp(iters / 100, 3, DISK_ITERS);
    measure_overhead();
    open_disk();
    /* put+commit warms up over every key at least once: until then LMDB still takes new
     * pages from the end of its map, and its view faults each one in. */
    disk_measure(sys, "lmdb_put_commit_4k", n_put, disk_clamp(n_put / 10, PUT_KEYS, DISK_ITERS),
                 NULL, put_commit);
    disk_measure(sys, "lmdb_txn_1000x4k", n_txn, disk_clamp(n_txn / 10, WARM_MIN, DISK_ITERS),
                 NULL, txn_1000);
    disk_measure(sys, "disk_write_1m_flush", n_raw,
                 disk_clamp(n_raw / 10, WARM_MIN, DISK_ITERS), NULL, write_1m_flush);
    MDB_envinfo ei;
    if (!mdb_env_info(env, &ei))
        printf("BENCH-INFO disk: LMDB's last page %zu of %u, transaction %zu\n",
               ei.me_last_pgno, DISK_LMDB_MAP / VALUE_SIZE, ei.me_last_txnid);
    mdb_env_close(env);
    close(raw_fd);
}
