/*
 * peer.c — object_bench_peer, the second domain of the sharing rows (issue 21): bench/run
 * boots it beside object_bench ("start=object_bench,object_bench_peer"), in its own
 * domain (object_bench_peer, root's default). It waits until its list holds every
 * capability object_bench grants it (share.h), then measures
 *   object_fault_shared         the first write to a page of a shared object that the
 *                               owner wrote (resident in objmgr), not yet mapped here,
 *                               the decision cached: each object's page 0 is written
 *                               first, untimed (a fault whose capstore check objmgr
 *                               keeps for this domain, object and access), then the first
 *                               write to each of its other 255 pages is timed, one sample
 *                               per write (objects.h); the first object untimed whole
 *                               (Linux: the first write, in a forked process, to a page of
 *                               a memfd its parent wrote, bench/linux/objects.c)
 *   object_first_touch_granted  the first read of the page of a one-page object the owner
 *                               wrote and granted this domain read-only just before:
 *                               objmgr has no decision for it, so the fault asks capstore
 *                               (no Linux pair)
 * then writes SHARE_DONE into the first shared object for the owner. objmgr's counters
 * (sas_stats, outside the timed part; the owner is waiting meanwhile) check that each
 * timed write or read was one fault served, and how many capstore checks they asked.
 * Exit code 0; 1 after "object_bench_peer: WHAT failed: REASON" on the first error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sas.h>
#include "../common/measure.h"
#include "../common/kip.h"
#include "../common/objects.h"
#include "share.h"

static _Noreturn void fail(const char *what, enum sas_error e)
{
    printf("object_bench_peer: %s failed: %s\n", what, sas_strerror(e));
    exit(1);
}

static struct objmgr_stats stats_now(void)
{
    struct objmgr_stats st;
    enum sas_error e = sas_stats(&st);
    if (e)
        fail("sas_stats", e);
    return st;
}

static volatile char *shared[MAX_ITERS / FAULT_OBJ_PAGES + 1];   /* read-write, in order */
static volatile char *touched[SHARE_TOUCH_MAX + SHARE_TOUCH_MAX / 10];   /* read-only */

/* Waits until this domain's list holds `want` capabilities (a minute of 20 ms looks at
 * most, then fails), and sorts them into shared and touched. */
static void wait_for_caps(unsigned want)
{
    unsigned count = 0, ns = 0, nt = 0;
    for (unsigned tries = 0;; tries++) {
        enum sas_error e = sas_caps(0, NULL, &count);
        if (e && e != SAS_ENOTFOUND)
            fail("sas_caps", e);
        if (count >= want)
            break;
        if (tries == 3000) {
            printf("object_bench_peer: %u of %u capabilities granted after a minute\n",
                   count, want);
            exit(1);
        }
        struct timespec t = { 0, SHARE_POLL_NS };
        nanosleep(&t, NULL);
    }
    for (unsigned i = 0; i < count; i++) {
        struct cap c;
        enum sas_error e = sas_caps(i, &c, NULL);
        if (e)
            fail("sas_caps", e);
        if (c.link[c.nlinks - 1].rights & CAP_R_WRITE) {
            if (ns < share_objects())
                shared[ns++] = (volatile char *)c.base;
        } else if (nt < share_touches() + share_touch_warm()) {
            touched[nt++] = (volatile char *)c.base;
        }
    }
    if (ns != share_objects() || nt != share_touches() + share_touch_warm()) {
        printf("object_bench_peer: %u read-write and %u read-only capabilities, not %u "
               "and %u\n", ns, nt, share_objects(), share_touches() + share_touch_warm());
        exit(1);
    }
}

static void measure_fault_shared(void)
{
    unsigned rounds = share_objects() - 1, per = FAULT_OBJ_PAGES - 1;
    uint64_t faults = 0, checks = 0;
    for (unsigned r = 0; r <= rounds; r++) {    /* round 0: untimed */
        shared[r][0] = (char)(r + 2);           /* the decision cached (shared_round's
                                                 * own write to page 0 no longer faults) */
        struct objmgr_stats a = stats_now();
        shared_round(shared[r], (char)(r + 2), r ? &samples[(r - 1) * per] : NULL);
        struct objmgr_stats b = stats_now();
        if (r) {
            faults += b.faults - a.faults;
            checks += b.checks - a.checks;
        }
    }
    report_samples("object_fault_shared", rounds * per);
    printf("BENCH-INFO object_fault_shared: %u writes in %u objects, %llu faults served by "
           "objmgr, %llu capstore checks asked\n", rounds * per, rounds,
           (unsigned long long)faults, (unsigned long long)checks);
}

static void measure_first_touch(void)
{
    unsigned n = share_touches(), warm = share_touch_warm();
    struct objmgr_stats a = stats_now(), b = a;
    for (unsigned i = 0; i < warm + n; i++) {
        if (i == warm)
            a = stats_now();
        uint64_t t0 = bench_rdtsc();
        (void)*touched[i];
        uint64_t d = bench_rdtsc() - t0;
        if (i >= warm)
            samples[i - warm] = d > overhead ? d - overhead : 0;
    }
    b = stats_now();
    report_samples("object_first_touch_granted", n);
    printf("BENCH-INFO object_first_touch_granted: %u reads, %llu faults served by objmgr, "
           "%llu capstore checks asked\n", n, (unsigned long long)(b.faults - a.faults),
           (unsigned long long)(b.checks - a.checks));
}

int main(void)
{
    iters = bench_cmdline_iters();
    measure_overhead();
    wait_for_caps(share_objects() + share_touches() + share_touch_warm());
    measure_fault_shared();
    measure_first_touch();
    fflush(stdout);
    *(volatile uint64_t *)(shared[0] + SHARE_MAILBOX) = SHARE_DONE;
    return 0;
}
