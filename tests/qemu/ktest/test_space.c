/* test_space.c — address spaces built from user level: task_new, map, grant, recursive
 * unmap, accessed/dirty bits (also of mappings that went), pagers, exception handlers,
 * deleting a task (who waited on its threads, and what it costs), and getting everything
 * back. */
#include "space.h"

static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_ro[512] __attribute__((aligned(4096)));
#define FAR_WINDOW 0x0000200000000000ULL      /* far from anything root has mapped */

static int child_reads(l4_threadid_t c, uint64_t addr, uint64_t *v)
{
    return child_cmd(c, CMD_READ, addr, 0, 0, 300000, v) == L4_OK;
}

KTEST("space", "a_child_task_runs_on_pages_its_pager_maps", sp_child_runs)
{
    l4_threadid_t pager = pager_start();
    l4_threadid_t c = child_start(0, pager, L4_NILTHREAD);
    KT_ASSERT(!l4_tid_is_nil(c));
    KT_ASSERT(l4_tid_task(c) > L4_TASK_ROOT);
    page_a[7] = 0x1234;
    uint64_t v = 0;
    KT_ASSERT(child_reads(c, (uint64_t)&page_a[7], &v));
    KT_EQ(v, 0x1234);
    KT_EQ(child_cmd(c, CMD_WRITE, (uint64_t)&page_a[8], 0x777, 0, 300000, 0), L4_OK);
    KT_EQ(page_a[8], 0x777);                    /* the same frame: shared at once */
    KT_ASSERT(pf_count >= 3);                   /* code, stack, data came by faults */
    child_delete(c);
    return 0;
}

KTEST("space", "unmap_revokes_recursively_across_three_tasks", sp_recursive_unmap)
{
    l4_threadid_t pager = pager_start();
    l4_threadid_t b = child_start(0, pager, L4_NILTHREAD);
    l4_threadid_t c = child_start(1, pager, L4_NILTHREAD);
    uint64_t pa = (uint64_t)page_a, v;
    page_a[0] = 42;
    KT_ASSERT(child_reads(b, pa, &v));          /* B holds page_a (from root) */
    /* B maps it on to C at FAR_WINDOW. */
    l4_msg_t m = { { CMD_RECV_MAP, l4_fpage(FAR_WINDOW, 12, 0), b } };
    KT_EQ(l4_ipc_error(l4_send(c, l4_msgtag(0, 4, 0), &m, L4_TIMEOUT_NEVER)), L4_OK);
    uint64_t r = 99;
    KT_EQ(child_cmd(b, CMD_MAP_TO, l4_fpage(pa, 12, L4_FPAGE_RW), pa, c, 300000, &r), L4_OK);
    KT_EQ(r, L4_OK);
    l4_threadid_t f = c;
    KT_EQ(l4_ipc_error(l4_receive(&f, &m, l4_timeout_from_us(300000))), L4_OK);
    KT_EQ(m.w[0], L4_OK);                       /* C's receive took the mapping */
    KT_ASSERT(child_reads(c, FAR_WINDOW, &v));
    KT_EQ(v, 42);
    /* Root revokes its page from everyone it reached: C loses it too. */
    KT_EQ(l4_fpage_unmap(l4_fpage(pa, 12, L4_FPAGE_RWX), 0, 0, 0), L4_OK);
    pf_deny_lo = FAR_WINDOW;
    pf_deny_hi = FAR_WINDOW + 0x1000;
    KT_ASSERT(!child_reads(c, FAR_WINDOW, &v));   /* faults and finds no mapping */
    KT_EQ(pf_last_addr, FAR_WINDOW);
    KT_EQ(page_a[0], 42);                       /* root's own mapping stays */
    child_delete(b);
    child_delete(c);
    return 0;
}

KTEST("space", "unmap_limited_to_one_task_spares_the_others", sp_unmap_one_task)
{
    l4_threadid_t pager = pager_start();
    l4_threadid_t b = child_start(0, pager, L4_NILTHREAD);
    l4_threadid_t c = child_start(1, pager, L4_NILTHREAD);
    uint64_t pa = (uint64_t)page_a, v;
    page_a[1] = 5;
    KT_ASSERT(child_reads(b, pa + 8, &v) && child_reads(c, pa + 8, &v));
    uint64_t before = pf_count;
    KT_EQ(l4_fpage_unmap(l4_fpage(pa, 12, L4_FPAGE_RWX), L4_UNMAP_ONE_TASK, l4_tid_task(b), 0), L4_OK);
    KT_ASSERT(child_reads(c, pa + 8, &v));      /* C kept it: no new fault */
    KT_EQ(pf_count, before);
    KT_ASSERT(child_reads(b, pa + 8, &v));      /* B faulted it in again */
    KT_EQ(pf_count, before + 1);
    KT_EQ(pf_last_addr, pa + 8);
    child_delete(b);
    child_delete(c);
    return 0;
}

