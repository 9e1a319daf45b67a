/*
 * space.c — mappings with their database nodes: insert, remove recursively, map and grant
 * flexpages between tasks, unmap with accessed/dirty reporting, destroy a whole space.
 *
 * Rights live in the page-table entry (present = r, PTE_W = w, no PTE_NX = x); a derived
 * mapping never has more than its parent. Kernel-managed pages (KIP, UTCBs, at or above
 * L4_USER_RESERVED_BASE) have no nodes and are never touched here. Accessed/dirty bits
 * outlive their mapping: when one is removed (its task deleted, a map item over it) they
 * go to its parent's node (gone_ad), where the next fpage_unmap that visits the parent
 * reports and clears them; a mapping granted or mapped again keeps its own.
 */
#include <k/cpu.h>
#include <k/kip.h>
#include <k/lib.h>
#include <k/mem.h>
#include <k/space.h>
#include <k/irq.h>
#include <k/x86.h>
#include <l4/errors.h>

static struct kslab nodes = { .size = sizeof(struct mapnode) };

static struct mapnode **slot(uint64_t *pte) { return (struct mapnode **)((char *)pte + PAGE_SIZE); }

static uint64_t pte_flags(unsigned rights)
{
    return PTE_P | PTE_U | (rights & L4_FPAGE_W ? PTE_W : 0) | (rights & L4_FPAGE_X ? 0 : PTE_NX);
}

static unsigned pte_rights(uint64_t pte)
{
    if (!(pte & PTE_P))
        return 0;
    return L4_FPAGE_R | (pte & PTE_W ? L4_FPAGE_W : 0) | (pte & PTE_NX ? 0 : L4_FPAGE_X);
}

/* A page-table entry's accessed and dirty bits as fpage_unmap reports them: 1 A, 2 D. */
static unsigned pte_ad(uint64_t pte)
{
    _Static_assert(PTE_A == 1ULL << 5 && PTE_D == 1ULL << 6, "A and D: bits 5 and 6");
    return (unsigned)(pte >> 5) & 3;
}

static void flush(struct task *t, uint64_t va)
{
    struct tcb *cur = current();
    if (cur && cur->task == t)
        invlpg(va);
}

static uint64_t *pte_of(struct mapnode *n) { return pt_walk(n->task->pml4, n->va, 0); }

/* space_insert, with va's entry already found (pte) when the caller walked to it. */
static int insert_at(struct task *t, uint64_t va, uint64_t *pte, uint64_t pa, unsigned rights,
                     struct mapnode *parent)
{
    struct mapnode *n = kslab_alloc_for(&nodes, t);
    if (!n)
        return -1;
    if (!pte && !(pte = pt_walk(t->pml4, va, t))) {
        kslab_free_for(&nodes, t, n);
        return -1;
    }
    *pte = (pa & PTE_ADDR) | pte_flags(rights);
    *slot(pte) = n;
    n->task = t;
    n->va = va;
    mapdb_link(parent, n);
    flush(t, va);
    return 0;
}

int space_insert(struct task *t, uint64_t va, uint64_t pa, unsigned rights, struct mapnode *parent)
{
    return insert_at(t, va, NULL, pa, rights, parent);
}

/* Removes a mapping with nothing derived from it. Its A/D bits, with those it kept for
 * mappings removed below it, stay with its parent until an fpage_unmap reports them. */
static void remove_one(struct mapnode *n)
{
    uint64_t *pte = pte_of(n);
    unsigned ad = pte_ad(*pte) | n->gone_ad;
    if (ad && n->parent)
        n->parent->gone_ad |= ad;
    *pte = 0;
    *slot(pte) = NULL;
    flush(n->task, n->va);
    mapdb_unlink(n);
    kslab_free_for(&nodes, n->task, n);
}

/* Removes n and everything derived from it, leaves first (no recursion on the stack). */
void space_remove_tree(struct mapnode *n)
{
    struct mapnode *cur = n;
    for (;;) {
        while (cur->child)
            cur = cur->child;
        struct mapnode *up = cur->parent;
        int last = cur == n;
        remove_one(cur);
        if (last)
            return;
        cur = up;
    }
}

/* Clears `rights` (w and/or x, never r) in n's subtree, starting at first. */
static void restrict_tree(struct mapnode *root, struct mapnode *first, unsigned rights)
{
    for (struct mapnode *m = first; m; m = mapdb_next(m, root)) {
        uint64_t *pte = pte_of(m);
        if (rights & L4_FPAGE_W)
            *pte &= ~PTE_W;
        if (rights & L4_FPAGE_X)
            *pte |= PTE_NX;
        flush(m->task, m->va);
    }
}

/* ORs the accessed/dirty bits of n's subtree, with those kept for mappings removed from
 * it, into *ad (bit 0 A, bit 1 D), clearing them. */
static void gather_ad(struct mapnode *root, unsigned *ad)
{
    for (struct mapnode *m = root; m; m = mapdb_next(m, root)) {
        uint64_t *pte = pte_of(m);
        *ad |= pte_ad(*pte);
        if (m->gone_ad) {
            *ad |= m->gone_ad;
            m->gone_ad = 0;
        }
        if (*pte & (PTE_A | PTE_D)) {
            *pte &= ~(PTE_A | PTE_D);
            flush(m->task, m->va);
        }
    }
}

