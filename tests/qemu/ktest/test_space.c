/* test_space.c — address spaces built from user level: task_new, map, grant, recursive
 * unmap, accessed/dirty bits, pagers, exception handlers, and getting everything back. */
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