KTEST("space", "grant_moves_the_mapping", sp_grant)
{
    l4_threadid_t pager = pager_start();
    l4_threadid_t b = child_start(0, pager, L4_NILTHREAD);
    l4_threadid_t c = child_start(1, pager, L4_NILTHREAD);
    uint64_t pa = (uint64_t)page_a, v;
    page_a[2] = 77;
    KT_ASSERT(child_reads(b, pa + 16, &v));
    l4_msg_t m = { { CMD_RECV_MAP, l4_fpage(FAR_WINDOW, 12, 0), b } };
    KT_EQ(l4_ipc_error(l4_send(c, l4_msgtag(0, 4, 0), &m, L4_TIMEOUT_NEVER)), L4_OK);
    uint64_t r;
    KT_EQ(child_cmd(b, CMD_MAP_TO, l4_fpage(pa, 12, L4_FPAGE_RW) | L4_ITEM_GRANT, pa, c, 300000, &r), L4_OK);
    KT_EQ(r, L4_OK);
    l4_threadid_t f = c;
    KT_EQ(l4_ipc_error(l4_receive(&f, &m, l4_timeout_from_us(300000))), L4_OK);
    KT_ASSERT(child_reads(c, FAR_WINDOW + 16, &v));
    KT_EQ(v, 77);
    uint64_t before = pf_count;
    KT_ASSERT(child_reads(b, pa + 16, &v));     /* B no longer has it: a fault */
    KT_EQ(pf_count, before + 1);
    KT_EQ(pf_last_addr, pa + 16);
    child_delete(b);
    child_delete(c);
    return 0;
}

/* Root gives B a read-only mapping; B passes it to C asking for read-write: C gets
 * read-only too, and both writes fault with write access. */
KTEST("space", "rights_only_shrink", sp_rights_shrink)
{
    l4_threadid_t pager = pager_start();
    l4_threadid_t b = child_start(0, pager, L4_NILTHREAD);
    l4_threadid_t c = child_start(1, pager, L4_NILTHREAD);
    uint64_t pa = (uint64_t)page_ro, v, r;
    const uint64_t wb = FAR_WINDOW, wc = FAR_WINDOW + 0x100000;
    page_ro[0] = 31;
    l4_msg_t m = { { CMD_RECV_MAP, l4_fpage(wb, 12, 0), kt_main } };
    KT_EQ(l4_ipc_error(l4_send(b, l4_msgtag(0, 4, 0), &m, L4_TIMEOUT_NEVER)), L4_OK);
    m = (l4_msg_t){ { l4_fpage(pa, 12, L4_FPAGE_R), pa } };
    KT_EQ(l4_ipc_error(l4_send(b, l4_msgtag(0, 0, 2), &m, l4_timeout_from_us(300000))), L4_OK);
    l4_threadid_t f = b;
    KT_EQ(l4_ipc_error(l4_receive(&f, &m, l4_timeout_from_us(300000))), L4_OK);
    KT_ASSERT(child_reads(b, wb, &v));
    KT_EQ(v, 31);
    m = (l4_msg_t){ { CMD_RECV_MAP, l4_fpage(wc, 12, 0), b } };
    KT_EQ(l4_ipc_error(l4_send(c, l4_msgtag(0, 4, 0), &m, L4_TIMEOUT_NEVER)), L4_OK);
    KT_EQ(child_cmd(b, CMD_MAP_TO, l4_fpage(wb, 12, L4_FPAGE_RWX), wb, c, 300000, &r), L4_OK);
    KT_EQ(r, L4_OK);
    f = c;
    KT_EQ(l4_ipc_error(l4_receive(&f, &m, l4_timeout_from_us(300000))), L4_OK);
    KT_ASSERT(child_reads(c, wc, &v));
    KT_EQ(v, 31);
    pf_deny_lo = FAR_WINDOW;
    pf_deny_hi = FAR_WINDOW + 0x200000;
    KT_ASSERT(child_cmd(c, CMD_WRITE, wc, 1, 0, 200000, 0) != L4_OK);
    KT_EQ(pf_last_addr, wc);
    KT_EQ(pf_last_access, L4_FPAGE_W);
    KT_ASSERT(child_cmd(b, CMD_WRITE, wb, 1, 0, 200000, 0) != L4_OK);
    KT_EQ(pf_last_addr, wb);
    KT_EQ(pf_last_access, L4_FPAGE_W);
    KT_EQ(page_ro[0], 31);
    child_delete(b);
    child_delete(c);
    return 0;
}

/* ---- accessed and dirty bits ---- */

static uint64_t ad_words(l4_threadid_t c, uint64_t fpage, uint64_t *covered, uint64_t w[3])
{
    l4_msg_t m = { { CMD_UNMAP, fpage, 0, 0 } };
    uint64_t r = l4_call(c, l4_msgtag(0, 4, 0), &m, l4_timeout_from_us(300000), l4_timeout_from_us(300000));
    *covered = m.w[0];
    w[0] = m.w[1]; w[1] = m.w[2]; w[2] = m.w[3];
    return l4_ipc_error(r);
}

