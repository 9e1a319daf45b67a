/*
 * space.c — the address-space calls, fuzzed: map and grant items in IPC, receive windows,
 * fpage_unmap and task_new (create and delete). Items and unmaps name this task's own
 * pages (its image, which holds the stacks and the scratch pages) as often as random or
 * malformed flexpages.
 *
 * Shaping, each for one reason, the rest is drawn freely:
 *  - fpage_unmap never takes away rights with L4_UNMAP_SELF over this task's image: that
 *    would pull the code and stacks from under the supervisor (as halting it would, see
 *    gen.c) and say nothing about the kernel. Without SELF, and with rights 0 (only the A/D
 *    bits), the image is fair game.
 *  - A well-formed receive window of this task lies in the landing zone: the rest of the
 *    image's own 2 MiB leaf page table. A window over the image would let a sibling's map
 *    item replace the supervisor's code; a window elsewhere would grow page tables that only
 *    this task's deletion returns, and the run ends by checking that the kernel pool is back
 *    where it started. Malformed windows are drawn anywhere.
 *  - Items of image pages never carry W (scratch pages do): a created task may run at any
 *    address its pager's replies filled, and must not scribble on the supervisor's data.
 */
#include "task.h"
#include <l4/irq.h>
#include <l4/layout.h>
#include <l4/utcb.h>

#define LEAF_SPAN  (1ULL << 21)
#define SCRATCH_PAGES 16u

extern char __executable_start[], _end[];
static char scratch[SCRATCH_PAGES * 4096] __attribute__((aligned(SCRATCH_PAGES * 4096)));

/* Tasks the workers created (0: free slot), so deletes and sends find live ones. */
volatile unsigned fuzz_tasks[FUZZ_TASK_SLOTS];
volatile l4_threadid_t fuzz_task_threads[FUZZ_TASK_SLOTS];

static uint64_t image_lo(void) { return (uint64_t)__executable_start & ~0xfffULL; }
static uint64_t image_hi(void) { return ((uint64_t)_end + 0xfff) & ~0xfffULL; }
static uint64_t zone_hi(void) { return (image_lo() & ~(LEAF_SPAN - 1)) + LEAF_SPAN; }

static int overlaps_image(l4_fpage_t f)
{
    uint64_t b = l4_fpage_base(f);
    return b < image_hi() && b + l4_fpage_size(f) > image_lo();
}

static int in_scratch(l4_fpage_t f)
{
    uint64_t b = l4_fpage_base(f);
    return b >= (uint64_t)scratch && b + l4_fpage_size(f) <= (uint64_t)scratch + sizeof(scratch);
}

/* A naturally aligned flexpage of 2^log2 bytes inside [lo, hi), or nil if none fits. */
static l4_fpage_t fpage_in(uint64_t *s, uint64_t lo, uint64_t hi, unsigned log2, unsigned rights)
{
    uint64_t size = 1ULL << log2, first = (lo + size - 1) & ~(size - 1);
    if (first + size > hi)
        return log2 > 12 ? fpage_in(s, lo, hi, 12, rights) : L4_FPAGE_NIL;
    uint64_t n = (hi - first) / size;
    return l4_fpage(first + rng_below(s, n) * size, log2, rights);
}

/* Flexpages a kernel gets wrong: wrong sizes, misaligned, bit 3, reserved bits, the top. */
static l4_fpage_t malformed(uint64_t *s)
{
    uint64_t b = image_lo();
    switch (rng_below(s, 7)) {
    case 0: return l4_fpage(b, (unsigned)rng_below(s, 12), 7);
    case 1: return l4_fpage(b, 48 + (unsigned)rng_below(s, 16), 7);
    case 2: return l4_fpage(b + 0x1000, 13 + (unsigned)rng_below(s, 10), 7);
    case 3: return l4_fpage(b, 12, 7) | L4_ITEM_GRANT | (rng_below(s, 2) ? 0x400 : 0);
    case 4: return l4_fpage(~0xfffULL, 12, 7);
    case 5: return l4_fpage(gen_addr(s), 12 + (unsigned)rng_below(s, 36), 7);
    default: return rng_next(s);
    }
}

l4_fpage_t gen_window(uint64_t *s)
{
    l4_fpage_t w;
    switch (rng_below(s, 6)) {
    case 0: return L4_FPAGE_NIL;
    case 1: w = malformed(s); break;
    default: w = fpage_in(s, image_hi(), zone_hi(), 12 + (unsigned)rng_below(s, 6), 0); break;
    }
    if (l4_fpage_valid(w & ~L4_FPAGE_RWX) &&
        (l4_fpage_base(w) < image_hi() || l4_fpage_base(w) + l4_fpage_size(w) > zone_hi()))
        return L4_FPAGE_NIL;                /* see the file comment */
    return w;
}

