/*
 * mapper.c — the region mapper (the L4Re pattern). A fault of one of the task's threads
 * is looked up in the region table. Anonymous memory takes the next frame of the batch
 * root mapped into the task's batch window (ROOT_FRAMES_BATCH, sas/layout.h): it is
 * granted from its window slot straight to the faulting address by the fault's reply, so
 * a fault costs one round trip and the slot is left empty for the next batch (a map would
 * chain the page under the slot, and the next batch would tear it down). The frames come
 * zeroed (by sigma0 if fresh, else by root). Batches grow from 8 frames to 64 as the
 * program keeps faulting. The system thread's own accesses (mapper_user) have no reply to carry an item,
 * so root maps a frame straight at the address for them (ROOT_ANON_MAP). Image pages are
 * forwarded to root, which maps the page of the program from the boot archive. Nothing
 * else is mapped here: a fault in the object region goes to objmgr (objects.c), which maps
 * its own frame straight into the task (never recorded here, so never freed nor unmapped
 * by us), and a fault elsewhere is the program's bug. Each anonymous frame's handle is
 * kept per page of the slot (the array lives in our bss and is paged lazily), so munmap
 * gives the frames back by handle, in runs (ROOT_FRAMES_FREE); root takes back the rest,
 * the unused part of the batch included, when the task ends. (sigma0 is outside our clan:
 * root is the one to ask.)
 */
#include "systhread.h"
#include <sas/layout.h>
#include <sas/proto/root.h>

#define BATCH_FIRST_LOG2 3u       /* a program that touches a few pages holds a few frames */

static uint32_t pfn[SAS_PROGRAM_SLOT / SAS_PAGE_SIZE];    /* root's handle + 1; 0: none */
static uint64_t held;
static struct {
    uint32_t first;               /* root's handle of the window's first frame */
    unsigned next, count;         /* the next frame to grant; frames in the batch */
    unsigned log2;                /* the size of the next batch */
} batch = { 0, 0, 0, BATCH_FIRST_LOG2 };

static uint32_t *pfn_of(uint64_t va)
{
    uint64_t i = (va - pt.base) / SAS_PAGE_SIZE;
    return va >= pt.base && i < sizeof(pfn) / sizeof(pfn[0]) ? &pfn[i] : 0;
}

