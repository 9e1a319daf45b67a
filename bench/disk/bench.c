/*
 * bench/disk/bench.c — the disk measured from a musl program on Ell Four: Debian's
 * liblmdb.a and raw writes on the personality's disk file DISK (the whole virtio-blk
 * device, through the block cache in the driver's task). bench/run boots it alone
 * ("start=disk_bench") on an image it made on the host: an LMDB file grown to
 * 96 MiB. LMDB's map is the first LMDB_MAP bytes; the rest, [LMDB_MAP, end), is the raw
 * region, which LMDB never touches.
 *   lmdb_put_commit_4k   begin, mdb_put of one 4 KiB value, commit (the key cycles over
 *                        PUT_KEYS keys, so the database stops growing)
 *   lmdb_txn_1000x4k     begin, TXN_PUTS mdb_puts of 4 KiB values, commit (the same keys,
 *                        overwritten, every time)
 *   disk_write_1m_flush  pwrite of 1 MiB at the raw region's next offset (wrapping around
 *                        at its end), then fdatasync
 * LMDB is opened as persist opens it: MDB_NOSUBDIR | MDB_NOLOCK, never MDB_NOSYNC,
 * MDB_NOMETASYNC or MDB_MAPASYNC, so each commit flushes the device.
 *
 * Under -icount the time a guest waits for the device is set by the host, not by
 * instructions: an iteration is measured as its TSC cycles outside the kernel's idle loop
 * (guest instructions executed excluding idle, every task's: the program, the personality,
 * the driver, the kernel) and the device operations it caused (BLK_INFO, asked outside the
 * measured part). Per operation:
 *   BENCH <name> <median> <p90> <iterations>        measure.h's report
 *   BENCH-DEV <name> <requests> <bytes> <flushes>   the median per iteration of each
 *   BENCH-INFO <name>: device operations vary ...   only if they differ between iterations
 * Disk iterations are slow in host time, so their counts come from "iters=N" scaled down
 * (put+commit min(N, 1000), the 1,000-put transaction and the 1 MiB write N / 1000 and
 * N / 100 within 3 .. 1000), each after a tenth as many untimed rounds (at least WARM_MIN;
 * for put+commit at least PUT_KEYS).
 * Exit code 0; 1 after "disk_bench: WHAT failed" on the first error.
 */
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sas/proto/blk.h>
#include <sas/proto/root.h>
#include "../common/measure.h"
#include "../common/kip.h"

#define DISK        "/disk"
#define ENV_FLAGS   (MDB_NOSUBDIR | MDB_NOLOCK)
#define LMDB_MAP    (64u << 20)         /* bench/run makes a 96 MiB image */
#define VALUE_SIZE  4096u
#define PUT_KEYS    100u                /* lmdb_put_commit_4k: keys k00000 .. k00099 */
#define TXN_PUTS    1000u               /* lmdb_txn_1000x4k: keys k01000 .. k01999 */
#define TXN_KEY0    1000u
#define RAW_CHUNK   (1u << 20)
#define DISK_ITERS  1000u               /* the most iterations of one operation */
#define WARM_MIN    2u

static MDB_env *env;
static MDB_dbi dbi;
static int raw_fd;
static unsigned raw_chunks;             /* RAW_CHUNKs in the raw region */
static l4_threadid_t blk;
static char value[VALUE_SIZE];
static char chunk[RAW_CHUNK];
static uint64_t dev[3][DISK_ITERS];     /* requests, bytes, flushes per iteration */

static _Noreturn void fail(const char *what, int rc)
{
    printf("disk_bench: %s failed: %s\n", what, mdb_strerror(rc));
    exit(1);
}

static void device_now(struct blk_info *bi)
{
    if (blk_info(blk, bi))
        fail("BLK_INFO", EIO);
}

static void put_key(MDB_txn *t, unsigned k, unsigned stamp)
{
    char key[16];
    snprintf(key, sizeof(key), "k%05u", k);
    memcpy(value, &stamp, sizeof(stamp));       /* a new value each iteration */
    MDB_val mk = { strlen(key), key }, mv = { VALUE_SIZE, value };
    int rc = mdb_put(t, dbi, &mk, &mv, 0);
    if (rc)
        fail("mdb_put", rc);
}

/* One write transaction: n keys from `first`, committed. */
static void lmdb_txn(unsigned first, unsigned n, unsigned stamp)
{
    MDB_txn *t;
    int rc = mdb_txn_begin(env, 0, 0, &t);
    if (rc)
        fail("mdb_txn_begin", rc);
    for (unsigned k = 0; k < n; k++)
        put_key(t, first + k, stamp);
    rc = mdb_txn_commit(t);
    if (rc)
        fail("mdb_txn_commit", rc);
}

static void put_commit(unsigned i) { lmdb_txn(i % PUT_KEYS, 1, i); }
static void txn_1000(unsigned i) { lmdb_txn(TXN_KEY0, TXN_PUTS, i); }

static void write_1m_flush(unsigned i)
{
    off_t off = LMDB_MAP + (off_t)(i % raw_chunks) * RAW_CHUNK;
    memcpy(chunk, &i, sizeof(i));
    if (pwrite(raw_fd, chunk, RAW_CHUNK, off) != RAW_CHUNK)
        fail("pwrite", errno);
    if (fdatasync(raw_fd))
        fail("fdatasync", errno);
}

