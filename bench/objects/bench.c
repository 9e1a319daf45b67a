/*
 * bench/objects/bench.c — the single address space measured from a musl program on Ell
 * Four (<sas.h>): bench/run boots it with its peer ("start=object_bench,object_bench_peer")
 * and persist, capstore and objmgr, on an Ell Four store it made on the host
 * (ellfour-store create). Rows:
 *   object_create_delete   sas_create of a transient one-page object, then sas_delete;
 *                          nothing touched (Linux: memfd_create + ftruncate + mmap +
 *                          munmap + close, bench/linux/objects.c)
 *   object_fault_own       one write to a page of the program's own persistent object that
 *                          is resident in objmgr but mapped read-only here: sas_commit
 *                          takes the write right from every task (objmgr folds the dirty
 *                          bits in), so the next write to each page faults, goes through
 *                          the system thread to objmgr, whose capstore check is answered
 *                          from the decision cache, and the resident frame is mapped
 *                          writable again. One sample per write (objects.h); the commits
 *                          between rounds are not timed (Linux: a write fault through a
 *                          second mapping of a memfd populated through the first)
 *   sas_commit_1page       sas_commit of a persistent one-page object with its one page
 *                          dirty (written, untimed, before each commit): durable when it
 *                          returns (Linux: msync(MS_SYNC) of one dirty page of a shared
 *                          mapping of /dev/vda; and the LMDB put + commit row)
 *   object_create_commit_delete_persistent
 *                          sas_create of a persistent one-page object, sas_commit of it
 *                          (its first: its records become durable), sas_delete (a store
 *                          transaction of its own); nothing touched. No Linux pair
 *   sas_grant              sas_grant of a read-only capability of a written one-page
 *                          transient object, derived (untimed) just before, to the domain
 *                          of object_bench_peer (peer.c), which measures the sharing rows
 *                          object_fault_shared and object_first_touch_granted (share.h).
 *                          No Linux pair
 *   cap_derive             sas_cap_derive of a read-only one-page capability from an owner
 *                          capability: offline, no IPC (a keyed BLAKE2b and libsodium's
 *                          random nonce, a getrandom system call). No Linux pair
 * They run in this order: the sharing rows (the peer's objects made and granted, then
 * sas_grant; then this program waits until the peer has measured, so that no two timed
 * loops run at once), cap_derive, fault, commit, then the two that create an object every
 * iteration (see measure_create_delete for why those run only CREATE_ITERS times).
 * The two rows that write the store are measured as the disk's rows are (disk_measure,
 * bench/disk/device.c): guest instructions excluding idle (sas_idle_tsc) and the device
 * operations of each iteration (the driver's BLK_INFO counters). object_create_delete
 * also has its idle taken off: objmgr reserves epochs in batches, a store transaction
 * about every 1,024 creates (BENCH-INFO says how many fell into the timed iterations).
 * objmgr's counters (sas_stats, outside the timed part) check that each timed write of
 * object_fault_own was one fault served (BENCH-INFO).
 * Exit code 0; 1 after "object_bench: WHAT failed: REASON" on the first error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sas.h>
#include "../common/measure.h"
#include "../common/kip.h"
#include "../common/objects.h"
#include "../disk/ops.h"
#include "share.h"

static _Noreturn void fail(const char *what, enum sas_error e)
{
    printf("object_bench: %s failed: %s\n", what, sas_strerror(e));
    exit(1);
}

static void need(const char *what, enum sas_error e)
{
    if (e)
        fail(what, e);
}

static struct objmgr_stats stats_now(void)
{
    struct objmgr_stats st;
    need("sas_stats", sas_stats(&st));
    return st;
}

static void device_now(struct disk_counts *c)
{
    struct blk_info bi;
    need("BLK_INFO", sas_disk_info(&bi));
    c->requests = bi.requests;
    c->bytes = bi.bytes;
    c->flushes = bi.flushes;
}

static void commit_one(void *addr)
{
    need("sas_commit", sas_commit(&addr, 1));
}

/* ---- object_create_delete: a transient one-page object ---- */

#define CREATE_ITERS 200u              /* the most timed creates of a row */

static unsigned long created;        /* objects created so far */

static void create_delete(void)
{
    void *base;
    enum sas_error e = sas_create(OBJ_PAGE, 0, NULL, NULL, &base);
    if (e) {
        printf("object_bench: after %lu objects created and deleted:\n", created);
        fail("sas_create", e);
    }
    created++;
    need("sas_delete", sas_delete(base));
}

/* The median of samples[from, from + n), left in place (copied to sort). */
static uint64_t median_of(unsigned from, unsigned n)
{
    static uint64_t part[MAX_ITERS];
    for (unsigned i = 0; i < n; i++)
        part[i] = samples[from + i];
    return bench_median(part, n);
}