/* One call to root with a receive window on the page va; root's reply label. */
static enum sas_error root_call(uint32_t label, l4_msg_t *m, uint64_t va)
{
    struct l4_utcb *u = l4_utcb();
    u->rcv_window = l4_fpage(va, 12, L4_FPAGE_RWX);
    uint64_t res = l4_call(pt.root, l4_msgtag(label, 2, 0), m, L4_TIMEOUT_NEVER,
                           L4_TIMEOUT_NEVER);
    u->rcv_window = L4_FPAGE_NIL;
    return l4_ipc_error(res) ? SAS_EIO : (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
}

/* Root's batch of 2^log2 frames in the window; its answer. */
static enum sas_error batch_fetch(unsigned log2)
{
    l4_fpage_t window = l4_fpage(SAS_FRAME_BATCH_ADDR, 12 + log2, L4_FPAGE_RWX);
    return root_frames_batch(pt.root, window, &batch.first);
}

/* A new batch in the window, a smaller one if root is short of frames; 0 or -1. */
static int batch_refill(void)
{
    unsigned log2 = batch.log2;
    enum sas_error e;
    while ((e = batch_fetch(log2)) == SAS_ENOMEM && log2 > 0)
        log2--;
    if (e)
        return -1;
    batch.next = 0;
    batch.count = 1u << log2;
    if (batch.log2 < SAS_FRAME_BATCH_LOG2)
        batch.log2++;
    return 0;
}

/* The program's fault on the anonymous page va: the batch's next frame as a grant item
 * to va with the region's rights, in *reply; the item's word count (2, or 0 if the page
 * has its frame already), or -1 (no memory). */
static int anon_grant(uint64_t va, unsigned rights, l4_msg_t *reply)
{
    uint32_t *slot = pfn_of(va);
    if (!slot)
        return -1;
    if (*slot)
        return 0;
    if (batch.next == batch.count && batch_refill())
        return -1;
    unsigned i = batch.next++;
    *slot = batch.first + i + 1;
    held++;
    reply->w[0] = l4_fpage(SAS_FRAME_BATCH_ADDR + i * SAS_PAGE_SIZE, 12, rights) | L4_ITEM_GRANT;
    reply->w[1] = va;
    return 2;
}

/* A zeroed frame from root at the anonymous page va, for the system thread itself, with
 * the region's rights (a page's rights are fixed once it has its frame: see mprotect);
 * 0 or -1 (no memory). */
static int anon_populate(uint64_t va, unsigned prot)
{
    uint32_t *slot = pfn_of(va);
    if (!slot)
        return -1;
    if (*slot)
        return 0;
    l4_msg_t m = { { va, prot_to_rights(prot) } };
    if (root_call(ROOT_ANON_MAP, &m, va))
        return -1;
    *slot = (uint32_t)m.w[0] + 1;
    held++;
    return 0;
}

/* Asks root for the image page at va, mapped at va (our window). 0 or -1. */
static int image_page(uint64_t va, unsigned access)
{
    l4_msg_t m = { { va, 0 } };
    return root_call(L4_LABEL_PAGEFAULT | access, &m, va) == SAS_EIO ? -1 : 0;
}

/* The region holding va, or NULL. Faults come in runs through one region: the one the
 * last fault found is tried first (regions are disjoint, so if it holds va it is the
 * one, however the table changed since). */
static const struct region *fault_region(uint64_t va)
{
    static unsigned last;
    const struct region_table *t = &pt.regions;
    if (last < t->n && t->r[last].start <= va && va < t->r[last].end)
        return &t->r[last];
    const struct region *r = region_find(t, va);
    if (r)
        last = (unsigned)(r - t->r);
    return r;
}

int mapper_fault(uint64_t va, unsigned access, l4_msg_t *reply)
{
    va &= ~(SAS_PAGE_SIZE - 1);
    if (object_region(va))        /* objmgr maps it, or says why not: no item of ours */
        return object_fault(va, access) ? MAPPER_OBJECT : 0;
    const struct region *r = fault_region(va);
    unsigned rights = r ? prot_to_rights(r->prot) : 0;    /* prot_allows, said once */
    if (!rights || (access & ~rights))
        return -1;
    if (r->kind == REGION_IMAGE)
        return image_page(va, access);
    if (r->kind == REGION_FILE)     /* past the end, or the disk failed: SIGBUS, as on Linux */
        return disk_map(va, r->off + (va - r->start)) ? MAPPER_BUS_ERROR : 0;
    return anon_grant(va, rights, reply);
}

int mapper_user(uint64_t va, uint64_t len, unsigned access)
{
    if (!len)
        return 0;
    if (va + len < va)
        return -LX_EFAULT;
    if (object_region(va))        /* objects are objmgr's, page by page (objects.c) */
        return object_user(va, len, access);
    for (uint64_t p = va & ~(SAS_PAGE_SIZE - 1); p < va + len; p += SAS_PAGE_SIZE) {
        const struct region *r = region_find(&pt.regions, p);
        if (!r || !prot_allows(r->prot, access))
            return -LX_EFAULT;
        if (r->kind == REGION_ANON && anon_populate(p, r->prot))
            return -LX_EFAULT;
        /* A file page may have been taken back by the cache: ask for it again. */
        if (r->kind == REGION_FILE && disk_map(p, r->off + (p - r->start)))
            return -LX_EFAULT;
        /* An image page: reading it is enough, root pages it in for our own fault (and
         * only then: asking root each time would cost an IPC per page per call). */
        if (r->kind == REGION_IMAGE)
            (void)*(volatile const uint8_t *)p;
    }
    return 0;
}

/* Sends the n runs gathered in runs[] back to root. */
static void release_runs(const uint64_t *runs, unsigned n)
{
    enum sas_error e = root_frames_free(pt.root, runs, n);
    if (e)         /* a handle we did not hold: our records are wrong; root kept them all */
        printf("posix: task %u: root refused frames back: %s\n", pt.task, sas_strerror(e));
}

void mapper_release(uint64_t start, uint64_t end)
{
    uint64_t runs[ROOT_FRAMES_FREE_MAX];
    unsigned n = 0;
    uint32_t first = 0, count = 0;
    uint32_t *slot = pfn_of(start), *stop = pfn_of(end - SAS_PAGE_SIZE);
    if (start >= end || !slot || !stop)
        return;
    for (; slot <= stop; slot++) {
        if (!*slot)
            continue;
        uint32_t h = *slot - 1;
        *slot = 0;
        held--;
        if (count && h == first + count) {     /* faults in order: handles in order */
            count++;
            continue;
        }
        if (count)
            runs[n++] = root_frames_run(first, count);
        if (n == ROOT_FRAMES_FREE_MAX) {
            release_runs(runs, n);
            n = 0;
        }
        first = h, count = 1;
    }
    if (count)
        runs[n++] = root_frames_run(first, count);
    if (n)
        release_runs(runs, n);
}

void mapper_unmap(uint64_t start, uint64_t end)
{
    for (uint64_t va = start; va < end;) {
        unsigned s = 12;
        while (s < 23 && !(va & ((2ULL << s) - 1)) && va + (2ULL << s) <= end)
            s++;
        l4_fpage_unmap(l4_fpage(va, s, L4_FPAGE_RWX), L4_UNMAP_SELF, 0, 0);
        va += 1ULL << s;
    }
}

int mapper_populated(uint64_t start, uint64_t end)
{
    for (uint64_t va = start; va < end; va += SAS_PAGE_SIZE) {
        uint32_t *slot = pfn_of(va);
        if (slot && *slot)
            return 1;
    }
    return 0;
}

uint64_t mapper_pages(void) { return held; }
