/*
 * l4/syscalls.h — the seven system calls: numbers and user-side stubs.
 *
 * Calls are entered with `syscall`, number in rax. The numbers lie far outside Linux's
 * range (including x32's 0x40000000 bit), so a Linux system call that musl issues on
 * Ell Four is never mistaken for an L4 call: the kernel range-checks rax against
 * [L4_SYS_BASE, L4_SYS_BASE + L4_SYS_COUNT) before it indexes its table; any other number
 * is a foreign system call: exception IPC to the thread's handler (l4/fault.h), or, without
 * one, the thread stops.
 *
 * Register use per call is documented with each call's header: l4/ipc.h (ipc),
 * l4/thread.h (lthread_ex_regs, thread_switch, thread_schedule), and below.
 *
 * id_nearest (rax = L4_SYS_ID_NEAREST): rdi = destination id (nil = myself).
 *   out rax = L4_OK, rdi = the thread an IPC to the destination would reach first, rsi =
 *   L4_NEAREST_SAME_CLAN (rdi = the destination), L4_NEAREST_INNER_CLAN (lthread 0 of the
 *   member of the caller's clan, or of the caller's own members, whose subtree holds the
 *   destination) or L4_NEAREST_OUTER_CLAN (lthread 0 of the caller's chief); l4/clan.h.
 *   Errors: NO_PARTNER for a non-nil id that names no thread, or when that first hop's
 *   lthread 0 does not exist (an IPC would fail the same way).
 * fpage_unmap: see l4/fpage.h.
 *
 * task_new (rax = L4_SYS_TASK_NEW) creates or deletes a task.
 *   Create:  rdi = task number (3 .. 1023 on this kernel; 1 and 2 are sigma0's and root's),
 *            or L4_TASK_ANY for any free one
 *            rsi = ip, rdx = sp of its first thread (lthread 0, ready at once)
 *            r10 = pager, r8 = maximum controlled priority (clamped to the caller's),
 *            r9 = exception handler, r12 = kernel-memory quota in pages: carved from the
 *            caller's quota and returned to it when the task is deleted; 0 = none of its
 *            own, the task (and whatever it creates with 0) draws on the caller's quota.
 *            The quota pays for everything the kernel holds for the task: the task
 *            itself, TCBs and UTCBs, page tables with their shadows, and mapping nodes
 *            (by size). Running out fails the operation that needed the memory with
 *            NO_MEMORY (MAP_FAILED for a map or grant item), never anyone else's.
 *   out      rax = enum l4_error, rdi = the first thread's id
 *   The caller's task becomes the new task's chief. The new address space holds only the
 *   KIP and its UTCB: every other page arrives through its pager. The first thread starts
 *   with rdi = L4_KIP_ADDR (as boot tasks do) and every other register zero.
 *   Delete:  rdi = task number | L4_TASK_DELETE; only the task's chief may. The task, its
 *            threads, every mapping it holds (and every mapping derived from those, in any
 *            task) and, recursively, the tasks it created are deleted; its kernel memory
 *            returns to the pool.
 *   Errors: INVALID (number out of range, ip/sp outside the user half, unknown bits),
 *   PERMISSION (number in use, or deleting a task one is not the chief of; nesting deeper
 *   than L4_MAX_NESTING), NO_PARTNER (deleting a number no task has), NO_MEMORY (r12 more
 *   than the caller's quota has left, the quota too small for the task and its first
 *   thread, the kernel pool empty, or no free number for L4_TASK_ANY).
 */
#ifndef L4_SYSCALLS_H
#define L4_SYSCALLS_H

#include <l4/types.h>
#include <l4/ipc.h>
#include <l4/thread.h>
#include <l4/fpage.h>
#include <l4/fault.h>
#include <l4/utcb.h>

#define L4_SYS_BASE             0x4c340000ULL
#define L4_SYS_IPC              (L4_SYS_BASE + 0)
#define L4_SYS_ID_NEAREST       (L4_SYS_BASE + 1)
#define L4_SYS_FPAGE_UNMAP      (L4_SYS_BASE + 2)
#define L4_SYS_THREAD_SWITCH    (L4_SYS_BASE + 3)
#define L4_SYS_THREAD_SCHEDULE  (L4_SYS_BASE + 4)
#define L4_SYS_LTHREAD_EX_REGS  (L4_SYS_BASE + 5)
#define L4_SYS_TASK_NEW         (L4_SYS_BASE + 6)
#define L4_SYS_COUNT            7

#define L4_TASK_ANY             0x0ULL
#define L4_TASK_DELETE          (1ULL << 63)
#define L4_MAX_NESTING          16