/* Applies an unmap to the subtree below (and, with self, including) node n. */
static void unmap_node(struct mapnode *n, unsigned rights, int self)
{
    if (rights & L4_FPAGE_R) {
        if (self) {
            space_remove_tree(n);
            return;
        }
        while (n->child)
            space_remove_tree(n->child);
        return;
    }
    restrict_tree(n, self ? n : n->child, rights);
}

/* Applies the unmap only to the parts of n's subtree held by task `only`. */
static void unmap_in_task(struct mapnode *n, unsigned rights, struct task *only)
{
    struct mapnode *m = n->child;
    while (m) {
        if (m->task != only) {
            m = mapdb_next(m, n);
            continue;
        }
        struct mapnode *after = m;         /* the walk resumes past m's subtree */
        while (after != n && !after->next)
            after = after->parent;
        after = after == n ? NULL : after->next;
        unmap_node(m, rights, 1);
        m = after;
    }
}

static int in_sigma0_window(const struct task *t, uint64_t va);

/* The part of [base, end) an unmap may touch: the mappable user half, and for sigma0 its
 * window too (so it can take back what it handed out). */
static uint64_t unmap_limit(const struct task *t, uint64_t base, uint64_t end)
{
    uint64_t limit = in_sigma0_window(t, base) ? L4_SIGMA0_PHYS_BASE + L4_SIGMA0_PHYS_SIZE
                                               : L4_USER_RESERVED_BASE;
    return end < limit ? end : limit;
}

/*
 * fpage_unmap over [base, base + size): visits present pages in order, at most
 * L4_UNMAP_MAX_PAGES pages' worth of the range (then skips on to the next present page),
 * and records each visited page's A/D bits in adbits relative to base.
 */
unsigned space_unmap(struct task *t, l4_fpage_t f, uint64_t flags, struct task *only,
                     uint64_t *covered, uint64_t *adbits)
{
    uint64_t base = l4_fpage_base(f), end = unmap_limit(t, base, base + l4_fpage_size(f));
    uint64_t window_end = base + (uint64_t)L4_UNMAP_MAX_PAGES * PAGE_SIZE;
    if (base >= end) {                      /* nothing mappable: all of it is covered */
        *covered = l4_fpage_size(f) / PAGE_SIZE;
        return 0;
    }
    unsigned rights = l4_fpage_rights(f);
    uint64_t va = base;
    int more = 0;                           /* stopped early: mapped pages remain */
    while (va < end) {
        uint64_t *pte = pt_next_present(t->pml4, &va, end);
        if (!pte)
            break;
        if (va >= window_end) {
            more = 1;
            break;
        }
        struct mapnode *n = *slot(pte);
        if (n) {
            unsigned ad = 0, page = (unsigned)((va - base) / PAGE_SIZE);
            gather_ad(n, &ad);
            adbits[page / 32] |= (uint64_t)ad << ((page % 32) * 2);
            if (only)
                unmap_in_task(n, rights, only);
            else if (rights)
                unmap_node(n, rights, (flags & L4_UNMAP_SELF) != 0);
        }
        va += PAGE_SIZE;
    }
    *covered = ((more ? va : base + l4_fpage_size(f)) - base) / PAGE_SIZE;
    return 0;
}

/* Sigma0 sees physical memory at L4_SIGMA0_PHYS_BASE: every page but the kernel's own
 * and the local APIC's, below the top of RAM or 4 GiB, whichever is higher. */
static int sigma0_phys_ok(uint64_t pa)
{
    uint64_t top = 0;
    for (uint32_t i = 0; i < kip->mem_count; i++) {
        const struct l4_kip_mem *m = &kip->mem[i];
        if (m->type == L4_MEM_KERNEL && pa >= m->base && pa < m->base + m->size)
            return 0;
        if (m->type == L4_MEM_FREE)
            top = MAX(top, m->base + m->size);
    }
    return pa < MAX(top, 1ULL << 32) && ALIGN_DOWN(pa, PAGE_SIZE) != 0xfee00000ULL;
}

static int in_sigma0_window(const struct task *t, uint64_t va)
{
    return t->num == L4_TASK_SIGMA0 && va >= L4_SIGMA0_PHYS_BASE &&
           va - L4_SIGMA0_PHYS_BASE < L4_SIGMA0_PHYS_SIZE;
}

/* Makes sigma0's window page at va present (a root mapping), if it may exist. */
int sigma0_window_fault(struct task *t, uint64_t va)
{
    va = ALIGN_DOWN(va, PAGE_SIZE);
    if (!in_sigma0_window(t, va) || !sigma0_phys_ok(va - L4_SIGMA0_PHYS_BASE))
        return 0;
    uint64_t *pte = pt_walk(t->pml4, va, 0);
    if (pte && (*pte & PTE_P))
        return 1;
    return space_insert(t, va, va - L4_SIGMA0_PHYS_BASE, L4_FPAGE_RWX, NULL) == 0;
}