KTEST("space", "dirty_bits_report_reset_and_report_again", sp_dirty)
{
    l4_threadid_t pager = pager_start();
    l4_threadid_t b = child_start(0, pager, L4_NILTHREAD);
    uint64_t pa = (uint64_t)page_a, v;
    KT_ASSERT(child_reads(b, pa, &v));
    KT_EQ(child_cmd(b, CMD_WRITE, pa + 24, 9, 0, 300000, 0), L4_OK);
    /* Root asks about its page: B's write shows through the mapping tree. */
    uint64_t covered = 0, *bits = l4_utcb()->mr;
    KT_EQ(l4_fpage_unmap(l4_fpage(pa, 12, 0), 0, 0, &covered), L4_OK);
    KT_EQ(covered, 1);
    KT_ASSERT(l4_unmap_dirty(bits, 0) && l4_unmap_accessed(bits, 0));
    KT_EQ(l4_fpage_unmap(l4_fpage(pa, 12, 0), 0, 0, &covered), L4_OK);
    KT_ASSERT(!l4_unmap_dirty(bits, 0));        /* reset by the first call */
    KT_ASSERT(child_reads(b, pa, &v));          /* a read: accessed, not dirty */
    KT_EQ(l4_fpage_unmap(l4_fpage(pa, 12, 0), 0, 0, &covered), L4_OK);
    KT_ASSERT(l4_unmap_accessed(bits, 0) && !l4_unmap_dirty(bits, 0));
    KT_EQ(child_cmd(b, CMD_WRITE, pa + 24, 10, 0, 300000, 0), L4_OK);
    KT_EQ(l4_fpage_unmap(l4_fpage(pa, 12, 0), 0, 0, &covered), L4_OK);
    KT_ASSERT(l4_unmap_dirty(bits, 0));         /* the TLB was flushed: seen again */
    child_delete(b);
    return 0;
}

/* B holds two pages 9 MiB apart in a 16 MiB region: one call covers at most 2048 pages,
 * so the second page's bits come from the second call. */
KTEST("space", "dirty_bits_over_a_flexpage_larger_than_one_call", sp_dirty_large)
{
    l4_threadid_t pager = pager_start();
    l4_threadid_t b = child_start(0, pager, L4_NILTHREAD);
    const uint64_t region = 0x0000300000000000ULL, far = region + (9ULL << 20);
    l4_msg_t m;
    uint64_t v, r;
    const uint64_t src[2] = { (uint64_t)page_a, (uint64_t)page_ro }, dst[2] = { region, far };
    for (int i = 0; i < 2; i++) {
        m = (l4_msg_t){ { CMD_RECV_MAP, l4_fpage(dst[i], 12, 0), kt_main } };
        KT_EQ(l4_ipc_error(l4_send(b, l4_msgtag(0, 4, 0), &m, L4_TIMEOUT_NEVER)), L4_OK);
        m = (l4_msg_t){ { l4_fpage(src[i], 12, L4_FPAGE_RW), src[i] } };
        KT_EQ(l4_ipc_error(l4_send(b, l4_msgtag(0, 0, 2), &m, l4_timeout_from_us(300000))), L4_OK);
        l4_threadid_t f = b;
        KT_EQ(l4_ipc_error(l4_receive(&f, &m, l4_timeout_from_us(300000))), L4_OK);
    }
    KT_EQ(child_cmd(b, CMD_WRITE, far + 8, 1, 0, 300000, 0), L4_OK);
    KT_ASSERT(child_reads(b, region, &v));
    uint64_t covered, w[3];
    KT_EQ(ad_words(b, l4_fpage(region, 24, 0), &covered, w), L4_OK);
    KT_ASSERT(covered >= 2048 && covered <= 2304);         /* stopped at the far page */
    KT_EQ(w[0] & 3, 1);                                    /* page 0: accessed, clean */
    uint64_t next = region + covered * 4096;
    KT_EQ(ad_words(b, l4_fpage(next, 12, 0), &r, w), L4_OK);  /* a 4 KiB step at "next" */
    KT_EQ(r, 1);
    KT_EQ(next, far);
    KT_EQ(w[0] & 3, 3);                                    /* the far page: dirty */
    child_delete(b);
    return 0;
}

/* Pages root writes once (so they are mapped) and then leaves alone: their A/D bits are
 * only what the children do. */
static uint64_t page_ad[2][512] __attribute__((aligned(4096)));
#define AD_A 1
#define AD_D 2

/* Root's own fpage_unmap of one page with no rights removed: its A/D bits (AD_A | AD_D). */
static unsigned root_ad(uint64_t page)
{
    uint64_t covered = 0;
    if (l4_fpage_unmap(l4_fpage(page, 12, 0), 0, 0, &covered) != L4_OK || covered != 1)
        return ~0u;
    return (unsigned)(l4_utcb()->mr[0] & 3);
}

/* Makes root's page i present and clean; returns its address. */
static uint64_t clean_page(unsigned i)
{
    page_ad[i][0] = i + 1;
    root_ad((uint64_t)page_ad[i]);
    return (uint64_t)page_ad[i];
}

/* Root maps its `page` with `rights` into b's window at `at` (b takes it through
 * CMD_RECV_MAP and answers); 1 if every step went through. */
static int root_maps_into(l4_threadid_t b, uint64_t at, uint64_t page, unsigned rights)
{
    l4_msg_t m = { { CMD_RECV_MAP, l4_fpage(at, 12, 0), kt_main } };
    if (l4_ipc_error(l4_send(b, l4_msgtag(0, 4, 0), &m, L4_TIMEOUT_NEVER)))
        return 0;
    m = (l4_msg_t){ { l4_fpage(page, 12, rights), page } };
    if (l4_ipc_error(l4_send(b, l4_msgtag(0, 0, 2), &m, l4_timeout_from_us(300000))))
        return 0;
    l4_threadid_t f = b;
    return l4_ipc_error(l4_receive(&f, &m, l4_timeout_from_us(300000))) == L4_OK;
}