/* The flexpage word of a map or grant item. */
static l4_fpage_t item_fpage(uint64_t *s)
{
    unsigned r = (unsigned)rng_below(s, 8);
    switch (rng_below(s, 8)) {
    /* Ports and lines too: the task holds port 0x80 and line FUZZ_IRQ_LINE, not the rest. */
    case 6: return l4_iofpage(rng_below(s, 2) ? 0x80 : (unsigned)rng_below(s, 0x10000),
                              (unsigned)rng_below(s, 3));
    case 7: return l4_irqfpage(rng_below(s, 2) ? FUZZ_IRQ_LINE : (unsigned)rng_below(s, 30));
    case 0: return fpage_in(s, image_lo(), image_hi(), 12 + (unsigned)rng_below(s, 10), r & ~2u);
    case 1: return fpage_in(s, (uint64_t)scratch, (uint64_t)scratch + sizeof(scratch),
                            12 + (unsigned)rng_below(s, 5), r);
    case 2: return fpage_in(s, image_hi(), zone_hi(), 12 + (unsigned)rng_below(s, 6), r);
    case 3: return l4_fpage(image_lo() & ~(LEAF_SPAN - 1), 21 + (unsigned)rng_below(s, 4), r & ~2u);
    default: return malformed(s);
    }
}

/* Writes item pairs into words [u, u + t) of the message: registers or UTCB words. */
void gen_items(uint64_t *s, l4_msg_t *m, unsigned me, unsigned u, unsigned t)
{
    struct l4_utcb *utcb = (struct l4_utcb *)l4_utcb_addr(me);
    for (unsigned i = u; i < u + t && i < L4_MSG_MAX_WORDS; i++) {
        uint64_t w = (i - u) % 2 ? gen_word(s) : item_fpage(s);
        if ((i - u) % 2 == 0 && rng_below(s, 3) == 0)
            w |= L4_ITEM_GRANT;             /* image pages are roots: granted means mapped */
        if ((i - u) % 2 == 0 && overlaps_image(w & ~L4_ITEM_GRANT) && !in_scratch(w))
            w &= ~(uint64_t)L4_FPAGE_W;    /* see the file comment */
        if (i < L4_MSG_REG_WORDS)
            m->w[i] = w;
        else
            utcb->mr[i] = w;
    }
}

/* A created task's first thread now and then: the partner of a send that may carry items. */
l4_threadid_t gen_created_tid(uint64_t *s)
{
    return fuzz_task_threads[rng_below(s, FUZZ_TASK_SLOTS)];
}

static l4_fpage_t unmap_fpage(uint64_t *s)
{
    unsigned r = (unsigned)rng_below(s, 8);
    switch (rng_below(s, 6)) {
    case 0: return fpage_in(s, image_lo(), image_hi(), 12 + (unsigned)rng_below(s, 10), r);
    case 1: return fpage_in(s, image_hi(), zone_hi(), 12 + (unsigned)rng_below(s, 6), r);
    case 2: return l4_fpage(0, 12 + (unsigned)rng_below(s, 36), r);
    case 3: return l4_fpage(rng_next(s) & (L4_USER_END - 1), 12 + (unsigned)rng_below(s, 12), r);
    default: return malformed(s);
    }
}

static unsigned some_task(uint64_t *s)
{
    switch (rng_below(s, 4)) {
    case 0: return fuzz_tasks[rng_below(s, FUZZ_TASK_SLOTS)];
    case 1: return l4_tid_task(fuzz_ids[0]);
    case 2: return (unsigned)rng_below(s, 1100);
    default: return (unsigned)rng_next(s);
    }
}

