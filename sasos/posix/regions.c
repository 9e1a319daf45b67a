/*
 * regions.c — the region table: the task's mapped ranges, sorted by start and disjoint,
 * with what backs them (image or anonymous memory) and their protection. The region
 * mapper resolves a fault by looking the address up here (posix.h). The table is also
 * mmap's allocator of addresses: a new mapping goes in the lowest gap between regions
 * that fits it (region_gap), so what munmap removed is handed out again and no second
 * record of the free ranges can disagree with the table.
 */
#include "posix.h"

static int aligned(uint64_t a) { return (a & (POSIX_PAGE - 1)) == 0; }

/* Index of the first region ending after va (t->n if none). */
static unsigned first_after(const struct region_table *t, uint64_t va)
{
    unsigned lo = 0, hi = t->n;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (t->r[mid].end <= va)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void insert_at(struct region_table *t, unsigned i, struct region r)
{
    for (unsigned j = t->n; j > i; j--)
        t->r[j] = t->r[j - 1];
    t->r[i] = r;
    t->n++;
}

static void delete_at(struct region_table *t, unsigned i)
{
    for (unsigned j = i; j + 1 < t->n; j++)
        t->r[j] = t->r[j + 1];
    t->n--;
}

int region_add(struct region_table *t, uint64_t start, uint64_t end, unsigned kind,
               unsigned prot)
{
    if (!aligned(start) || !aligned(end) || start >= end || !kind)
        return -LX_EINVAL;
    unsigned i = first_after(t, start);
    if (i < t->n && t->r[i].start < end)
        return -LX_EEXIST;
    if (t->n == POSIX_MAX_REGIONS)
        return -LX_ENOMEM;
    insert_at(t, i, (struct region){ start, end, 0, (uint8_t)kind, (uint8_t)prot });
    return 0;
}

int region_add_file(struct region_table *t, uint64_t start, uint64_t end, unsigned prot,
                    uint64_t off)
{
    int e = region_add(t, start, end, REGION_FILE, prot);
    if (!e)
        ((struct region *)region_find(t, start))->off = off;
    return e;
}

const struct region *region_find(const struct region_table *t, uint64_t va)
{
    unsigned i = first_after(t, va);
    return i < t->n && t->r[i].start <= va ? &t->r[i] : 0;
}

int region_gap(const struct region_table *t, uint64_t lo, uint64_t hi, uint64_t len,
               uint64_t *at)
{
    if (!aligned(lo) || !aligned(len) || !len || lo >= hi)
        return -LX_EINVAL;
    uint64_t a = lo;      /* the lowest address no region below it covers */
    for (unsigned i = first_after(t, lo); i < t->n && t->r[i].start < hi; i++) {
        if (t->r[i].start > a && t->r[i].start - a >= len)
            break;
        a = t->r[i].end;  /* sorted and disjoint: never below a once past lo */
    }
    if (a >= hi || hi - a < len)
        return -LX_ENOMEM;
    *at = a;
    return 0;
}

/* Splits the region containing `at` (if any starts before it) so a boundary lies there. */
static int split_at(struct region_table *t, uint64_t at)
{
    unsigned i = first_after(t, at);
    if (i == t->n || t->r[i].start >= at)
        return 0;
    if (t->n == POSIX_MAX_REGIONS)
        return -LX_ENOMEM;
    struct region hi = t->r[i];
    hi.off += at - hi.start;      /* a file region's upper part starts further in */
    hi.start = at;
    t->r[i].end = at;
    insert_at(t, i + 1, hi);
    return 0;
}

/* 1 if [start, end) touches an image region. */
static int touches_image(const struct region_table *t, uint64_t start, uint64_t end)
{
    for (unsigned i = first_after(t, start); i < t->n && t->r[i].start < end; i++)
        if (t->r[i].kind == REGION_IMAGE)
            return 1;
    return 0;
}

/* Room for the splits at both edges, checked before anything changes. */
static int splits_fit(const struct region_table *t, uint64_t start, uint64_t end)
{
    const struct region *a = region_find(t, start), *b = region_find(t, end);
    unsigned need = (a && a->start < start) + (b && b->start < end);
    return t->n + need <= POSIX_MAX_REGIONS;
}

int region_remove(struct region_table *t, uint64_t start, uint64_t end)
{
    if (!aligned(start) || !aligned(end) || start >= end || touches_image(t, start, end))
        return -LX_EINVAL;
    if (!splits_fit(t, start, end))
        return -LX_ENOMEM;
    split_at(t, start);
    split_at(t, end);
    unsigned i = first_after(t, start);
    while (i < t->n && t->r[i].start < end)
        delete_at(t, i);
    return 0;
}

/* 1 if anonymous regions cover every byte of [start, end). */
static int covered_anon(const struct region_table *t, uint64_t start, uint64_t end)
{
    uint64_t at = start;
    for (unsigned i = first_after(t, start); i < t->n && at < end; i++) {
        if (t->r[i].start > at || t->r[i].kind != REGION_ANON)
            return 0;
        at = t->r[i].end;
    }
    return at >= end;
}

int region_protect(struct region_table *t, uint64_t start, uint64_t end, unsigned prot)
{
    if (!aligned(start) || !aligned(end) || start >= end)
        return -LX_EINVAL;
    if (!covered_anon(t, start, end) || !splits_fit(t, start, end))
        return -LX_ENOMEM;
    split_at(t, start);
    split_at(t, end);
    for (unsigned i = first_after(t, start); i < t->n && t->r[i].start < end; i++)
        t->r[i].prot = (uint8_t)prot;
    return 0;
}
