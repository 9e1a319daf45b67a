/*
 * mapper.c — the region mapper (the L4Re pattern). A fault of one of the task's threads
 * is looked up in the region table: anonymous memory gets a zeroed frame from root
 * (ROOT_ANON_MAP), mapped straight at the faulting address (this thread's receive window
 * is that page, and the task is ours); image pages are forwarded to root, which maps the
 * page of the program from the boot archive. Nothing else is mapped: a fault elsewhere is
 * the program's bug. Each anonymous frame's handle is kept per page of the slot (the array
 * lives in our bss and is paged lazily), so munmap can give it back; root takes back the
 * rest when the task ends. (sigma0 is outside our clan: root is the one to ask.)
 */
#include "systhread.h"
#include <sas/layout.h>
#include <sas/proto/root.h>

static uint32_t pfn[SAS_PROGRAM_SLOT / SAS_PAGE_SIZE];    /* root's handle + 1; 0: none */
static uint64_t held;

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

/* A zeroed frame from root at the anonymous page va, with the region's rights (a page's
 * rights are fixed once it has its frame: see mprotect); 0 or -1 (no memory). */
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

int mapper_fault(uint64_t va, unsigned access)
{
    va &= ~(SAS_PAGE_SIZE - 1);
    const struct region *r = region_find(&pt.regions, va);
    if (!r || !prot_allows(r->prot, access))
        return -1;
    if (r->kind == REGION_IMAGE)
        return image_page(va, access);
    if (r->kind == REGION_FILE)     /* past the end, or the disk failed: SIGBUS, as on Linux */
        return disk_map(va, r->off + (va - r->start)) ? MAPPER_BUS_ERROR : 0;
    return anon_populate(va, r->prot);
}

int mapper_user(uint64_t va, uint64_t len, unsigned access)
{
    if (!len)
        return 0;
    if (va + len < va)
        return -LX_EFAULT;
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

void mapper_release(uint64_t start, uint64_t end)
{
    for (uint64_t va = start; va < end; va += SAS_PAGE_SIZE) {
        uint32_t *slot = pfn_of(va);
        if (!slot || !*slot)
            continue;
        /* Root and sigma0 unmap the frame from us as they take it back. */
        l4_msg_t m = { { va, *slot - 1 } };
        if (!root_call(ROOT_ANON_FREE, &m, va))
            held--;
        *slot = 0;
    }
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