/* Child b passes `item` (its page at pa) on to child c at FAR_WINDOW; 1 if it arrived. */
static int child_maps_to(l4_threadid_t b, l4_threadid_t c, uint64_t item, uint64_t pa)
{
    uint64_t r;
    l4_msg_t m = { { CMD_RECV_MAP, l4_fpage(FAR_WINDOW, 12, 0), b } };
    if (l4_ipc_error(l4_send(c, l4_msgtag(0, 4, 0), &m, L4_TIMEOUT_NEVER)) ||
        child_cmd(b, CMD_MAP_TO, item, pa, c, 300000, &r) != L4_OK || r != L4_OK)
        return 0;
    l4_threadid_t f = c;
    return l4_ipc_error(l4_receive(&f, &m, l4_timeout_from_us(300000))) == L4_OK;
}

KTEST("space", "ad_bits_of_a_deleted_task_reach_its_mapper_once", sp_ad_deleted)
{
    l4_threadid_t pager = pager_start();
    uint64_t pa = clean_page(0), pr = clean_page(1), v;
    KT_EQ(root_ad(pa), 0);
    l4_threadid_t b = child_start(0, pager, L4_NILTHREAD);
    KT_EQ(child_cmd(b, CMD_WRITE, pa + 8, 5, 0, 300000, 0), L4_OK);
    KT_ASSERT(child_reads(b, pr, &v));
    child_delete(b);
    KT_EQ(root_ad(pa), AD_A | AD_D);           /* written, then the task went */
    KT_EQ(root_ad(pr), AD_A);                  /* read only */
    KT_EQ(root_ad(pa), 0);                     /* reported once */
    KT_EQ(root_ad(pr), 0);
    return 0;
}

/* B reads root's page and passes it on to C, which writes it; deleting C leaves its bits
 * with B's mapping (its parent), where root's unmap still finds them. */
KTEST("space", "ad_bits_of_a_deleted_grandchild_reach_the_root_of_the_tree", sp_ad_grandchild)
{
    l4_threadid_t pager = pager_start();
    l4_threadid_t b = child_start(0, pager, L4_NILTHREAD);
    l4_threadid_t c = child_start(1, pager, L4_NILTHREAD);
    uint64_t pa = clean_page(0), r;
    KT_EQ(child_cmd(b, CMD_READ, pa, 0, 0, 300000, &r), L4_OK);
    KT_ASSERT(child_maps_to(b, c, l4_fpage(pa, 12, L4_FPAGE_RW), pa));
    KT_EQ(root_ad(pa), AD_A);                  /* B's read; C has not touched it yet */
    KT_EQ(child_cmd(c, CMD_WRITE, FAR_WINDOW + 8, 6, 0, 300000, 0), L4_OK);
    child_delete(c);
    KT_EQ(root_ad(pa), AD_A | AD_D);
    KT_EQ(root_ad(pa), 0);
    child_delete(b);
    return 0;
}

/* B wrote page 0 at its own address; root maps page 1 over it there: the mapping of page 0
 * that went is reported by root's next unmap of page 0. */
KTEST("space", "ad_bits_of_an_overwritten_mapping_reach_its_mapper_once", sp_ad_overwritten)
{
    l4_threadid_t pager = pager_start();
    uint64_t pa = clean_page(0), pb = clean_page(1), v;
    l4_threadid_t b = child_start(0, pager, L4_NILTHREAD);
    KT_EQ(child_cmd(b, CMD_WRITE, pa + 8, 7, 0, 300000, 0), L4_OK);
    KT_ASSERT(root_maps_into(b, pa, pb, L4_FPAGE_RW));
    KT_ASSERT(child_reads(b, pa, &v));
    KT_EQ(v, 2);                               /* B sees page 1 there now */
    KT_EQ(root_ad(pa), AD_A | AD_D);
    KT_EQ(root_ad(pa), 0);
    KT_EQ(root_ad(pb), AD_A);                  /* the new mapping: read, not written */
    child_delete(b);
    return 0;
}

/* Root maps B's page to B again with fewer rights: B's write is still reported. */
KTEST("space", "ad_bits_survive_a_remap_with_fewer_rights", sp_ad_remap)
{
    l4_threadid_t pager = pager_start();
    uint64_t pa = clean_page(0), r;
    l4_threadid_t b = child_start(0, pager, L4_NILTHREAD);
    KT_EQ(child_cmd(b, CMD_WRITE, pa + 8, 8, 0, 300000, 0), L4_OK);
    KT_ASSERT(root_maps_into(b, pa, pa, L4_FPAGE_R));
    KT_EQ(root_ad(pa), AD_A | AD_D);           /* B's write, on a mapping now read-only */
    KT_EQ(root_ad(pa), 0);
    KT_EQ(child_cmd(b, CMD_READ, pa + 8, 0, 0, 300000, &r), L4_OK);
    KT_EQ(r, 8);
    child_delete(b);
    return 0;
}

