/*
 * kpool.c — the kernel memory pool: a fixed physical range, one bit per page, first fit.
 * Its counters are live in the kernel info page so tests can check that everything a
 * task took comes back when it goes.
 *
 * Quotas: every page (and slab object, by size) the kernel holds for a task is charged to
 * the task's payer, the task itself if it has its own quota or else the payer of its
 * chief. A charge that does not fit fails before the pool is touched, so a task can only
 * exhaust what its chief gave it, never what its siblings or its chief hold.
 */
#include <k/kip.h>
#include <k/lib.h>
#include <k/mem.h>
#include <k/thread.h>

static uint64_t pool_base;              /* physical */
static uint64_t pool_pages;
static uint64_t bitmap[KPOOL_PAGES / 64];
static uint64_t hint;

static int page_used(uint64_t i) { return (bitmap[i / 64] >> (i % 64)) & 1; }
static void page_set(uint64_t i, int used)
{
    if (used)
        bitmap[i / 64] |= 1ULL << (i % 64);
    else
        bitmap[i / 64] &= ~(1ULL << (i % 64));
}

void kpool_init(uint64_t phys_base, uint64_t pages)
{
    pool_base = phys_base;
    pool_pages = MIN(pages, (uint64_t)KPOOL_PAGES);
    kip->kpool_total = pool_pages;
    kip->kpool_free = pool_pages;
}

/* Finds `n` free pages in a row at or after `from`; returns pool_pages if none. */
static uint64_t find_run(uint64_t from, unsigned n)
{
    for (uint64_t i = from; i + n <= pool_pages; i++) {
        unsigned k = 0;
        while (k < n && !page_used(i + k))
            k++;
        if (k == n)
            return i;
        i += k;
    }
    return pool_pages;
}

void *kpool_alloc(unsigned n)
{
    uint64_t i = find_run(hint, n);
    if (i == pool_pages)
        i = find_run(0, n);
    if (i == pool_pages) {
        kip->kpool_failures++;
        return NULL;
    }
    for (unsigned k = 0; k < n; k++)
        page_set(i + k, 1);
    hint = i + n;
    kip->kpool_free -= n;
    void *p = phys_to_virt(pool_base + i * PAGE_SIZE);
    memset(p, 0, n * PAGE_SIZE);
    return p;
}

void kpool_free(void *p, unsigned n)
{
    uint64_t i = (virt_to_phys(p) - pool_base) / PAGE_SIZE;
    kassert(i + n <= pool_pages);
    for (unsigned k = 0; k < n; k++) {
        kassert(page_used(i + k));
        page_set(i + k, 0);
    }
    if (i < hint)
        hint = i;
    kip->kpool_free += n;
}

uint64_t kpool_free_pages(void)
{
    return kip->kpool_free;
}

uint64_t kmem_left(const struct task *t)
{
    const struct task *p = t ? t->kmem_payer : NULL;
    return p ? p->kmem_limit - p->kmem_used : UINT64_MAX;
}

int kmem_charge(struct task *t, uint64_t bytes)
{
    struct task *p = t ? t->kmem_payer : NULL;
    if (!p)
        return 0;
    if (bytes > p->kmem_limit - p->kmem_used)
        return -1;
    p->kmem_used += bytes;
    return 0;
}

void kmem_uncharge(struct task *t, uint64_t bytes)
{
    struct task *p = t ? t->kmem_payer : NULL;
    if (!p)
        return;
    kassert(p->kmem_used >= bytes);
    p->kmem_used -= bytes;
}

void *kpool_alloc_for(struct task *t, unsigned n)
{
    if (kmem_charge(t, n * PAGE_SIZE))
        return NULL;
    void *p = kpool_alloc(n);
    if (!p)
        kmem_uncharge(t, n * PAGE_SIZE);
    return p;
}

void kpool_free_for(struct task *t, void *p, unsigned n)
{
    kmem_uncharge(t, n * PAGE_SIZE);       /* first: p may be t itself */
    kpool_free(p, n);
}