/* L4_NEAREST_* (id_nearest's rsi) live in l4/clan.h, included through l4/ipc.h. */

_Static_assert(L4_SYS_BASE > 0x40000000ULL + 0x10000ULL, "outside Linux and x32 numbers");

#ifndef L4_KERNEL

static inline uint64_t l4_raw_syscall(uint64_t nr, uint64_t a, uint64_t b, uint64_t c,
                                      uint64_t d, uint64_t e, uint64_t f);

/* The full register image of an ipc call; l4_ipc() loads it, traps and stores it back. */
struct l4_ipc_regs {
    l4_threadid_t partner;   /* rdi in/out */
    l4_msgtag_t tag;         /* rsi in */
    uint64_t control;        /* r10 in: l4_ipc_control(...) */
    l4_msg_t msg;            /* MR0..MR7 in/out */
};

/* The one binding of ipc's registers (l4/ipc.h): loads *r, traps, stores the partner and
 * the words back; *rsi_out gets rsi, which names the intended destination of a redirected
 * message (l4_ipc_chief). */
static inline uint64_t l4_ipc_trap(struct l4_ipc_regs *r, uint64_t *rsi_out)
{
    register uint64_t rax __asm__("rax") = L4_SYS_IPC;
    register uint64_t rdi __asm__("rdi") = r->partner;
    register uint64_t rsi __asm__("rsi") = r->tag;
    register uint64_t r10 __asm__("r10") = r->control;
    register uint64_t m0 __asm__("rdx") = r->msg.w[0];
    register uint64_t m1 __asm__("rbx") = r->msg.w[1];
    register uint64_t m2 __asm__("r8") = r->msg.w[2];
    register uint64_t m3 __asm__("r9") = r->msg.w[3];
    register uint64_t m4 __asm__("r12") = r->msg.w[4];
    register uint64_t m5 __asm__("r13") = r->msg.w[5];
    register uint64_t m6 __asm__("r14") = r->msg.w[6];
    register uint64_t m7 __asm__("r15") = r->msg.w[7];
    __asm__ volatile("syscall"
                     : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(r10), "+r"(m0), "+r"(m1),
                       "+r"(m2), "+r"(m3), "+r"(m4), "+r"(m5), "+r"(m6), "+r"(m7)
                     :
                     : "rcx", "r11", "memory");
    r->partner = rdi;
    r->msg.w[0] = m0; r->msg.w[1] = m1; r->msg.w[2] = m2; r->msg.w[3] = m3;
    r->msg.w[4] = m4; r->msg.w[5] = m5; r->msg.w[6] = m6; r->msg.w[7] = m7;
    *rsi_out = rsi;
    return rax;
}

static inline uint64_t l4_ipc(struct l4_ipc_regs *r)
{
    uint64_t unused;
    return l4_ipc_trap(r, &unused);
}

/* Common shapes of ipc. Each returns the result word (see l4/ipc.h). */
static inline uint64_t l4_send(l4_threadid_t to, l4_msgtag_t tag, l4_msg_t *m, l4_timeout_t t)
{
    struct l4_ipc_regs r = { to, tag, l4_ipc_control(L4_IPC_SEND, t, 0), *m };
    return l4_ipc(&r);
}
static inline uint64_t l4_receive(l4_threadid_t *from, l4_msg_t *m, l4_timeout_t t)
{
    unsigned f = L4_IPC_RECV | (l4_tid_is_nil(*from) ? L4_IPC_OPEN : 0);
    struct l4_ipc_regs r = { *from, 0, l4_ipc_control(f, 0, t), {{0}} };
    uint64_t res = l4_ipc(&r);
    *from = r.partner;
    *m = r.msg;
    return res;
}
static inline uint64_t l4_call(l4_threadid_t to, l4_msgtag_t tag, l4_msg_t *m,
                               l4_timeout_t snd, l4_timeout_t rcv)
{
    struct l4_ipc_regs r = { to, tag, l4_ipc_control(L4_IPC_SEND | L4_IPC_RECV, snd, rcv), *m };
    uint64_t res = l4_ipc(&r);
    *m = r.msg;
    return res;
}
static inline uint64_t l4_reply_wait(l4_threadid_t *partner, l4_msgtag_t tag, l4_msg_t *m,
                                     l4_timeout_t rcv)
{
    struct l4_ipc_regs r = { *partner, tag,
        l4_ipc_control(L4_IPC_SEND | L4_IPC_RECV | L4_IPC_OPEN, L4_TIMEOUT_ZERO, rcv), *m };
    uint64_t res = l4_ipc(&r);
    *partner = r.partner;
    *m = r.msg;
    return res;
}