/* B writes root's page and grants its mapping to C: the bits move with the mapping. */
KTEST("space", "ad_bits_move_with_a_granted_mapping", sp_ad_grant)
{
    l4_threadid_t pager = pager_start();
    uint64_t pa = clean_page(0), r;
    l4_threadid_t b = child_start(0, pager, L4_NILTHREAD);
    l4_threadid_t c = child_start(1, pager, L4_NILTHREAD);
    KT_EQ(child_cmd(b, CMD_WRITE, pa + 8, 9, 0, 300000, 0), L4_OK);
    KT_ASSERT(child_maps_to(b, c, l4_fpage(pa, 12, L4_FPAGE_RW) | L4_ITEM_GRANT, pa));
    KT_EQ(root_ad(pa), AD_A | AD_D);
    KT_EQ(root_ad(pa), 0);
    KT_EQ(child_cmd(c, CMD_READ, FAR_WINDOW + 8, 0, 0, 300000, &r), L4_OK);
    KT_EQ(r, 9);                               /* C has B's mapping */
    child_delete(b);
    child_delete(c);
    return 0;
}

/* ---- pagers, exception handlers ---- */

KTEST("space", "a_pager_resolves_ten_thousand_faults_zero_fill_and_copy", sp_pager_10k)
{
    l4_threadid_t pager = pager_start();
    pool_lo = 0x0000400000000000ULL;
    pool_hi = pool_lo + 10000ULL * 4096;
    l4_threadid_t b = child_start(0, pager, L4_NILTHREAD);
    uint64_t v = 0, before = pf_count;
    KT_ASSERT(child_reads(b, (uint64_t)&pf_count, &v));      /* code and stack in first */
    before = pf_count;
    KT_EQ(child_cmd(b, CMD_SCAN, pool_lo, 10000, 0, 60000000, &v), L4_OK);
    KT_EQ(v, 0);                                             /* every page right */
    KT_EQ(pf_count - before, 10000);
    child_delete(b);
    return 0;
}

static volatile uint64_t exc_seen_vector, exc_seen_rax, exc_seen_addr, exc_reply_err[5];
static volatile uint64_t exc_mode;      /* 0: answer syscalls; 1: refuse bad replies first */

/* A foreign system call's short message: mode 0 answers it with a short reply (RAX 4242);
 * mode 1 first tries short replies l4/fault.h refuses, then asks for the full set, whose
 * message it returns in m. 1 if the call is answered. */
static int short_message(l4_threadid_t from, l4_msg_t *m)
{
    exc_seen_rax = m->w[L4_EXS_NR];
    if (exc_mode == 0) {
        m->w[L4_EXR_RAX] = 4242;
        l4_send(from, l4_msgtag(0, L4_EXR_RAX + 1, 0), m, L4_TIMEOUT_ZERO);
        return 1;
    }
    l4_msg_t out = { { 4242, 0xffff800000000000ULL } };      /* FS outside the user half */
    exc_reply_err[0] = l4_ipc_error(l4_send(from, l4_msgtag(0, L4_EXR_WORDS, 0), &out, L4_TIMEOUT_ZERO));
    exc_reply_err[1] = l4_ipc_error(l4_send(from, l4_msgtag(0, 5, 0), &out, L4_TIMEOUT_ZERO));
    exc_reply_err[2] = l4_ipc_error(l4_send(from, l4_msgtag(L4_LABEL_EXC_FULL, 1, 0), &out,
                                            L4_TIMEOUT_ZERO));
    uint64_t r = l4_call(from, l4_msgtag(L4_LABEL_EXC_FULL, 0, 0), m, L4_TIMEOUT_ZERO,
                         L4_TIMEOUT_NEVER);
    return l4_ipc_error(r) || l4_ipc_tag(r) != l4_msgtag(L4_LABEL_EXCEPTION, L4_EXC_WORDS, 0);
}

/* An exception handler: answers a foreign system call with RAX 4242 (short_message), and
 * the full set (a CPU exception, or a call's on request) by a full reply, in mode 1 after
 * two that would leave the thread unable to run. */
static void exception_handler(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    struct l4_utcb *u = l4_utcb();
    for (;;) {
        from = L4_NILTHREAD;
        uint64_t r = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
        if (l4_ipc_error(r) || l4_msgtag_label(l4_ipc_tag(r)) != L4_LABEL_EXCEPTION)
            continue;
        exc_seen_vector = m.w[L4_EXC_VECTOR];
        if (l4_msgtag_u(l4_ipc_tag(r)) == L4_EXS_WORDS && short_message(from, &m))
            continue;
        exc_seen_addr = m.w[L4_EXC_ADDR];
        exc_seen_rax = m.w[L4_EXC_RAX];
        uint64_t words[L4_EXC_WORDS];
        for (unsigned i = 0; i < L4_EXC_WORDS; i++)
            words[i] = i < 8 ? m.w[i] : u->mr[i];
        words[L4_EXC_RAX] = 4242;
        if (exc_seen_vector == 14)          /* resume at the recovery point it asked for */
            words[L4_EXC_RIP] = words[L4_EXC_RBX];
        for (int attempt = exc_mode ? 0 : 2; attempt <= 2; attempt++) {
            uint64_t w[L4_EXC_WORDS];
            memcpy(w, words, sizeof(w));
            if (attempt == 0)
                w[L4_EXC_RIP] = 0x0000800000000000ULL;
            if (attempt == 1)
                w[L4_EXC_FS] = 0xffff800000000000ULL;
            for (unsigned i = 8; i < L4_EXC_WORDS; i++)
                u->mr[i] = w[i];
            l4_msg_t out;
            memcpy(out.w, w, sizeof(out.w));
            uint64_t e = l4_send(from, l4_msgtag(0, L4_EXC_WORDS, 0), &out, L4_TIMEOUT_ZERO);
            if (attempt < 2)
                exc_reply_err[3 + attempt] = l4_ipc_error(e);
        }
    }
}

