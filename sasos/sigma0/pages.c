/*
 * pages.c — sigma0's record of physical memory: a class and an owner per 4 KiB page.
 *
 * Pages below the top of RAM have a 16-bit entry in one table ([11..0] owner task, 0 for
 * none; [14..12] enum s0_class) that sigma0 keeps in RAM it owns, reached through its own
 * window. Device memory above the top of RAM is rare and coarse, so its owners are a short
 * list of extents. The class of a page comes from the KIP once, at start: a FREE range
 * covers only whole pages inside it, every other range covers each page it touches, and
 * the higher class wins (KERNEL > BOOT > RESERVED > FREE > none).
 */
#include "sigma0.h"
#include <sas/layout.h>
#include <sas/proto/sigma0.h>
#include <l4/types.h>

#define OWNER_MASK  0x0fffu
#define CLASS_SHIFT 12
#define MAX_DEV     64

struct dev_extent {
    uint64_t base, end;
    unsigned owner;        /* 0: slot unused */
};

static const volatile struct l4_kip *kip;
static uint16_t *tab;              /* tab[pa / 4 KiB] for pa < ram_top */
static uint64_t ram_top, npages, ram_pages, free_pages, hint;
static struct dev_extent dev[MAX_DEV];

/* The class the KIP's memory map gives page pa (see the file comment). */
static enum s0_class kip_class(uint64_t pa)
{
    static const enum s0_class of_type[] = {
        [L4_MEM_FREE] = S0_RAM, [L4_MEM_RESERVED] = S0_RESERVED,
        [L4_MEM_KERNEL] = S0_KERNEL, [L4_MEM_BOOT] = S0_BOOT,
    };
    enum s0_class c = S0_HOLE;
    if (pa == SIGMA0_LAPIC_PAGE)
        return S0_KERNEL;
    for (uint32_t i = 0; i < kip->mem_count && i < L4_KIP_MAX_MEM; i++) {
        uint64_t b = kip->mem[i].base, e = b + kip->mem[i].size;
        uint32_t t = kip->mem[i].type;
        if (t < L4_MEM_FREE || t > L4_MEM_BOOT || e <= b)
            continue;
        int covers = t == L4_MEM_FREE ? b <= pa && pa + S0_PAGE <= e : b < pa + S0_PAGE && pa < e;
        if (covers && of_type[t] > c)
            c = of_type[t];
    }
    return c;
}

/* Finds `pages` consecutive RAM pages for the table itself, above the first MiB. */
static uint64_t table_place(uint64_t pages)
{
    uint64_t run = 0;
    for (uint64_t p = 0x100000 / S0_PAGE; p < npages; p++) {
        run = kip_class(p * S0_PAGE) == S0_RAM ? run + 1 : 0;
        if (run == pages)
            return (p + 1 - pages) * S0_PAGE;
    }
    return 0;
}

int pages_init(const volatile struct l4_kip *k, uint8_t *window)
{
    kip = k;
    for (uint32_t i = 0; i < kip->mem_count && i < L4_KIP_MAX_MEM; i++)
        if (kip->mem[i].type == L4_MEM_FREE && kip->mem[i].base + kip->mem[i].size > ram_top)
            ram_top = kip->mem[i].base + kip->mem[i].size;
    ram_top &= ~(S0_PAGE - 1);
    if (ram_top > L4_SIGMA0_PHYS_SIZE)
        ram_top = L4_SIGMA0_PHYS_SIZE;
    npages = ram_top / S0_PAGE;
    uint64_t tpages = (npages * sizeof(uint16_t) + S0_PAGE - 1) / S0_PAGE;
    uint64_t tpa = table_place(tpages);
    if (!tpa)
        return -1;
    tab = (uint16_t *)(window + tpa);
    for (uint64_t p = 0; p < npages; p++) {
        enum s0_class c = kip_class(p * S0_PAGE);
        tab[p] = (uint16_t)(c << CLASS_SHIFT);
        ram_pages += c == S0_RAM;
    }
    free_pages = ram_pages;
    for (uint64_t p = tpa / S0_PAGE; p < tpa / S0_PAGE + tpages; p++)
        tab[p] |= L4_TASK_SIGMA0;
    free_pages -= tpages;
    hint = 0x100000 / S0_PAGE;
    return 0;
}

static unsigned dev_owner(uint64_t pa)
{
    for (unsigned i = 0; i < MAX_DEV; i++)
        if (dev[i].owner && pa >= dev[i].base && pa < dev[i].end)
            return dev[i].owner;
    return 0;
}

enum s0_class pages_class(uint64_t pa)
{
    return pa < ram_top ? (enum s0_class)(tab[pa / S0_PAGE] >> CLASS_SHIFT) : kip_class(pa);
}

static unsigned owner_of(uint64_t pa)
{
    return pa < ram_top ? tab[pa / S0_PAGE] & OWNER_MASK : dev_owner(pa);
}

/* Sets the owner of the table part of [pa, end); the caller has checked every page. */
static void set_owner(uint64_t pa, uint64_t end, unsigned owner)
{
    for (; pa < end && pa < ram_top; pa += S0_PAGE) {
        uint16_t *e = &tab[pa / S0_PAGE];
        if ((*e >> CLASS_SHIFT) == S0_RAM)
            free_pages += (owner == 0) - ((*e & OWNER_MASK) == 0);
        *e = (uint16_t)((*e & ~OWNER_MASK) | owner);
    }
}