/*
 * Clans (l4/clan.h). l4_ipc_chief is l4_ipc that also returns rsi in *intended: the
 * destination a redirected message was meant for (valid when the result word has
 * L4_RES_REDIRECTED). l4_send_deceiving sends as `vsender` and may go on to receive
 * (flags L4_IPC_RECV, L4_IPC_OPEN); errors: PERMISSION if the direction rule refuses it.
 */
static inline uint64_t l4_ipc_chief(struct l4_ipc_regs *r, l4_threadid_t *intended)
{
    return l4_ipc_trap(r, intended);
}
static inline uint64_t l4_chief_receive(l4_threadid_t *from, l4_threadid_t *intended,
                                        l4_msg_t *m, l4_timeout_t t)
{
    unsigned f = L4_IPC_RECV | (l4_tid_is_nil(*from) ? L4_IPC_OPEN : 0);
    struct l4_ipc_regs r = { *from, 0, l4_ipc_control(f, 0, t), {{0}} };
    uint64_t res = l4_ipc_chief(&r, intended);
    *from = r.partner;
    *m = r.msg;
    return res;
}
static inline uint64_t l4_send_deceiving(l4_threadid_t to, l4_threadid_t vsender, unsigned flags,
                                         l4_msgtag_t tag, l4_msg_t *m, l4_timeout_t snd,
                                         l4_timeout_t rcv, l4_threadid_t *from)
{
    l4_utcb()->virtual_sender = vsender;
    struct l4_ipc_regs r = { to, tag, l4_ipc_control(L4_IPC_SEND | L4_IPC_DECEIT | flags, snd, rcv), *m };
    uint64_t res = l4_ipc(&r);
    if (from)
        *from = r.partner;
    *m = r.msg;
    return res;
}

static inline l4_threadid_t l4_id_nearest(l4_threadid_t dest, uint64_t *type, uint64_t *err)
{
    register uint64_t rax __asm__("rax") = L4_SYS_ID_NEAREST;
    register uint64_t rdi __asm__("rdi") = dest;
    register uint64_t rsi __asm__("rsi") = 0;
    __asm__ volatile("syscall" : "+r"(rax), "+r"(rdi), "+r"(rsi) : : "rcx", "r11", "memory");
    if (type)
        *type = rsi;
    if (err)
        *err = rax;
    return rdi;
}
static inline l4_threadid_t l4_myself(void) { return l4_id_nearest(L4_NILTHREAD, 0, 0); }

/* Creates task `num` (or any, with L4_TASK_ANY) with a kernel-memory quota of `quota`
 * pages carved from the caller's (0: it draws on the caller's); *first gets its first
 * thread's id. */
static inline uint64_t l4_task_new_quota(uint64_t num, uint64_t ip, uint64_t sp,
                                         l4_threadid_t pager, unsigned mcp,
                                         l4_threadid_t exc_handler, uint64_t quota,
                                         l4_threadid_t *first)
{
    register uint64_t rax __asm__("rax") = L4_SYS_TASK_NEW;
    register uint64_t rdi __asm__("rdi") = num;
    register uint64_t rsi __asm__("rsi") = ip;
    register uint64_t rdx __asm__("rdx") = sp;
    register uint64_t r10 __asm__("r10") = pager;
    register uint64_t r8 __asm__("r8") = mcp;
    register uint64_t r9 __asm__("r9") = exc_handler;
    register uint64_t r12 __asm__("r12") = quota;
    __asm__ volatile("syscall" : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
                     : "r"(r12) : "rcx", "r11", "memory");
    if (first)
        *first = rdi;
    return rax;
}
/* Creates a task that draws on the caller's quota (l4_task_new_quota with 0). */
static inline uint64_t l4_task_new(uint64_t num, uint64_t ip, uint64_t sp, l4_threadid_t pager,
                                   unsigned mcp, l4_threadid_t exc_handler, l4_threadid_t *first)
{
    return l4_task_new_quota(num, ip, sp, pager, mcp, exc_handler, 0, first);
}
static inline uint64_t l4_task_delete(unsigned num)
{
    return l4_raw_syscall(L4_SYS_TASK_NEW, num | L4_TASK_DELETE, 0, 0, 0, 0, 0);
}