KTEST("space", "an_unknown_syscall_is_answered_by_the_exception_handler", sp_exc_syscall)
{
    l4_threadid_t pager = pager_start();
    exc_mode = 0;
    l4_threadid_t h = kt_spawn(EXC_SLOT, exception_handler);
    l4_threadid_t c = child_start(0, pager, h);
    uint64_t v = 0;
    KT_EQ(child_cmd(c, CMD_SYSCALL, 39, 0, 0, 300000, &v), L4_OK);
    KT_EQ(v, 4242);
    KT_EQ(exc_seen_vector, L4_EXC_SYSCALL);
    KT_EQ(exc_seen_rax, 39);
    child_delete(c);
    return 0;
}

KTEST("space", "bad_replies_are_refused_and_the_full_set_comes_on_request", sp_exc_refuse)
{
    l4_threadid_t pager = pager_start();
    exc_mode = 1;
    for (unsigned i = 0; i < sizeof(exc_reply_err) / sizeof(exc_reply_err[0]); i++)
        exc_reply_err[i] = 99;
    exc_seen_addr = 0;
    l4_threadid_t h = kt_spawn(EXC_SLOT, exception_handler);
    l4_threadid_t c = child_start(0, pager, h);
    uint64_t v = 0;
    KT_EQ(child_cmd(c, CMD_SYSCALL, 102, 0, 0, 300000, &v), L4_OK);
    for (unsigned i = 0; i < sizeof(exc_reply_err) / sizeof(exc_reply_err[0]); i++)
        KT_EQ(exc_reply_err[i], L4_ERR_INVALID);  /* short FS, 5 words, 1 with the request;
                                                     full RIP, full FS */
    KT_EQ(exc_seen_addr, 102);               /* the full set names the number in ADDR */
    KT_EQ(exc_seen_rax, 102);
    KT_EQ(v, 4242);                          /* the valid full reply took effect */
    child_delete(c);
    return 0;
}

static volatile uint64_t recovered;
static void write_own_code(void);
static void recovery_point(void)
{
    recovered = 1;
    kt_park();
}

/* A thread with no pager writes to its own read-only code: the exception handler gets
 * vector 14 with the address, and resumes it elsewhere (RIP from RBX). */
static void write_own_code(void)
{
    __asm__ volatile("movq %0, %%rbx\n\tmovb $0, (%1)"
                     : : "r"((uint64_t)recovery_point), "r"((uint64_t)write_own_code) : "rbx", "memory");
    kt_park();
}

KTEST("space", "a_write_to_a_read_only_page_without_pager_reaches_the_handler", sp_exc_ro)
{
    exc_mode = 0;
    recovered = 0;
    l4_threadid_t h = kt_spawn(EXC_SLOT, exception_handler);
    struct l4_exregs x = { .control = 1 | L4_EXREGS_SET_IP | L4_EXREGS_SET_SP | L4_EXREGS_HALT,
                           .ip = 0x1000, .sp = 0x1000 };
    l4_lthread_ex_regs(&x);
    x = (struct l4_exregs){ .control = 1 | L4_EXREGS_SET_EXCH | L4_EXREGS_SET_PAGER,
                            .exc_handler = h, .pager = L4_NILTHREAD };
    KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
    l4_threadid_t t = kt_spawn(1, write_own_code);
    for (int i = 0; i < 5 && !recovered; i++)
        l4_thread_switch(t);
    KT_EQ(recovered, 1);
    KT_EQ(exc_seen_vector, 14);
    KT_EQ(exc_seen_addr, (uint64_t)write_own_code);
    x = (struct l4_exregs){ .control = 1 | L4_EXREGS_SET_EXCH, .exc_handler = L4_NILTHREAD };
    l4_lthread_ex_regs(&x);
    return 0;
}

/* ---- deleting a task: who waited on its threads, and what it costs ---- */

/* Root tells A (still at its first, closed receive from root) to call B, and lets it. */
static int start_call(l4_threadid_t a, l4_threadid_t b)
{
    l4_msg_t m = { { CMD_CALL, b } };
    if (l4_ipc_error(l4_send(a, l4_msgtag(0, 4, 0), &m, L4_TIMEOUT_NEVER)))
        return 0;
    l4_thread_switch(a);
    return 1;
}

/* The result word A's call ended with, which A's command loop sends back. */
static uint64_t call_result(l4_threadid_t a)
{
    l4_threadid_t f = a;
    l4_msg_t m;
    uint64_t r = l4_receive(&f, &m, l4_timeout_from_us(1000000));
    return l4_ipc_error(r) ? ~0ULL : m.w[0];
}

