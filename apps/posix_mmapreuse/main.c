/*
 * posix_mmapreuse — mmap hands out again what munmap gave back (docs/POSIX.md, region_gap
 * in sasos/posix/regions.c). Each check prints "posix_mmapreuse: NAME: ok" (or FAILED);
 * the exit code is the number of failed checks, which root reports.
 *   churn           ROUNDS rounds over SLOTS live mappings: each round unmaps one (whole,
 *                   or in two pieces, upper first) after checking the tags written into
 *                   its touched pages, and maps a new one of 1 page to 4 MiB in its place,
 *                   whose address must lie in the slot's mmap area and overlap no live
 *                   mapping, and whose first, last and one middle page must read zero
 *                   before they are tagged. The mappings add up to far more than the 3 GiB
 *                   area, so the rounds only finish if addresses are reused.
 *   area_whole      after the churn, with everything unmapped: the lowest address is the
 *                   one the program started with, the whole rest of the area maps in one
 *                   piece there, and one page more than that is -ENOMEM
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sas/layout.h>

#define PAGE 4096u
#define MAX_PAGES 1024u             /* 4 MiB */
#define SLOTS 16u
#define ROUNDS 100000u

struct live {
    uint8_t *p;
    size_t pages, mid;              /* the middle page touched */
    uint64_t tag;
};
static struct live live[SLOTS];
static uint64_t area_lo, area_hi, total;
static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t next(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

static int check(const char *what, int ok)
{
    printf("posix_mmapreuse: %s: %s\n", what, ok ? "ok" : "FAILED");
    return !ok;
}

static int fail(unsigned round, const char *why, const void *p)
{
    printf("posix_mmapreuse: round %u: %s at %p\n", round, why, p);
    return 0;
}

static void *map(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Page pg of l: zero in its first, middle and last word if fresh; then its tag. */
static int touch(struct live *l, size_t pg, int fresh)
{
    volatile uint64_t *w = (volatile uint64_t *)(l->p + pg * PAGE);
    uint64_t want = fresh ? 0 : l->tag + pg;
    int ok = w[0] == want && w[PAGE / 16] == want && w[PAGE / 8 - 1] == want;
    w[0] = w[PAGE / 16] = w[PAGE / 8 - 1] = l->tag + pg;
    return ok;
}

/* The first, the middle and the last page, each once (they may coincide). */
static int touch_all(struct live *l, int fresh)
{
    int ok = touch(l, 0, fresh);
    if (l->mid != 0 && l->mid != l->pages - 1)
        ok &= touch(l, l->mid, fresh);
    if (l->pages > 1)
        ok &= touch(l, l->pages - 1, fresh);
    return ok;
}

/* 1 if [p, p + len) is inside the area and overlaps no live mapping. */
static int placed_well(const uint8_t *p, size_t len)
{
    uint64_t a = (uint64_t)p;
    if (a < area_lo || a >= area_hi || len > area_hi - a)
        return 0;
    for (unsigned i = 0; i < SLOTS; i++)
        if (live[i].p && p < live[i].p + live[i].pages * PAGE && live[i].p < p + len)
            return 0;
    return 1;
}

/* Checks l's tags and unmaps it, in two pieces one time in four. */
static int drop(struct live *l, unsigned round)
{
    if (!touch_all(l, 0))
        return fail(round, "a tag changed", l->p);
    size_t cut = next() % 4 == 0 ? 1 + next() % l->pages : l->pages;
    if ((cut < l->pages && munmap(l->p + cut * PAGE, (l->pages - cut) * PAGE)) ||
        munmap(l->p, cut * PAGE))
        return fail(round, "munmap failed", l->p);
    l->p = NULL;
    return 1;
}

static int fill(struct live *l, unsigned round)
{
    l->pages = 1 + next() % MAX_PAGES;
    l->mid = next() % l->pages;
    l->tag = (uint64_t)round << 32;
    l->p = NULL;
    uint8_t *p = map(l->pages * PAGE);
    if (!p)
        return fail(round, "mmap failed", p);
    if (!placed_well(p, l->pages * PAGE))
        return fail(round, "outside the area or overlapping", p);
    l->p = p;
    total += l->pages * PAGE;
    return touch_all(l, 1) ? 1 : fail(round, "a fresh page was not zero", p);
}

static int churn(void)
{
    for (unsigned round = 1; round <= ROUNDS; round++) {
        struct live *l = &live[next() % SLOTS];
        if ((l->p && !drop(l, round)) || !fill(l, round))
            return 0;
    }
    printf("posix_mmapreuse: %u rounds mapped %lu MiB in all, the area is %lu MiB\n", ROUNDS,
           (unsigned long)(total >> 20), (unsigned long)((area_hi - area_lo) >> 20));
    return total > 16 * (area_hi - area_lo);
}

static int area_whole(uint8_t *start)
{
    for (unsigned i = 0; i < SLOTS; i++)
        if (live[i].p && !drop(&live[i], ROUNDS + 1))
            return 0;
    uint8_t *p = map(PAGE);
    int ok = p == start && munmap(p, PAGE) == 0;
    size_t rest = area_hi - (uint64_t)start;
    errno = 0;
    ok &= mmap(NULL, rest + PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
          errno == ENOMEM;
    p = map(rest);
    ok &= p == start && map(PAGE) == NULL && errno == ENOMEM;
    return ok && munmap(p, rest) == 0 && (p = map(PAGE)) == start && munmap(p, PAGE) == 0;
}

int main(void)
{
    uint64_t slot = (uint64_t)&live & ~(SAS_PROGRAM_SLOT - 1);
    area_lo = SAS_PROG_ANON_BASE(slot);
    area_hi = slot + SAS_PROGRAM_SLOT;
    uint8_t *start = map(PAGE);
    int failed = check("start", start && placed_well(start, PAGE) && munmap(start, PAGE) == 0);
    failed += check("churn", churn());
    failed += check("area_whole", area_whole(start));
    printf("posix_mmapreuse: done, %d failed\n", failed);
    return failed;
}