void call_unmap(uint64_t *s, struct fuzz_worker *w)
{
    l4_fpage_t f = unmap_fpage(s);
    uint64_t flags = rng_below(s, 8) ? rng_below(s, 4) : rng_next(s);
    unsigned task = some_task(s);
    if ((flags & L4_UNMAP_SELF) && l4_fpage_rights(f) && overlaps_image(f))
        flags &= ~L4_UNMAP_SELF;           /* see the file comment */
    uint64_t covered = 0;
    count_call(w);
    uint64_t r = l4_fpage_unmap(f, flags, task, &covered);
    fuzz_outcome(L4_SYS_FPAGE_UNMAP, r);
    if (!l4_fpage_valid(f) || (flags & ~L4_UNMAP_FLAGS))
        fuzz_expect(L4_SYS_FPAGE_UNMAP, f, flags, r, L4_ERR_INVALID);
    else if (!(flags & L4_UNMAP_ONE_TASK))
        fuzz_expect(L4_SYS_FPAGE_UNMAP, f, flags, r, L4_OK);
    if (!r && covered > l4_fpage_size(f) / 4096)
        fuzz_violation(L4_SYS_FPAGE_UNMAP, f, covered, covered, l4_fpage_size(f) / 4096);
}

static void remember_task(uint64_t *s, l4_threadid_t first)
{
    unsigned i = (unsigned)rng_below(s, FUZZ_TASK_SLOTS);
    fuzz_tasks[i] = l4_tid_task(first);
    fuzz_task_threads[i] = first;
}

static void task_create(uint64_t *s, struct fuzz_worker *w)
{
    static const uint64_t nums[] = { L4_TASK_ANY, L4_TASK_ANY, L4_TASK_ANY, 1, 2, 3, 1023,
                                     1024, L4_MAX_TASKS - 1, L4_MAX_TASKS };
    uint64_t num = rng_below(s, 11) < 10 ? nums[rng_below(s, 10)] : gen_word(s) & ~L4_TASK_DELETE;
    uint64_t ip = gen_addr(s), sp = gen_addr(s);
    l4_threadid_t pager = rng_below(s, 2) ? gen_tid(s) : L4_NILTHREAD, first = 0;
    count_call(w);
    uint64_t r = l4_task_new(num, ip, sp, pager, (unsigned)rng_below(s, 300), gen_tid(s), &first);
    fuzz_outcome(L4_SYS_TASK_NEW, r);
    if ((num & ~(uint64_t)(L4_MAX_TASKS - 1)) || ip >= L4_USER_END || sp >= L4_USER_END)
        fuzz_expect(L4_SYS_TASK_NEW, num, ip, r, L4_ERR_INVALID);
    else if (num == l4_tid_task(fuzz_ids[0]))
        fuzz_expect(L4_SYS_TASK_NEW, num, ip, r, L4_ERR_PERMISSION);
    if (r == L4_OK)
        remember_task(s, first);
}

static void task_delete(uint64_t *s, struct fuzz_worker *w)
{
    unsigned i = (unsigned)rng_below(s, FUZZ_TASK_SLOTS);
    uint64_t num = rng_below(s, 4) ? fuzz_tasks[i] : some_task(s);
    count_call(w);
    uint64_t r = l4_raw_syscall(L4_SYS_TASK_NEW, num | L4_TASK_DELETE, 0, 0, 0, 0, 0);
    fuzz_outcome(L4_SYS_TASK_NEW, r);
    if ((num & ~L4_TASK_DELETE) >= L4_MAX_TASKS)
        fuzz_expect(L4_SYS_TASK_NEW, num, 1, r, L4_ERR_INVALID);
    else if (num == L4_TASK_ROOT || num == l4_tid_task(fuzz_ids[0]))
        fuzz_expect(L4_SYS_TASK_NEW, num, 1, r, L4_ERR_PERMISSION);
    if (r == L4_OK && fuzz_tasks[i] == num)
        fuzz_tasks[i] = 0;
}

void call_task_new(uint64_t *s, struct fuzz_worker *w)
{
    if (rng_below(s, 2))
        task_create(s, w);
    else
        task_delete(s, w);
}

/* End of run: every task the workers made goes, and so does every mapping derived from
 * this task's pages; the kernel pool must then be exactly where it was at the start. */
void space_cleanup(void)
{
    unsigned self = l4_tid_task(fuzz_ids[0]);
    for (unsigned n = L4_TASK_ROOT + 1; n < 1024; n++)
        if (n != self)
            l4_task_delete(n);
    /* 512 pages: one call, below L4_UNMAP_MAX_PAGES; without SELF only what was derived. */
    l4_fpage_unmap(l4_fpage(image_lo() & ~(LEAF_SPAN - 1), 21, L4_FPAGE_RWX), 0, 0, 0);
    for (uint64_t a = image_hi(); a < zone_hi(); a += 4096)
        l4_fpage_unmap(l4_fpage(a, 12, L4_FPAGE_RWX), L4_UNMAP_SELF, 0, 0);
}
