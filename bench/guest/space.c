/*
 * space.c — the address-space operations of ./ellfour bench (issue 4):
 *   pagefault_pager_rtt        a write fault in a child task, resolved by a pager thread
 *                              of this task with a map item, until the write retires;
 *   exception_syscall_short    Linux getppid (rax = 110) answered by an exception handler
 *                              thread of the same task: the short message (l4/fault.h),
 *                              a one-word reply with RAX;
 *   exception_syscall_full     the same call, the handler asking for the full set and
 *                              answering it with a full L4_EXC_WORDS reply (what a handler
 *                              pays to set every register, as clone will);
 *   exception_ud2_full         ud2, answered with a full reply that steps RIP past it: the
 *                              full message's round trip, 23 words each way;
 *   map_unmap_page             a call carrying one 4 KiB map item to the peer task, which
 *                              replies at once, then fpage_unmap of the page (includes
 *                              the IPC round trip: compare ipc_call_inter_task);
 *   task_create_delete         task_new and task_new delete of an empty task.
 * This task's image pages are mapping-database roots (the kernel loaded them), so it can
 * map them onward: the child task runs this program's code at the same addresses because
 * the pager maps every image page 1:1 into it on demand, and shares its data (samples).
 */
#include "bench.h"

/* Where the child faults and the peer receives: far from every image in the bench boot. */
#define PROBE_ADDR  0x40000000ULL
#define LT_PAGER    2u
#define LT_EXC      3u
#define LINUX_GETPPID 110u
#define GETPPID_ANSWER 1u        /* what the handler says: every process's parent is init */

extern char __executable_start[], _end[];

static char pool_page[4096] __attribute__((aligned(4096)));
static char pager_stack[16384] __attribute__((aligned(16)));
static char exc_stack[16384] __attribute__((aligned(16)));
static char child_stack[16384] __attribute__((aligned(16)));
static l4_threadid_t bench_main;

/* The pager's answer for a fault at addr: this image 1:1, anything else the pool page. */
static l4_fpage_t pager_source(uint64_t addr)
{
    if (addr >= (uint64_t)__executable_start && addr < (uint64_t)_end)
        return l4_fpage(addr, 12, L4_FPAGE_RWX);
    return l4_fpage((uint64_t)pool_page, 12, L4_FPAGE_RW);
}

static void pager_loop(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;) {
        uint64_t addr = m.w[0] & ~0xfffULL;
        m.w[0] = pager_source(addr);
        m.w[1] = addr;                    /* hot spot: lands at the fault address */
        l4_reply_wait(&from, l4_msgtag(0, 0, 2), &m, L4_TIMEOUT_NEVER);
    }
}

/* The child task's only thread: each write to the probe page faults, because the page is
 * unmapped again (outside the timed part) before the next one. */
static void child_main(void)
{
    volatile char *probe = (volatile char *)PROBE_ADDR;
    unsigned warm = iters / 10;
    for (unsigned i = 0; i < warm + iters; i++) {
        uint64_t t0 = rt_rdtsc();
        *probe = 1;
        uint64_t d = rt_rdtsc() - t0;
        if (i >= warm)
            samples[i - warm] = d > overhead ? d - overhead : 0;
        l4_fpage_unmap(l4_fpage(PROBE_ADDR, 12, L4_FPAGE_RWX), L4_UNMAP_SELF, 0, 0);
    }
    l4_msg_t m = { { 0 } };
    l4_send(bench_main, l4_msgtag(0, 0, 0), &m, L4_TIMEOUT_NEVER);
    for (;;)
        l4_send(bench_main, l4_msgtag(0, 0, 0), &m, L4_TIMEOUT_NEVER);  /* never taken */
}

static void bench_pagefault(void)
{
    l4_threadid_t pager = rt_thread_start(LT_PAGER, pager_loop, pager_stack, sizeof(pager_stack), 0);
    l4_threadid_t child;
    uint64_t sp = ((uint64_t)child_stack + sizeof(child_stack)) - 8;
    uint64_t err = l4_task_new(L4_TASK_ANY, (uint64_t)child_main, sp, pager, 255,
                               L4_NILTHREAD, &child);
    if (l4_tid_is_nil(pager) || err) {
        printf("BENCH-INFO pagefault_pager_rtt skipped: pager or child task failed (%lu)\n", err);
        return;
    }
    l4_threadid_t from = child;
    l4_msg_t m;
    l4_receive(&from, &m, L4_TIMEOUT_NEVER);      /* the child has filled samples */
    report("pagefault_pager_rtt");
    l4_task_delete(l4_tid_task(child));
}

/* How exc_loop answers: short, the full set on request, or a CPU exception's full set. */
enum exc_mode { EXC_SHORT, EXC_FULL_ON_REQUEST, EXC_UD2 };
static volatile enum exc_mode exc_mode;

/* Sends a full reply: the words past the registers are still in this thread's UTCB,
 * where they arrived. */