static int run_free(uint64_t first, uint64_t n)
{
    for (uint64_t p = first; p < first + n; p++)
        if (tab[p] != (S0_RAM << CLASS_SHIFT))
            return 0;
    return 1;
}

enum sas_error pages_alloc_any(unsigned log2, unsigned owner, uint64_t *pa)
{
    if (log2 < S0_PAGE_LOG2 || log2 > SIGMA0_MAX_LOG2)
        return SAS_EINVAL;
    uint64_t n = 1ULL << (log2 - S0_PAGE_LOG2);
    uint64_t start = hint & ~(n - 1);
    /* Two laps: from the hint up, then from page n (page 0 is never handed out). */
    for (int lap = 0; lap < 2; lap++, start = n) {
        for (uint64_t p = start; p + n <= npages; p += n) {
            if (p == 0 || !run_free(p, n))
                continue;
            *pa = p * S0_PAGE;
            set_owner(*pa, *pa + n * S0_PAGE, owner);
            hint = p + n;
            return SAS_OK;
        }
    }
    return SAS_ENOMEM;
}

/* Checks a range for ALLOC_PHYS: every page must be free and may go to `owner`. */
static enum sas_error claim_check(uint64_t pa, uint64_t end, unsigned owner)
{
    enum sas_error e = SAS_OK;
    for (uint64_t p = pa; p < end; p += S0_PAGE) {
        enum s0_class c = pages_class(p);
        if (c == S0_KERNEL)
            return SAS_EPAGE_KERNEL;
        if (c == S0_BOOT && owner != L4_TASK_ROOT)
            e = SAS_EPAGE_DENIED;
        else if (owner_of(p) && !e)
            e = SAS_EPAGE_OWNED;
    }
    return e;
}

static int dev_add(uint64_t base, uint64_t end, unsigned owner)
{
    for (unsigned i = 0; i < MAX_DEV; i++)
        if (!dev[i].owner) {
            dev[i] = (struct dev_extent){ base, end, owner };
            return 0;
        }
    return -1;
}

enum sas_error pages_claim(uint64_t pa, unsigned log2, unsigned owner)
{
    if (log2 < S0_PAGE_LOG2 || log2 > SIGMA0_MAX_PHYS_LOG2 || pa & ((1ULL << log2) - 1) ||
        pa >= L4_SIGMA0_PHYS_SIZE || (1ULL << log2) > L4_SIGMA0_PHYS_SIZE - pa)
        return SAS_EINVAL;
    uint64_t end = pa + (1ULL << log2);
    enum sas_error e = claim_check(pa, end, owner);
    if (e)
        return e;
    if (end > ram_top && dev_add(pa > ram_top ? pa : ram_top, end, owner))
        return SAS_ENOMEM;
    set_owner(pa, end, owner);
    return SAS_OK;
}

enum sas_error pages_release(uint64_t pa, unsigned log2, unsigned owner)
{
    if (log2 < S0_PAGE_LOG2 || log2 > SIGMA0_MAX_PHYS_LOG2 || pa & ((1ULL << log2) - 1) ||
        pa >= L4_SIGMA0_PHYS_SIZE || (1ULL << log2) > L4_SIGMA0_PHYS_SIZE - pa)
        return SAS_EINVAL;
    uint64_t end = pa + (1ULL << log2);
    for (uint64_t p = pa; p < end && p < ram_top; p += S0_PAGE)
        if ((tab[p / S0_PAGE] & OWNER_MASK) != owner)
            return SAS_EPAGE_DENIED;
    /* Device extents go back whole, as they were taken. */
    for (unsigned i = 0; i < MAX_DEV && end > ram_top; i++)
        if (dev[i].owner && dev[i].base < end && pa < dev[i].end &&
            (dev[i].owner != owner || dev[i].base < pa || dev[i].end > end))
            return SAS_EPAGE_DENIED;
    for (uint64_t p = pa > ram_top ? pa : ram_top; p < end; p += S0_PAGE)
        if (dev_owner(p) != owner)
            return SAS_EPAGE_DENIED;
    pages_unclaim(pa, log2);
    return SAS_OK;
}

void pages_unclaim(uint64_t pa, unsigned log2)
{
    uint64_t end = pa + (1ULL << log2);
    set_owner(pa, end, 0);
    for (unsigned i = 0; i < MAX_DEV; i++)
        if (dev[i].owner && dev[i].base >= pa && dev[i].end <= end)
            dev[i].owner = 0;
}

uint64_t pages_owned_by(unsigned owner)
{
    uint64_t n = 0;
    for (uint64_t p = 0; p < npages; p++)
        n += (tab[p] & OWNER_MASK) == owner;
    for (unsigned i = 0; i < MAX_DEV; i++)
        if (owner && dev[i].owner == owner)
            n += (dev[i].end - dev[i].base) / S0_PAGE;
    return n;
}

void pages_stats(uint64_t *free_out, uint64_t *ram_out, uint64_t *top_out)
{
    *free_out = free_pages;
    *ram_out = ram_pages;
    *top_out = ram_top;
}