/* BENCH-DEV: the median device operations per iteration; BENCH-INFO if they vary. */
static void report_device(const char *name, unsigned n)
{
    uint64_t med[3];
    int vary = 0;
    for (unsigned c = 0; c < 3; c++) {
        med[c] = bench_median(dev[c], n);
        vary |= dev[c][0] != dev[c][n - 1];
    }
    printf("BENCH-DEV %s %llu %llu %llu\n", name, (unsigned long long)med[0],
           (unsigned long long)med[1], (unsigned long long)med[2]);
    if (vary)
        printf("BENCH-INFO %s: device operations vary: requests %llu..%llu, bytes %llu..%llu, "
               "flushes %llu..%llu\n", name, (unsigned long long)dev[0][0],
               (unsigned long long)dev[0][n - 1], (unsigned long long)dev[1][0],
               (unsigned long long)dev[1][n - 1], (unsigned long long)dev[2][0],
               (unsigned long long)dev[2][n - 1]);
}

/* Runs op n times (1 .. DISK_ITERS) after `warm` untimed rounds, each iteration measured
 * in busy TSC cycles and device operations; reports both. */
static void measure_disk(const char *name, unsigned n, unsigned warm, void (*op)(unsigned))
{
    for (unsigned i = 0; i < warm; i++)
        op(i);
    for (unsigned i = 0; i < n; i++) {
        struct blk_info a, b;
        device_now(&a);
        uint64_t t0 = bench_busy_tsc();
        op(warm + i);
        uint64_t d = bench_busy_tsc() - t0;
        device_now(&b);
        samples[i] = d > overhead ? d - overhead : 0;
        dev[0][i] = b.requests - a.requests;
        dev[1][i] = b.bytes - a.bytes;
        dev[2][i] = b.flushes - a.flushes;
    }
    iters = n;
    report(name);
    report_device(name, n);
}

/* The busy_tsc pair's own cost (median), subtracted from every sample. */
static void measure_busy_overhead(void)
{
    for (unsigned i = 0; i < iters; i++) {
        uint64_t t0 = bench_busy_tsc();
        samples[i] = bench_busy_tsc() - t0;
    }
    overhead = bench_median(samples, iters);
}

/* The environment on DISK (map LMDB_MAP) and its main database; the raw region's fd. */
static void open_disk(void)
{
    struct stat st;
    MDB_txn *t;
    raw_fd = open(DISK, O_RDWR);
    if (raw_fd < 0 || fstat(raw_fd, &st))
        fail("opening " DISK, errno);
    if (st.st_size < (off_t)LMDB_MAP + RAW_CHUNK)
        fail("finding a raw region after LMDB's map", ENOSPC);
    raw_chunks = (unsigned)((st.st_size - LMDB_MAP) / RAW_CHUNK);
    int rc = mdb_env_create(&env);
    if (!rc)
        rc = mdb_env_set_mapsize(env, LMDB_MAP);
    if (!rc)
        rc = mdb_env_open(env, DISK, ENV_FLAGS, 0600);
    if (!rc)
        rc = mdb_txn_begin(env, 0, 0, &t);
    if (!rc)
        rc = mdb_dbi_open(t, 0, 0, &dbi);
    if (!rc)
        rc = mdb_txn_commit(t);
    if (rc)
        fail("opening LMDB", rc);
    if (root_service(root_find(), ROOT_SERVICE_BLK, &blk))
        fail("finding the virtio_blk service", ENODEV);
    printf("BENCH-INFO disk: %lld bytes, LMDB map %u MiB, raw region %u MiB\n",
           (long long)st.st_size, LMDB_MAP >> 20, raw_chunks);
}

static unsigned clamp(unsigned n, unsigned lo, unsigned hi)
{
    return n < lo ? lo : n > hi ? hi : n;
}

int main(void)
{
    iters = bench_cmdline_iters();
    /* N = 10,000: 1,000, 10 and 100 iterations; N = 100 (bench.smoke): 100, 3 and 3. */
    unsigned n_put = clamp(iters, 1, DISK_ITERS), n_txn = clamp(iters / 1000, 3, DISK_ITERS),
             n_raw = clamp(iters / 100, 3, DISK_ITERS);
    measure_busy_overhead();
    open_disk();
    /* put+commit warms up over every key at least once: until then LMDB still takes new
     * pages from the end of its map, and its view faults each one in. */
    measure_disk("lmdb_put_commit_4k", n_put, clamp(n_put / 10, PUT_KEYS, DISK_ITERS), put_commit);
    measure_disk("lmdb_txn_1000x4k", n_txn, clamp(n_txn / 10, WARM_MIN, DISK_ITERS), txn_1000);
    measure_disk("disk_write_1m_flush", n_raw, clamp(n_raw / 10, WARM_MIN, DISK_ITERS),
                 write_1m_flush);
    MDB_envinfo ei;
    if (!mdb_env_info(env, &ei))
        printf("BENCH-INFO disk: LMDB's last page %zu of %u, transaction %zu\n",
               ei.me_last_pgno, LMDB_MAP / VALUE_SIZE, ei.me_last_txnid);
    mdb_env_close(env);
    close(raw_fd);
    return 0;
}