/* measure.h's loop with CREATE_ITERS iterations at most (iters / 10, at least 10) after a
 * tenth as many untimed, and the idle counted meanwhile taken off each sample, as the
 * disk's rows do (the epoch reservation's store transactions wait for the device). So
 * few: every create leaves its capability in the domain's list (capstore's retire does not
 * take it out), so each costs more than the last, and capstore runs out of memory after
 * about 6,700; the medians of the first and the last tenth of the timed iterations show
 * the growth. */
static void measure_create_delete(void)
{
    unsigned all = iters, n = disk_clamp(iters / 10, 10, CREATE_ITERS);
    for (unsigned i = 0; i < n / 10; i++)
        create_delete();
    uint64_t commits = stats_now().commits;
    for (unsigned i = 0; i < n; i++) {
        uint64_t idle0 = sas_idle_tsc(), t0 = bench_rdtsc();
        create_delete();
        uint64_t d = bench_rdtsc() - t0, not_busy = sas_idle_tsc() - idle0 + overhead;
        samples[i] = d > not_busy ? d - not_busy : 0;
    }
    commits = stats_now().commits - commits;
    uint64_t first = median_of(0, n / 10), last = median_of(n - n / 10, n / 10);
    iters = n;
    report("object_create_delete");
    iters = all;
    printf("BENCH-INFO object_create_delete: %llu store transactions (epoch reservations) "
           "in %u iterations, their idle not counted; median of the first tenth %llu, of the "
           "last %llu (%lu objects created before it)\n", (unsigned long long)commits, n,
           (unsigned long long)first, (unsigned long long)last, created - n);
}

static uint64_t median_of(unsigned from, unsigned n);

/* ---- sharing (issue 21): the peer's objects, sas_grant, cap_derive ---- */

static volatile char *share_first;     /* the first shared object: the peer's mailbox */

/* A new transient object of `pages` pages (label as given), every page written once
 * (resident in objmgr); its owner capability in *owner. */
static volatile char *written_object(unsigned pages, const char *label, struct cap *owner)
{
    void *base;
    need("sas_create", sas_create((uint64_t)pages * OBJ_PAGE, 0, label, owner, &base));
    created++;
    volatile char *p = base;
    for (unsigned pg = 0; pg < pages; pg++)
        p[pg * OBJ_PAGE] = 1;
    return p;
}

/* Untimed: the objects of object_fault_shared, each granted read-write to the peer. */
static void share_setup(void)
{
    for (unsigned i = 0; i < share_objects(); i++) {
        struct cap owner, rw;
        volatile char *p = written_object(FAULT_OBJ_PAGES, "bench_share", &owner);
        if (!i)
            share_first = p;
        need("sas_cap_derive", sas_cap_derive(&owner, CAP_R_READ | CAP_R_WRITE, 0,
                                               CAP_RANGE_ALL, CAP_NO_EXPIRY, &rw));
        need("sas_grant", sas_grant(SHARE_PEER_DOMAIN, &rw));
    }
}

/* sas_grant: a read-only capability of a written one-page transient object, derived
 * (untimed) just before, into the peer's list; objects created and written first, in
 * address order. The first tenth untimed. */
static void measure_grant(void)
{
    static struct cap owner[SHARE_TOUCH_MAX + SHARE_TOUCH_MAX / 10];
    unsigned n = share_touches(), warm = share_touch_warm();
    for (unsigned i = 0; i < warm + n; i++)
        written_object(1, "bench_touch", &owner[i]);
    for (unsigned i = 0; i < warm + n; i++) {
        struct cap ro;
        need("sas_cap_derive", sas_cap_derive(&owner[i], CAP_R_READ, 0, CAP_RANGE_ALL,
                                               CAP_NO_EXPIRY, &ro));
        uint64_t t0 = bench_rdtsc();
        enum sas_error e = sas_grant(SHARE_PEER_DOMAIN, &ro);
        uint64_t d = bench_rdtsc() - t0;
        need("sas_grant", e);
        if (i >= warm)
            samples[i - warm] = d > overhead ? d - overhead : 0;
    }
    uint64_t first = median_of(0, n / 10), last = median_of(n - n / 10, n / 10);
    report_samples("sas_grant", n);
    printf("BENCH-INFO sas_grant: %u grants to %s of transient objects (no store "
           "transaction); median of the first tenth %llu, of the last %llu (capstore walks "
           "this domain's list up to the object: %u entries before the first timed one's)\n",
           n, SHARE_PEER_DOMAIN, (unsigned long long)first, (unsigned long long)last,
           share_objects() + warm);
}

/* Until the peer has measured (its SHARE_DONE in the first shared object), looking every
 * SHARE_POLL_NS: no two timed loops at once. Ten minutes at most. */
static void wait_for_peer(void)
{
    for (unsigned tries = 0;
         *(volatile uint64_t *)(share_first + SHARE_MAILBOX) != SHARE_DONE; tries++) {
        if (tries == 30000) {
            printf("object_bench: the peer never said it was done\n");
            exit(1);
        }
        struct timespec t = { 0, SHARE_POLL_NS };
        nanosleep(&t, NULL);
    }
}