/* Maps (or grants) the sender's page at sva, with `rights`, to dva in dst. */
static int map_one(struct task *src, uint64_t sva, uint64_t *spte, struct task *dst,
                   uint64_t dva, unsigned rights, int grant)
{
    struct mapnode *sn = *slot(spte);
    uint64_t pa = *spte & PTE_ADDR;
    if (!sn || (src == dst && sva == dva))
        return 0;
    uint64_t *dpte = pt_walk(dst->pml4, dva, 0);
    if (dpte && (*dpte & PTE_P)) {
        struct mapnode *dn = *slot(dpte);
        if (!dn || mapdb_is_ancestor(dn, sn))
            return 0;                       /* never overwrite one's own source */
        if ((*dpte & PTE_ADDR) == pa && dn->parent == sn) {
            unsigned lost = pte_rights(*dpte) & ~rights;
            *dpte = pa | pte_flags(rights) | (*dpte & (PTE_A | PTE_D));  /* again: new rights */
            flush(dst, dva);
            if (lost & (L4_FPAGE_W | L4_FPAGE_X))
                restrict_tree(dn, dn->child, lost);   /* nothing derived keeps more */
            return 0;
        }
        space_remove_tree(dn);
    }
    if (!grant || !sn->parent)              /* a root (image, sigma0) is mapped, not moved */
        return insert_at(dst, dva, dpte, pa, rights, sn);   /* the walk done above */
    /* The node moves: so does its charge, unless both tasks pay into one quota (always
     * within a task), where charging first would ask for room the grant never uses. */
    int recharge = src->kmem_payer != dst->kmem_payer;
    if (recharge && kmem_charge(dst, nodes.size))
        return -1;
    uint64_t *np = dpte ? dpte : pt_walk(dst->pml4, dva, dst);   /* the walk done above */
    if (!np) {
        if (recharge)
            kmem_uncharge(dst, nodes.size);
        return -1;
    }
    if (recharge)
        kmem_uncharge(src, nodes.size);
    unsigned lost = pte_rights(*spte) & ~rights;
    uint64_t ad = *spte & (PTE_A | PTE_D);  /* the mapping moves with its bits */
    *spte = 0;
    *slot(spte) = NULL;
    flush(src, sva);
    *np = pa | pte_flags(rights) | ad;
    *slot(np) = sn;
    sn->task = dst;
    sn->va = dva;
    flush(dst, dva);
    if (lost & (L4_FPAGE_W | L4_FPAGE_X))
        restrict_tree(sn, sn->child, lost);
    return 0;
}

/* Where a send flexpage and a receive window meet (the L4 rule): returns the length and
 * the source and destination bases. */
static uint64_t placement(l4_fpage_t f, uint64_t hot, l4_fpage_t w, uint64_t *src, uint64_t *dst)
{
    unsigned s = l4_fpage_log2(f), r = l4_fpage_log2(w);
    if (s <= r) {
        *src = l4_fpage_base(f);
        *dst = l4_fpage_base(w) + ((hot & ((1ULL << r) - 1)) & ~((1ULL << s) - 1));
        return 1ULL << s;
    }
    *src = l4_fpage_base(f) + ((hot & ((1ULL << s) - 1)) & ~((1ULL << r) - 1));
    *dst = l4_fpage_base(w);
    return 1ULL << r;
}

unsigned space_map_item(struct task *src, struct task *dst, l4_fpage_t f, uint64_t hot,
                        l4_fpage_t window, int grant)
{
    if (l4_fpage_is_io(f))
        return io_grant(src, dst, f);
    if (l4_fpage_is_irq(f))
        return irq_grant(src, dst, f);
    if (!l4_fpage_valid(f) || !l4_fpage_valid(window & ~L4_FPAGE_RWX))
        return L4_ERR_MAP_FAILED;
    uint64_t sbase, dbase, len = placement(f, hot, window, &sbase, &dbase);
    if (in_sigma0_window(src, sbase))       /* make the window's pages real first */
        for (uint64_t off = 0; off < len && off < (1ULL << 32); off += PAGE_SIZE)
            sigma0_window_fault(src, sbase + off);
    uint64_t va = sbase, *spte;
    while ((spte = pt_next_present(src->pml4, &va, sbase + len))) {
        uint64_t dva = dbase + (va - sbase);
        unsigned rights = l4_fpage_rights(f) & pte_rights(*spte);
        if (dva < L4_USER_RESERVED_BASE && rights &&
            map_one(src, va, spte, dst, dva, rights, grant))
            return L4_ERR_MAP_FAILED;       /* out of kernel memory */
        va += PAGE_SIZE;
    }
    return L4_OK;
}

/* Removes every mapping of t (and all derived from them), for task deletion. */
void space_destroy(struct task *t)
{
    uint64_t va = 0, *pte;
    while ((pte = pt_next_present(t->pml4, &va, L4_USER_RESERVED_BASE))) {
        if (*slot(pte))
            space_remove_tree(*slot(pte));
        va += PAGE_SIZE;
    }
}
