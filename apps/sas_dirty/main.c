/*
 * sas_dirty — dirty pages outlive the program that wrote them (issue 20's "dirty bits
 * across exits" test). Three programs from this source (DIRTY_MODE):
 *
 *   sas_dirty_a (1)  creates the persistent 2-page object "dirty", writes version 1 into
 *            page 0 and commits it (so the object is durable), then writes version 2 into
 *            page 0 and version 3 into page 1 and exits WITHOUT committing. Prints
 *                sas_dirty_a: object at 0x100000000000 committed, then 2 pages written
 *                and not committed
 *            exit 0.
 *   sas_dirty_b (2)  a program of the SAME domain started beside it: waits until a's pages
 *            are written and a has had time to end, finds the object, checks that the
 *            uncommitted bytes of sas_dirty_a are there (objmgr kept the pages), and calls
 *            sas_commit_all(). Prints
 *                sas_dirty_b: sas_dirty_a's uncommitted bytes are there; committed all
 *            exit 0.
 *   sas_dirty_check (3)  after a reboot: the object is durable and holds versions 2 and 3,
 *            which only sas_dirty_b's commit can have stored. Prints
 *                sas_dirty_check: the bytes written after the commit survived the reboot
 *            exit 0.
 * Each exits 1 with a "sas_dirty...: FAILED: ..." line if a check does not hold.
 *
 * Assumptions: the store is fresh when sas_dirty_a runs, so "dirty" is the first object
 * and objmgr's first fit puts it at SAS_OBJECT_BASE, where b and the check look for it
 * (sas_dirty_a refuses to go on otherwise). All three run in one protection domain:
 * a program's default domain is named after it, so root's command line must bind
 * sas_dirty_b and sas_dirty_check to sas_dirty_a's domain (b needs the write right,
 * the check the read right; another domain is denied and ended).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sas.h>

#define DIRTY_A 1
#define DIRTY_B 2
#define DIRTY_CHECK 3
#define PAGE 4096u

#if DIRTY_MODE == DIRTY_A
#define NAME "sas_dirty_a"
#elif DIRTY_MODE == DIRTY_B
#define NAME "sas_dirty_b"
#else
#define NAME "sas_dirty_check"
#endif

/* Version v of a page: a line saying so, then bytes that differ per version and offset. */
static void version(uint8_t *page, unsigned v)
{
    for (unsigned j = 0; j < PAGE; j++)
        page[j] = (uint8_t)(v * 37 + j * 7 + (j >> 8));
    snprintf((char *)page, 64, "sas_dirty page version %u", v);
}

/* 1 if page holds version v. */
static int holds(const uint8_t *page, unsigned v)
{
    static uint8_t want[PAGE];
    version(want, v);
    return !memcmp(page, want, PAGE);
}

static int failed(const char *what, enum sas_error e)
{
    printf(NAME ": FAILED: %s: %s\n", what, sas_strerror(e));
    return 1;
}

static int writer(void)
{
    void *base;
    enum sas_error e = sas_create(2 * PAGE, SAS_PERSISTENT, "dirty", 0, &base);
    if (e)
        return failed("sas_create", e);
    if ((uint64_t)base != SAS_OBJECT_BASE) {
        printf(NAME ": FAILED: the object is at %p, not at 0x%llx: the store was not fresh\n",
               base, SAS_OBJECT_BASE);
        return 1;
    }
    uint8_t *p = base;
    version(p, 1);
    if ((e = sas_commit(&base, 1)))
        return failed("sas_commit", e);
    version(p, 2);
    version(p + PAGE, 3);
    printf(NAME ": object at %p committed, then 2 pages written and not committed\n", base);
    return 0;
}

/* The object at SAS_OBJECT_BASE is "dirty", durable, and holds versions 2 and 3. */
static int found(void)
{
    struct sas_info in;
    const uint8_t *p = (const uint8_t *)SAS_OBJECT_BASE;
    enum sas_error e = sas_info(p, &in);
    if (e)
        return failed("sas_info", e);
    if (strcmp(in.label, "dirty") || !(in.flags & SAS_INFO_PERSISTENT) ||
        !(in.flags & SAS_INFO_DURABLE)) {
        printf(NAME ": FAILED: sas_info: label \"%s\" flags %#x\n", in.label, in.flags);
        return 1;
    }
    if (!holds(p, 2) || !holds(p + PAGE, 3)) {
        printf(NAME ": FAILED: page 0 holds version 2: %s, page 1 version 3: %s\n",
               holds(p, 2) ? "yes" : "no", holds(p + PAGE, 3) ? "yes" : "no");
        return 1;
    }
    return 0;
}

/* sas_dirty_a runs beside this program (root starts both): wait until its pages are
 * written (it exits right after), and a moment more, so that what this commit stores
 * reaches objmgr through the dirty bits of a task that has ended. */
static void await_writer(void)
{
    const uint8_t *p = (const uint8_t *)SAS_OBJECT_BASE;
    struct sas_info in;
    for (unsigned i = 0; i < 1200; i++) {
        if (!sas_info(p, &in) && (in.flags & SAS_INFO_DURABLE) && holds(p + PAGE, 3))
            break;
        struct timespec t = { 0, 50000000 };
        nanosleep(&t, 0);
    }
    struct timespec t = { 1, 0 };
    nanosleep(&t, 0);
}

static int committer(void)
{
    await_writer();
    if (found())
        return 1;
    enum sas_error e = sas_commit_all();
    if (e)
        return failed("sas_commit_all", e);
    printf(NAME ": sas_dirty_a's uncommitted bytes are there; committed all\n");
    return 0;
}

int main(void)
{
    switch (DIRTY_MODE) {
    case DIRTY_A: return writer();
    case DIRTY_B: return committer();
    default:
        if (found())
            return 1;
        printf(NAME ": the bytes written after the commit survived the reboot\n");
        return 0;
    }
}