/* Lets the others run until t is in `state` (enum l4_thread_state); 1 if it got there. */
static int reaches(l4_threadid_t t, unsigned state)
{
    for (int i = 0; i < 100; i++) {
        if ((kt_state(t) & 0xff) == state)
            return 1;
        l4_thread_switch(t);
    }
    return 0;
}

static uint64_t partner_of(l4_threadid_t t)
{
    struct l4_sched s = { .thread = t };
    return l4_thread_schedule(&s) ? 0 : s.partner;
}

/* Lets the others run until t waits in a receive from p (a receive from its pager, while
 * a page fault of its is served on the way, does not count); 1 if it got there. */
static int waits_on(l4_threadid_t t, l4_threadid_t p)
{
    for (int i = 0; i < 100; i++) {
        if ((kt_state(t) & 0xff) == L4_TSTATE_RECEIVING && partner_of(t) == p)
            return 1;
        l4_thread_switch(t);
    }
    return 0;
}

/* Deletes b, whose task a waits on in a closed receive: a's call must end with NO_PARTNER
 * in its receive phase. */
static int released_when_deleted(l4_threadid_t a, l4_threadid_t b)
{
    KT_ASSERT(waits_on(a, b));
    child_delete(b);
    uint64_t r = call_result(a);
    KT_EQ(l4_ipc_error(r), L4_ERR_NO_PARTNER);
    KT_ASSERT(l4_ipc_failed_in_receive(r));
    child_delete(a);
    return 0;
}

/* A calls B, which takes the message and does not reply: A waits in a closed receive from
 * B (blocked there by the fastpath, on a kernel that has one). B's task goes: A's call
 * ends with NO_PARTNER in its receive phase. */
KTEST("space", "a_caller_waiting_for_a_deleted_tasks_reply_gets_no_partner", sp_waiter_released)
{
    l4_threadid_t pager = pager_start();
    l4_threadid_t a = child_start(0, pager, L4_NILTHREAD);
    l4_threadid_t b = child_start(1, pager, L4_NILTHREAD);
    uint64_t v;
    KT_ASSERT(child_reads(b, (uint64_t)page_a, &v));  /* B now in an open receive */
    KT_ASSERT(start_call(a, b));
    return released_when_deleted(a, b);
}

/* A's call queues on B (B waits for root only); B's next open receive takes it and carries
 * A into its receive phase. B's task goes: A learns it, as above. */
KTEST("space", "a_queued_caller_carried_into_its_receive_is_released_too", sp_queued_waiter)
{
    l4_threadid_t pager = pager_start();
    l4_threadid_t a = child_start(0, pager, L4_NILTHREAD);
    l4_threadid_t b = child_start(1, pager, L4_NILTHREAD);
    uint64_t v;
    KT_ASSERT(start_call(a, b));
    KT_ASSERT(reaches(a, L4_TSTATE_SENDING));
    KT_ASSERT(child_reads(b, (uint64_t)page_a, &v));  /* B's reply-and-wait takes A's call */
    return released_when_deleted(a, b);
}

/* A's closed receive from B timed out and A has moved on to an open receive: B's deletion
 * must leave it where it is. */
KTEST("space", "a_thread_no_longer_waiting_for_a_deleted_task_is_left_alone", sp_former_waiter)
{
    l4_threadid_t pager = pager_start();
    l4_threadid_t a = child_start(0, pager, L4_NILTHREAD);
    l4_threadid_t b = child_start(1, pager, L4_NILTHREAD);
    uint64_t r = 0;
    KT_EQ(child_cmd(a, CMD_RECV_MAP, 0, b, 0, 2000000, &r), L4_OK);
    KT_EQ(r, L4_ERR_TIMEOUT);                  /* it waited for B, then gave up */
    KT_ASSERT(reaches(a, L4_TSTATE_RECEIVING));
    child_delete(b);
    KT_EQ(kt_state(a) & 0xff, L4_TSTATE_RECEIVING);   /* not woken */
    KT_ASSERT(child_reads(a, (uint64_t)page_a, &r));
    child_delete(a);
    return 0;
}

#define BUSY_STACKS 64
static char busy_stacks[BUSY_STACKS][4096] __attribute__((aligned(4096)));
static volatile unsigned busy_nthreads;

/* A busy task's first thread: makes lthreads 1 .. busy_nthreads - 1 (stopped), tells root
 * how many it made, and stops. */
static void busy_task_main(void)
{
    unsigned made = 0;
    for (unsigned l = 1; l < busy_nthreads; l++) {
        struct l4_exregs x = { .control = l | L4_EXREGS_SET_IP | L4_EXREGS_SET_SP | L4_EXREGS_HALT,
                               .ip = (uint64_t)kt_park, .sp = (uint64_t)busy_stacks[0] + 64 };
        made += l4_lthread_ex_regs(&x) == L4_OK;
    }
    l4_msg_t m = { { made } };
    l4_send(kt_main, l4_msgtag(0, 1, 0), &m, L4_TIMEOUT_NEVER);
    kt_park();
}