/* fpage_unmap (l4/fpage.h); *covered gets the number of pages the call covered. */
static inline uint64_t l4_fpage_unmap(uint64_t fpage, uint64_t flags, unsigned task,
                                      uint64_t *covered)
{
    register uint64_t rax __asm__("rax") = L4_SYS_FPAGE_UNMAP;
    register uint64_t rdi __asm__("rdi") = fpage;
    register uint64_t rsi __asm__("rsi") = flags;
    register uint64_t rdx __asm__("rdx") = task;
    __asm__ volatile("syscall" : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx) : : "rcx", "r11", "memory");
    if (covered)
        *covered = rdi;
    return rax;
}

static inline uint64_t l4_thread_switch(l4_threadid_t dest)
{
    register uint64_t rax __asm__("rax") = L4_SYS_THREAD_SWITCH;
    register uint64_t rdi __asm__("rdi") = dest;
    __asm__ volatile("syscall" : "+r"(rax), "+r"(rdi) : : "rcx", "r11", "memory");
    return rax;
}

/* Register image of lthread_ex_regs (l4/thread.h), in and out. */
struct l4_exregs {
    uint64_t control;   /* rdi in; the thread's global id out */
    uint64_t ip, sp, flags, fs_base, gs_base, pager, exc_handler;
    uint64_t state;     /* r14 out */
    uint64_t fault_addr;/* r15 out */
};

static inline uint64_t l4_lthread_ex_regs(struct l4_exregs *x)
{
    register uint64_t rax __asm__("rax") = L4_SYS_LTHREAD_EX_REGS;
    register uint64_t rdi __asm__("rdi") = x->control;
    register uint64_t rsi __asm__("rsi") = x->ip;
    register uint64_t rdx __asm__("rdx") = x->sp;
    register uint64_t r10 __asm__("r10") = x->flags;
    register uint64_t r8 __asm__("r8") = x->fs_base;
    register uint64_t r9 __asm__("r9") = x->gs_base;
    register uint64_t r12 __asm__("r12") = x->pager;
    register uint64_t r13 __asm__("r13") = x->exc_handler;
    register uint64_t r14 __asm__("r14") = 0;
    register uint64_t r15 __asm__("r15") = 0;
    __asm__ volatile("syscall"
                     : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
                       "+r"(r9), "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
                     :
                     : "rcx", "r11", "memory");
    x->control = rdi; x->ip = rsi; x->sp = rdx; x->flags = r10; x->fs_base = r8;
    x->gs_base = r9; x->pager = r12; x->exc_handler = r13; x->state = r14;
    x->fault_addr = r15;
    return rax;
}

/* Register image of thread_schedule (l4/thread.h). */
struct l4_sched {
    l4_threadid_t thread;   /* rdi */
    uint64_t set;           /* rsi: L4_SCHED_SET_* */
    uint64_t prio;          /* rdx in/out */
    uint64_t slice_us;      /* r10 in/out */
    uint64_t state;         /* r8 out */
    uint64_t consumed_us;   /* r9 out */
    l4_threadid_t partner;  /* r12 out */
};

static inline uint64_t l4_thread_schedule(struct l4_sched *s)
{
    register uint64_t rax __asm__("rax") = L4_SYS_THREAD_SCHEDULE;
    register uint64_t rdi __asm__("rdi") = s->thread;
    register uint64_t rsi __asm__("rsi") = s->set;
    register uint64_t rdx __asm__("rdx") = s->prio;
    register uint64_t r10 __asm__("r10") = s->slice_us;
    register uint64_t r8 __asm__("r8") = 0;
    register uint64_t r9 __asm__("r9") = 0;
    register uint64_t r12 __asm__("r12") = 0;
    __asm__ volatile("syscall"
                     : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
                       "+r"(r9), "+r"(r12)
                     :
                     : "rcx", "r11", "memory");
    s->prio = rdx; s->slice_us = r10; s->state = r8; s->consumed_us = r9; s->partner = r12;
    return rax;
}

/* A raw call with up to six word arguments in rdi rsi rdx r10 r8 r9; returns rax. */
static inline uint64_t l4_raw_syscall(uint64_t nr, uint64_t a, uint64_t b, uint64_t c,
                                      uint64_t d, uint64_t e, uint64_t f)
{
    register uint64_t rax __asm__("rax") = nr;
    register uint64_t rdi __asm__("rdi") = a;
    register uint64_t rsi __asm__("rsi") = b;
    register uint64_t rdx __asm__("rdx") = c;
    register uint64_t r10 __asm__("r10") = d;
    register uint64_t r8 __asm__("r8") = e;
    register uint64_t r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
                     :
                     : "rcx", "r11", "r12", "r13", "r14", "r15", "rbx", "memory");
    return rax;
}

#endif /* !L4_KERNEL */

#endif
