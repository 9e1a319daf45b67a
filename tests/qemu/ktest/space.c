/* space.c — the pager thread and the child command loop of space.h. */
#include "space.h"
#include <l4/irq.h>

volatile uint64_t pf_count, pf_last_addr, pf_last_access;
volatile uint64_t pf_deny_lo, pf_deny_hi;
volatile uint64_t pool_lo, pool_hi;
#define POOL_FRAMES 16
static uint64_t pool[POOL_FRAMES][512] __attribute__((aligned(4096)));

/* Picks and fills the frame for a fault in the pool region; returns its address. The
 * frame's previous mapping (at another address of the child) is revoked first. */
static uint64_t pool_frame(uint64_t addr)
{
    uint64_t index = (addr - pool_lo) / 4096;
    uint64_t *frame = pool[index % POOL_FRAMES];
    l4_fpage_unmap(l4_fpage((uint64_t)frame, 12, L4_FPAGE_RWX), 0, 0, 0);
    if (index & 1) {
        for (unsigned i = 0; i < 512; i++)
            frame[i] = index;
    } else {
        memset(frame, 0, 4096);
    }
    return (uint64_t)frame;
}
static char child_stacks[CHILD_STACKS][16384] __attribute__((aligned(4096)));

/* Answers page faults by mapping the root task's own page at the fault address. */
static void pager_loop(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    uint64_t r = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;) {
        uint32_t label = l4_msgtag_label(l4_ipc_tag(r));
        uint64_t addr = m.w[0];
        int fault = !l4_ipc_error(r) && (label & ~7u) == L4_LABEL_PAGEFAULT;
        if (fault) {
            pf_count++;
            pf_last_addr = addr;
            pf_last_access = label & 7;
        }
        if (!fault || (addr >= pf_deny_lo && addr < pf_deny_hi)) {
            from = L4_NILTHREAD;                 /* no reply: the faulter keeps waiting */
            r = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
            continue;
        }
        uint64_t page = addr & ~0xfffULL;
        uint64_t frame = addr >= pool_lo && addr < pool_hi ? pool_frame(addr) : page;
        m.w[0] = l4_fpage(frame, 12, L4_FPAGE_RWX);
        m.w[1] = page;
        r = l4_reply_wait(&from, l4_msgtag(0, 0, 2), &m, L4_TIMEOUT_NEVER);
    }
}

l4_threadid_t pager_start(void)
{
    pf_count = 0;
    pf_deny_lo = pf_deny_hi = 0;
    pool_lo = pool_hi = 0;
    return kt_spawn(PAGER_SLOT, pager_loop);
}

static uint64_t run(uint64_t cmd, uint64_t a, uint64_t b, uint64_t d)
{
    l4_msg_t m = { { 0 } };
    switch (cmd) {
    case CMD_READ:
        return *(volatile uint64_t *)a;
    case CMD_WRITE:
        *(volatile uint64_t *)a = b;
        return 0;
    case CMD_MAP_TO:                          /* a = item word, b = hot spot, d = target */
        m.w[0] = a;
        m.w[1] = b;
        return l4_ipc_error(l4_send(d, l4_msgtag(0, 0, 2), &m, l4_timeout_from_us(500000)));
    case CMD_RECV_MAP: {                      /* a = window, b = from */
        l4_utcb()->rcv_window = a;
        l4_threadid_t f = b;
        uint64_t r = l4_receive(&f, &m, l4_timeout_from_us(500000));
        l4_utcb()->rcv_window = 0;
        return l4_ipc_error(r);
    }
    case CMD_UNMAP: {                         /* a = fpage, b = flags; A/D words back */
        uint64_t covered = 0;
        uint64_t e = l4_fpage_unmap(a, b, (unsigned)d, &covered);
        return e ? (1ULL << 63) | e : covered;
    }
    case CMD_SCAN: {                          /* a = base, b = pages: count bad pages */
        uint64_t bad = 0;
        for (uint64_t i = 0; i < b; i++) {
            uint64_t v = *(volatile uint64_t *)(a + i * 4096);
            bad += v != (i & 1 ? i : 0);
        }
        return bad;
    }
    case CMD_OUTB:                            /* a = port, b = value */
        __asm__ volatile("outb %%al, %%dx" : : "a"((uint8_t)b), "d"((uint16_t)a));
        return 0;
    case CMD_IRQ: {                           /* attach to line a (zero timeout) */
        l4_threadid_t f = l4_irq_id((unsigned)a);
        return l4_ipc_error(l4_receive(&f, &m, L4_TIMEOUT_ZERO));
    }
    case CMD_CALL:                            /* a = partner: the call's result word */
        return l4_call(a, l4_msgtag(0, 1, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    case CMD_SYSCALL: {                       /* a foreign system call: rax = a */
        register uint64_t rax __asm__("rax") = a;
        __asm__ volatile("syscall" : "+r"(rax) : : "rcx", "r11", "memory");
        return rax;
    }
    }
    return ~0ULL;
}

static void child_loop(void)
{
    l4_threadid_t from = kt_main;
    l4_msg_t m;
    uint64_t r = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;) {
        if (l4_ipc_error(r)) {
            from = kt_main;
            r = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
            continue;
        }
        m.w[0] = run(m.w[0], m.w[1], m.w[2], m.w[3]);
        for (unsigned i = 1; i < 4; i++)       /* an unmap's A/D words ride back too */
            m.w[i] = l4_utcb()->mr[i - 1];
        /* Reply with a real send timeout: root may be busy with another child just now. */
        struct l4_ipc_regs rr = { kt_main, l4_msgtag(0, 4, 0),
            l4_ipc_control(L4_IPC_SEND | L4_IPC_RECV | L4_IPC_OPEN, l4_timeout_from_us(1000000),
                           L4_TIMEOUT_NEVER), m };
        r = l4_ipc(&rr);
        m = rr.msg;
        if (rr.partner != kt_main)
            r = 1ULL << 48;                  /* ignore strangers: wait again */
    }
}

l4_threadid_t child_start(unsigned stack, l4_threadid_t pager, l4_threadid_t exc)
{
    l4_threadid_t first = L4_NILTHREAD;
    uint64_t sp = (uint64_t)child_stacks[stack] + sizeof(child_stacks[stack]) - 8;
    if (l4_task_new(L4_TASK_ANY, (uint64_t)child_loop, sp, pager, 100, exc, &first))
        return L4_NILTHREAD;
    return first;
}

unsigned child_cmd(l4_threadid_t c, uint64_t cmd, uint64_t a, uint64_t b, uint64_t d,
                   uint64_t us, uint64_t *out)
{
    l4_msg_t m = { { cmd, a, b, d } };
    uint64_t r = l4_call(c, l4_msgtag(0, 4, 0), &m, l4_timeout_from_us(us), l4_timeout_from_us(us));
    if (out)
        *out = m.w[0];
    return l4_ipc_error(r);
}

void child_delete(l4_threadid_t c)
{
    l4_task_delete(l4_tid_task(c));
}