/* cap_derive: a read-only one-page capability from an owner capability, offline: no
 * IPC, a BLAKE2b-keyed link and a random nonce (libsodium's randombytes) in the program. */
static void measure_derive(void)
{
    struct cap owner, child;
    void *base;
    need("sas_create", sas_create(OBJ_PAGE, 0, "bench_derive", &owner, &base));
    created++;
    MEASURE("cap_derive", need("sas_cap_derive",
                               sas_cap_derive(&owner, CAP_R_READ, 0, OBJ_PAGE,
                                              CAP_NO_EXPIRY, &child)));
}

/* ---- object_fault_own: write faults on resident pages, the decision cached ---- */

static void measure_fault_own(void)
{
    void *base;
    unsigned rounds = fault_rounds();
    uint64_t faults = 0, checks = 0;
    need("sas_create", sas_create(FAULT_OBJ_PAGES * OBJ_PAGE, SAS_PERSISTENT, "bench_fault",
                                  NULL, &base));
    created++;
    volatile char *p = base;
    for (unsigned pg = 0; pg < FAULT_OBJ_PAGES; pg++)
        p[pg * OBJ_PAGE] = 1;                   /* resident (zeroed by objmgr), dirty */
    for (unsigned r = 0; r <= rounds; r++) {    /* round 0: untimed */
        commit_one(base);                       /* every page read-only in this task */
        struct objmgr_stats a = stats_now();
        for (unsigned pg = 0; pg < FAULT_OBJ_PAGES; pg++) {
            uint64_t d = fault_write(p + pg * OBJ_PAGE, (char)r);
            if (r)
                samples[(r - 1) * FAULT_OBJ_PAGES + pg] = d;
        }
        struct objmgr_stats b = stats_now();
        if (r) {
            faults += b.faults - a.faults;
            checks += b.checks - a.checks;
        }
    }
    unsigned n = rounds * FAULT_OBJ_PAGES;
    report_samples("object_fault_own", n);
    printf("BENCH-INFO object_fault_own: %u writes, %llu faults served by objmgr, %llu "
           "capstore checks asked\n", n, (unsigned long long)faults, (unsigned long long)checks);
    need("sas_delete", sas_delete(base));
}

/* ---- the rows that write the store ---- */

static void *commit_obj;

static void dirty_page(unsigned i)
{
    *(volatile char *)commit_obj = (char)(i + 1);    /* faults: the last commit took W */
}

static void commit_1page(unsigned i)
{
    (void)i;
    commit_one(commit_obj);
}

static void create_commit_delete(unsigned i)
{
    void *base;
    (void)i;
    need("sas_create", sas_create(OBJ_PAGE, SAS_PERSISTENT, NULL, NULL, &base));
    created++;
    commit_one(base);
    need("sas_delete", sas_delete(base));
}

/* No path: objmgr's store is persist's, reached through objmgr alone. */
static const struct disk_system ellfour = { NULL, device_now, sas_idle_tsc, NULL, NULL };

/* As the disk's put + commit: min(iters, 1,000) commits after a tenth as many. */
static void measure_commit(void)
{
    unsigned all = iters, n = disk_clamp(iters, 1, DISK_ITERS);
    need("sas_create", sas_create(OBJ_PAGE, SAS_PERSISTENT, "bench_commit", NULL,
                                  &commit_obj));
    created++;
    disk_measure(&ellfour, "sas_commit_1page", n, disk_clamp(n / 10, WARM_MIN, DISK_ITERS),
                 dirty_page, commit_1page);
    need("sas_delete", sas_delete(commit_obj));
    iters = all;
}

/* As object_create_delete's count (its capabilities stay in the domain's list too), after
 * a tenth as many (at least WARM_MIN). */
static void measure_create_commit_delete(void)
{
    unsigned n = disk_clamp(iters / 10, 10, CREATE_ITERS);
    unsigned long before = created;
    disk_measure(&ellfour, "object_create_commit_delete_persistent", n,
                 disk_clamp(n / 10, WARM_MIN, DISK_ITERS), NULL, create_commit_delete);
    printf("BENCH-INFO object_create_commit_delete_persistent: %lu objects created before "
           "it\n", before);
}

int main(void)
{
    struct blk_info bi;
    struct objmgr_stats st;
    iters = bench_cmdline_iters();
    need("finding objmgr (sas_stats)", sas_stats(&st));
    need("finding the virtio_blk service", sas_disk_info(&bi));
    printf("BENCH-INFO objects: %llu objects in the store at start\n",
           (unsigned long long)st.objects);
    measure_overhead();
    /* First the sharing rows, whose objects the peer measures while this program waits;
     * then the rows that create one object each, in a domain whose list is still short. */
    share_setup();
    measure_grant();
    wait_for_peer();
    measure_derive();
    measure_fault_own();
    measure_commit();
    measure_create_delete();
    measure_create_commit_delete();
    return 0;
}
