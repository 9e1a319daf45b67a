/*
 * ops.h — the disk operations of ./ellfour bench, one source for both systems: Ell Four's
 * musl program (bench/disk/bench.c, on the personality's /disk) and the Linux /init
 * (bench/linux/disk.c, on /dev/vda), each linked with Debian's liblmdb.a. The device is
 * the 96 MiB image bench/run makes: an LMDB file (mdb_load) grown with zeros. LMDB's map
 * is its first DISK_LMDB_MAP bytes; the rest is the raw region, which LMDB never touches.
 *   lmdb_put_commit_4k   begin, mdb_put of one 4 KiB value, commit (the key cycles over
 *                        100 keys, so the database stops growing)
 *   lmdb_txn_1000x4k     begin, 1,000 mdb_puts of 4 KiB values, commit (the same keys,
 *                        overwritten, every time)
 *   disk_write_1m_flush  pwrite of 1 MiB at the raw region's next offset (wrapping around
 *                        at its end), then fdatasync
 * LMDB is opened as persist opens it: MDB_NOSUBDIR | MDB_NOLOCK, never MDB_NOSYNC,
 * MDB_NOMETASYNC or MDB_MAPASYNC, so each commit flushes the device.
 *
 * Under -icount the time a guest waits for the device is set by the host, not by
 * instructions: an iteration is measured as its TSC delta less the idle the system counted
 * meanwhile (disk_system.idle_now, read outside the timed part, before and after), and the
 * device operations it caused (disk_system.device_now, likewise). Per operation:
 *   BENCH <name> <median> <p90> <iterations>        measure.h's report
 *   BENCH-DEV <name> <requests> <bytes> <flushes>   the median per iteration of each
 *   BENCH-INFO <name>: device operations vary ...   only if they differ between iterations
 *   BENCH-INFO <name>: <event> per iteration ...    if the system counts an event
 * Disk iterations are slow in host time, so their counts come from measure.h's iters
 * scaled down (put+commit min(N, 1000), the 1,000-put transaction and the 1 MiB write
 * N / 1000 and N / 100 within 3 .. 1000), each after a tenth as many untimed rounds (at
 * least 2; for put+commit at least the 100 keys).
 * The measuring loop (disk_measure, device.c) serves other operations that reach a disk
 * too: the single address space's commits (bench/objects) and Linux's msync.
 */
#ifndef BENCH_DISK_OPS_H
#define BENCH_DISK_OPS_H

#include <stdint.h>

#define DISK_LMDB_MAP (64u << 20)       /* bench/run makes a 96 MiB image */
#define DISK_ITERS    1000u             /* the most iterations of one operation */
#define WARM_MIN      2u                /* the fewest untimed rounds */

/* Device operations so far: requests completed (flushes included), bytes read and
 * written, flushes. */
struct disk_counts {
    uint64_t requests, bytes, flushes;
};

/* What differs between the two systems. */
struct disk_system {
    const char *path;                           /* the whole device */
    void (*device_now)(struct disk_counts *c);  /* exits through disk_fail on error */
    uint64_t (*idle_now)(void);                 /* idle so far, in TSC cycles */
    /* Optional (NULL): a count of events so far, printed per iteration as
     * "BENCH-INFO <name>: <event> per iteration: median M (min..max)". */
    const char *event;
    uint64_t (*events_now)(void);
};

/* Opens LMDB and the raw region on sys->path, measures the three operations (iterations
 * from measure.h's iters, which it changes) and prints their lines. Exits with status 1
 * after "disk_bench: WHAT failed: REASON" on the first error. */
void disk_bench_run(const struct disk_system *sys);

/* Runs op(warm + i) for i in 0 .. n (1 .. DISK_ITERS) after op(0 .. warm) untimed, each
 * timed iteration measured as its TSC delta less the idle sys counted meanwhile, and in
 * device operations (both read outside the timed part); sets measure.h's iters to n and
 * prints the operation's BENCH, BENCH-DEV and BENCH-INFO lines (above) as `name`. prep
 * (NULL: none) runs before every op, warm-up rounds included, outside the timed part. */
void disk_measure(const struct disk_system *sys, const char *name, unsigned n, unsigned warm,
                  void (*prep)(unsigned), void (*op)(unsigned));

/* n within lo .. hi. */
static inline unsigned disk_clamp(unsigned n, unsigned lo, unsigned hi)
{
    return n < lo ? lo : n > hi ? hi : n;
}

/* Prints "disk_bench: WHAT failed: REASON" (rc an errno or LMDB code) and exits(1). */
_Noreturn void disk_fail(const char *what, int rc);

#endif
