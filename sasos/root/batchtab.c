/*
 * batchtab.c — root's table of frame batches (batchtab.h): pure bookkeeping, no IPC.
 * Groups are taken first-fit from group 0, so the slots root's window uses (and the page
 * tables behind them) stay few; the pool is a short list, searched on every batch.
 */
#include "batchtab.h"
#include <l4/fpage.h>

int batch_window_log2(uint64_t f)
{
    unsigned s = l4_fpage_log2(f);
    if (l4_fpage_base(f) != SAS_FRAME_BATCH_ADDR || (f & (L4_FPAGE_IO | L4_FPAGE_IRQ |
        L4_ITEM_GRANT)) || s < L4_FPAGE_MIN_LOG2 || s > L4_FPAGE_MIN_LOG2 + BATCH_MAX_LOG2)
        return -1;
    return (int)(s - L4_FPAGE_MIN_LOG2);
}

/* Bits [i, i + n) of a group's mask (n >= 1). */
static uint64_t mask(unsigned i, unsigned n)
{
    return (n == 64 ? ~0ULL : (1ULL << n) - 1) << i;
}

int batchtab_claim(struct batchtab *t, unsigned task, unsigned log2)
{
    for (unsigned g = 0; g < BATCH_GROUPS; g++) {
        struct batch *b = &t->b[g];
        if (b->task)
            continue;
        b->task = (uint16_t)task;
        b->log2 = (uint8_t)log2;
        b->held = 0;
        return (int)g;
    }
    return -1;
}

void batchtab_set(struct batchtab *t, unsigned g, unsigned i, uint64_t phys)
{
    t->b[g].pfn[i] = (uint32_t)(phys / SAS_PAGE_SIZE);
    t->frames++;
}

void batchtab_give(struct batchtab *t, unsigned g)
{
    t->b[g].held = mask(0, 1u << t->b[g].log2);
}

unsigned batchtab_span(uint32_t first, uint32_t count, unsigned *g, unsigned *i)
{
    *g = (first - BATCH_HANDLE0) / BATCH_MAX;
    *i = (first - BATCH_HANDLE0) % BATCH_MAX;
    return count < BATCH_MAX - *i ? count : BATCH_MAX - *i;
}

int batchtab_check_run(const struct batchtab *t, unsigned task, uint32_t first, uint32_t count)
{
    if (!count || first < BATCH_HANDLE0 || first >= BATCH_HANDLE_END ||
        count > BATCH_HANDLE_END - first)
        return -1;
    while (count) {
        unsigned g, i, n = batchtab_span(first, count, &g, &i);
        uint64_t m = mask(i, n);
        if (t->b[g].task != task || (t->b[g].held & m) != m)
            return -1;
        first += n, count -= n;
    }
    return 0;
}

int batchtab_free(struct batchtab *t, unsigned task, unsigned g, unsigned i, unsigned n)
{
    struct batch *b = &t->b[g];
    if (b->task != task || !(b->held & mask(i, n)))
        return 0;
    b->held &= ~mask(i, n);
    return b->held == 0;
}

void batchtab_drop(struct batchtab *t, unsigned g)
{
    t->b[g].held = 0;
}

int batchtab_pool_put(struct batchtab *t, unsigned g)
{
    struct batch *b = &t->b[g];
    unsigned n = 1u << b->log2;
    if (b->held || t->npool == BATCH_POOL_GROUPS || t->pooled + n > BATCH_POOL_MAX)
        return 0;
    for (unsigned i = 0; i < n; i++)
        if (!b->pfn[i])
            return 0;
    b->last = b->task;
    b->task = BATCH_POOL;
    t->pool[t->npool++] = (uint16_t)g;
    t->pooled += n;
    return 1;
}

int batchtab_pool_take(struct batchtab *t, unsigned task, unsigned log2, unsigned *last)
{
    for (unsigned k = t->npool; k-- > 0;) {
        struct batch *b = &t->b[t->pool[k]];
        if (b->log2 != log2)
            continue;
        unsigned g = t->pool[k];
        t->pool[k] = t->pool[--t->npool];
        t->pooled -= 1u << log2;
        *last = b->last;
        b->task = (uint16_t)task;
        batchtab_give(t, g);
        return (int)g;
    }
    return -1;
}

int batchtab_pool_pop(struct batchtab *t)
{
    if (!t->npool)
        return -1;
    unsigned g = t->pool[--t->npool];
    struct batch *b = &t->b[g];
    t->pooled -= 1u << b->log2;
    b->task = b->last;        /* any task but BATCH_POOL: settle frees it once returned */
    return (int)g;
}

static int loose(const struct batch *b, unsigned i)
{
    return b->pfn[i] && !((b->held >> i) & 1);
}

/* 1 if frames [s + half, s + 2 * half) are loose and continue s's pages. */
static int run_continues(const struct batch *b, unsigned s, unsigned half)
{
    for (unsigned j = half; j < 2 * half; j++)
        if (!loose(b, s + j) || b->pfn[s + j] != b->pfn[s] + j)
            return 0;
    return 1;
}

unsigned batchtab_next_run(const struct batchtab *t, unsigned g, unsigned *i, uint64_t *phys,
                           unsigned *log2)
{
    const struct batch *b = &t->b[g];
    unsigned n = 1u << b->log2, s = *i, len = 1;
    while (s < n && !loose(b, s))
        s++;
    if (s >= n)
        return 0;
    /* Double while the run stays aligned (slots and pages) and inside the group. */
    while (s % (2 * len) == 0 && s + 2 * len <= n && b->pfn[s] % (2 * len) == 0 &&
           run_continues(b, s, len))
        len *= 2;
    *i = s;
    *phys = (uint64_t)b->pfn[s] * SAS_PAGE_SIZE;
    *log2 = L4_FPAGE_MIN_LOG2 + (unsigned)__builtin_ctz(len);
    return len;
}

void batchtab_returned(struct batchtab *t, unsigned g, unsigned i, unsigned n)
{
    struct batch *b = &t->b[g];
    for (unsigned j = i; j < i + n; j++)
        b->pfn[j] = 0;
    t->frames -= n;
    batchtab_settle(t, g);
}

void batchtab_settle(struct batchtab *t, unsigned g)
{
    struct batch *b = &t->b[g];
    for (unsigned j = 0; j < (1u << b->log2); j++)
        if (b->pfn[j] || ((b->held >> j) & 1))
            return;
    b->task = 0;
}