/* A task of n threads, all stopped, running on its own stack; its first thread, or nil. */
static l4_threadid_t busy_task(l4_threadid_t pager, unsigned n, unsigned stack)
{
    l4_threadid_t first = L4_NILTHREAD;
    busy_nthreads = n;
    uint64_t sp = (uint64_t)busy_stacks[stack] + sizeof(busy_stacks[stack]) - 8;
    if (l4_task_new(L4_TASK_ANY, (uint64_t)busy_task_main, sp, pager, 100, L4_NILTHREAD, &first))
        return L4_NILTHREAD;
    l4_threadid_t f = first;
    l4_msg_t m;
    if (l4_ipc_error(l4_receive(&f, &m, l4_timeout_from_us(5000000))) || m.w[0] != n - 1)
        return L4_NILTHREAD;
    return first;
}

/* Guest instructions (rdtsc under -icount) task_delete takes for a fresh task of 128
 * threads: the least of three, so that a timer tick landing in one does not count. */
static uint64_t delete_cost(l4_threadid_t pager)
{
    uint64_t best = ~0ULL;
    for (int i = 0; i < 3; i++) {
        l4_threadid_t t = busy_task(pager, L4_THREADS_PER_TASK, 0);
        if (l4_tid_is_nil(t))
            return 0;
        uint64_t t0 = rt_rdtsc();
        uint64_t err = l4_task_delete(l4_tid_task(t));
        uint64_t d = rt_rdtsc() - t0;
        if (err)
            return 0;
        best = d < best ? d : best;
    }
    return best;
}

/* Deleting a thread wakes those waiting on it; finding them must not mean looking at every
 * thread of every task: the cost is the same beside 1 task as beside 50 (of 4 threads). */
KTEST("timing", "deleting_128_threads_costs_the_same_beside_1_or_50_tasks", tm_delete_cost)
{
    l4_threadid_t pager = pager_start(), others[50];
    for (unsigned i = 0; i < 50; i++)
        others[i] = L4_NILTHREAD;
    others[0] = busy_task(pager, 4, 1);
    KT_ASSERT(!l4_tid_is_nil(others[0]));
    uint64_t beside_1 = delete_cost(pager);
    for (unsigned i = 1; i < 50; i++) {
        others[i] = busy_task(pager, 4, 1 + i);
        KT_ASSERT(!l4_tid_is_nil(others[i]));
    }
    uint64_t beside_50 = delete_cost(pager);
    for (unsigned i = 0; i < 50; i++)
        l4_task_delete(l4_tid_task(others[i]));
    printf("  task_delete of 128 threads: %lu instructions beside 1 task, %lu beside 50\n",
           beside_1, beside_50);
    KT_ASSERT(beside_1 && beside_50);
    KT_ASSERT(beside_50 * 100 <= beside_1 * 102 && beside_1 * 100 <= beside_50 * 102);
    return 0;
}

/* ---- getting everything back ---- */

KTEST("space", "a_thousand_task_lifetimes_return_all_kernel_memory", sp_task_cycles)
{
    l4_threadid_t pager = pager_start();
    uint64_t v;
    l4_threadid_t warm = child_start(0, pager, L4_NILTHREAD);     /* pager's own faults */
    KT_ASSERT(child_reads(warm, (uint64_t)page_a, &v));
    child_delete(warm);
    uint64_t free0 = rt_kip->kpool_free, threads0 = rt_kip->threads_live;
    for (int i = 0; i < 1000; i++) {
        l4_threadid_t c = child_start(i & 3, pager, L4_NILTHREAD);
        KT_ASSERT(!l4_tid_is_nil(c));
        if (i % 10 == 0)
            KT_ASSERT(child_reads(c, (uint64_t)page_a, &v));    /* with mappings too */
        KT_EQ(l4_task_delete(l4_tid_task(c)), L4_OK);
    }
    KT_EQ(rt_kip->kpool_free, free0);
    KT_EQ(rt_kip->threads_live, threads0);
    return 0;
}

KTEST("space", "exhausting_the_kernel_pool_is_an_error_and_recovers", sp_exhaust)
{
    static uint8_t made[1024];
    uint64_t free0 = rt_kip->kpool_free, fails0 = rt_kip->kpool_failures;
    unsigned n = 0, err = 0;
    l4_threadid_t first;
    memset(made, 0, sizeof(made));
    while (!err) {
        /* Nil pager: each first thread stops at its first fault and just sits there. */
        err = (unsigned)l4_task_new(L4_TASK_ANY, 0x1000, 0x2000, L4_NILTHREAD, 1, L4_NILTHREAD, &first);
        if (!err)
            made[l4_tid_task(first)] = 1, n++;
    }
    KT_EQ(err, L4_ERR_NO_MEMORY);
    KT_ASSERT(n > 100);
    KT_ASSERT(rt_kip->kpool_free < free0);
    printf("  made %u tasks before the pool ran out (%lu pages free)\n", n, rt_kip->kpool_free);
    for (unsigned i = 0; i < 1024; i++)
        if (made[i])
            KT_EQ(l4_task_delete(i), L4_OK);
    KT_EQ(rt_kip->kpool_free, free0);
    KT_EQ(l4_task_new(L4_TASK_ANY, 0x1000, 0x2000, L4_NILTHREAD, 1, L4_NILTHREAD, &first), L4_OK);
    KT_EQ(l4_task_delete(l4_tid_task(first)), L4_OK);
    (void)fails0;
    return 0;
}