static uint64_t full_reply(l4_threadid_t *from, l4_msg_t *m)
{
    m->w[L4_EXC_RAX] = GETPPID_ANSWER;
    if (exc_mode == EXC_UD2)
        m->w[L4_EXC_RIP] += 2;
    return l4_reply_wait(from, l4_msgtag(0, L4_EXC_WORDS, 0), m, L4_TIMEOUT_NEVER);
}

static void exc_loop(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    uint64_t r = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;) {
        if (l4_msgtag_u(l4_ipc_tag(r)) == L4_EXC_WORDS) {
            r = full_reply(&from, &m);
        } else if (exc_mode == EXC_FULL_ON_REQUEST) {
            r = l4_call(from, l4_msgtag(L4_LABEL_EXC_FULL, 0, 0), &m, L4_TIMEOUT_NEVER,
                        L4_TIMEOUT_NEVER);
        } else {
            m.w[L4_EXR_RAX] = GETPPID_ANSWER;
            r = l4_reply_wait(&from, l4_msgtag(0, L4_EXR_RAX + 1, 0), &m, L4_TIMEOUT_NEVER);
        }
    }
}

static inline uint64_t linux_getppid(void)
{
    uint64_t rax = LINUX_GETPPID;
    __asm__ volatile("syscall" : "+a"(rax) : : "rcx", "r11", "memory");
    return rax;
}

/* ud2, which the handler steps over, setting RAX. */
static inline uint64_t ud2_answered(void)
{
    uint64_t rax = 0;
    __asm__ volatile("ud2" : "+a"(rax) : : "memory");
    return rax;
}

/* Points this thread's exception handler at h (nil to clear). */
static uint64_t set_exc_handler(l4_threadid_t h)
{
    struct l4_exregs x = { .control = l4_tid_lthread(bench_main) | L4_EXREGS_SET_EXCH,
                           .exc_handler = h };
    return l4_lthread_ex_regs(&x);
}

/* One row: op must answer GETPPID_ANSWER; the handler is cleared before printing, so that
 * kdebug traps stay kdebug. */
#define EXC_ROW(name, mode, op)                                                       \
    do {                                                                              \
        exc_mode = (mode);                                                            \
        set_exc_handler(h);                                                           \
        uint64_t first_ = op;                                                         \
        TIME_LOOP(op);                                                                \
        set_exc_handler(L4_NILTHREAD);                                                \
        if (first_ != GETPPID_ANSWER)                                                 \
            printf("BENCH-INFO %s: the call returned %lu\n", name, first_);          \
        report(name);                                                                 \
    } while (0)

static void bench_exception(void)
{
    l4_threadid_t h = rt_thread_start(LT_EXC, exc_loop, exc_stack, sizeof(exc_stack), 0);
    if (l4_tid_is_nil(h) || set_exc_handler(h)) {
        printf("BENCH-INFO exception rows skipped: no handler thread\n");
        return;
    }
    EXC_ROW("exception_syscall_short", EXC_SHORT, linux_getppid());
    EXC_ROW("exception_syscall_full", EXC_FULL_ON_REQUEST, linux_getppid());
    EXC_ROW("exception_ud2_full", EXC_UD2, ud2_answered());
}

/* One round: map the pool page into the peer's window, then revoke it. */
static uint64_t map_unmap(l4_threadid_t peer)
{
    l4_msg_t m = { { l4_fpage((uint64_t)pool_page, 12, L4_FPAGE_RW), 0 } };
    uint64_t res = l4_call(peer, l4_msgtag(0, 0, 2), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    uint64_t covered;
    return l4_ipc_error(res) |
           l4_fpage_unmap(l4_fpage((uint64_t)pool_page, 12, L4_FPAGE_RWX), 0, 0, &covered);
}

static void bench_map_unmap(l4_threadid_t peer)
{
    uint64_t err = l4_tid_is_nil(peer) ? ~0ULL : map_unmap(peer);
    if (err) {
        printf("BENCH-INFO map_unmap_page skipped: no peer or map failed (%lx)\n", err);
        return;
    }
    MEASURE("map_unmap_page", map_unmap(peer));
}

/* The new task's thread gets priority 0 (MCP 0), so it never runs before it is deleted. */
static uint64_t task_create_delete(void)
{
    l4_threadid_t t;
    uint64_t err = l4_task_new(L4_TASK_ANY, PROBE_ADDR, PROBE_ADDR, L4_NILTHREAD, 0,
                               L4_NILTHREAD, &t);
    return err ? err : l4_task_delete(l4_tid_task(t));
}

static void bench_task(void)
{
    uint64_t free0 = rt_kip->kpool_free, err = task_create_delete();
    if (err) {
        printf("BENCH-INFO task_create_delete skipped: error %lu\n", err);
        return;
    }
    MEASURE("task_create_delete", task_create_delete());
    if (rt_kip->kpool_free != free0)
        printf("BENCH-INFO task_create_delete: kernel pool %lu pages, was %lu\n",
               rt_kip->kpool_free, free0);
}

void bench_space(l4_threadid_t peer)
{
    bench_main = l4_myself();
    bench_pagefault();
    bench_exception();
    bench_map_unmap(peer);
    bench_task();
}
