/*
 * arch/sysregs.h — the system-call register convention of x86-64, in one place: which
 * register carries each call's arguments, results and message words (the ABI of
 * l4/syscalls.h, l4/ipc.h, l4/thread.h, l4/fpage.h). Nothing else in the kernel names a
 * register for an argument: handlers decode with these functions and write results with
 * them, so the convention can be read, and changed, here alone.
 *
 *   rax                 call number in; status (or ipc's result word) out
 *   rdi rsi rdx r10     arguments 0..3; r8 r9 r12 r13 arguments 4..7; r14 r15 results 8, 9
 *   rdx rbx r8 r9 r12 r13 r14 r15   ipc's message words MR0..MR7
 *   rcx r11             taken by `syscall` (return rip, rflags)
 */
#ifndef ARCH_SYSREGS_H
#define ARCH_SYSREGS_H

#include <k/trapframe.h>
#include <k/x86.h>
#include <l4/errors.h>
#include <l4/fault.h>
#include <l4/ipc.h>
#include <l4/types.h>

static inline uint64_t sysregs_number(const struct trapframe *tf) { return tf->rax; }
static inline void sysregs_set_status(struct trapframe *tf, enum l4_error e) { tf->rax = e; }

/* ---- ipc (l4/ipc.h) ---- */
struct sysregs_ipc {
    l4_threadid_t partner;
    l4_msgtag_t tag;
    uint64_t control;            /* l4_ipc_control(): flags and both timeouts */
};
static inline struct sysregs_ipc sysregs_ipc_in(const struct trapframe *tf)
{
    return (struct sysregs_ipc){ .partner = tf->rdi, .tag = tf->rsi, .control = tf->r10 };
}
static inline void sysregs_ipc_result(struct trapframe *tf, uint64_t res) { tf->rax = res; }
/* What a receiver learns besides the words: the sender, and where a redirected message
 * was meant to go (l4/clan.h). */
static inline void sysregs_ipc_from(struct trapframe *tf, l4_threadid_t from) { tf->rdi = from; }
static inline void sysregs_ipc_intended(struct trapframe *tf, l4_threadid_t to) { tf->rsi = to; }

static inline uint64_t sysregs_mr(const struct trapframe *tf, unsigned i)
{
    switch (i) {
    case 0: return tf->rdx;
    case 1: return tf->rbx;
    case 2: return tf->r8;
    case 3: return tf->r9;
    case 4: return tf->r12;
    case 5: return tf->r13;
    case 6: return tf->r14;
    default: return tf->r15;
    }
}
static inline void sysregs_set_mr(struct trapframe *tf, unsigned i, uint64_t w)
{
    switch (i) {
    case 0: tf->rdx = w; break;
    case 1: tf->rbx = w; break;
    case 2: tf->r8 = w; break;
    case 3: tf->r9 = w; break;
    case 4: tf->r12 = w; break;
    case 5: tf->r13 = w; break;
    case 6: tf->r14 = w; break;
    default: tf->r15 = w;
    }
}
/* The first n (at most 8) register words into w[0..n), and back: block copies for the
 * general path's transfers. */
#define SYSREGS_FT __attribute__((fallthrough))
static inline void sysregs_get_mrs(const struct trapframe *tf, uint64_t *w, unsigned n)
{
    switch (n) {
    default: w[7] = tf->r15; SYSREGS_FT;
    case 7: w[6] = tf->r14; SYSREGS_FT;
    case 6: w[5] = tf->r13; SYSREGS_FT;
    case 5: w[4] = tf->r12; SYSREGS_FT;
    case 4: w[3] = tf->r9; SYSREGS_FT;
    case 3: w[2] = tf->r8; SYSREGS_FT;
    case 2: w[1] = tf->rbx; SYSREGS_FT;
    case 1: w[0] = tf->rdx; SYSREGS_FT;
    case 0: break;
    }
}
static inline void sysregs_set_mrs(struct trapframe *tf, const uint64_t *w, unsigned n)
{
    switch (n) {
    default: tf->r15 = w[7]; SYSREGS_FT;
    case 7: tf->r14 = w[6]; SYSREGS_FT;
    case 6: tf->r13 = w[5]; SYSREGS_FT;
    case 5: tf->r12 = w[4]; SYSREGS_FT;
    case 4: tf->r9 = w[3]; SYSREGS_FT;
    case 3: tf->r8 = w[2]; SYSREGS_FT;
    case 2: tf->rbx = w[1]; SYSREGS_FT;
    case 1: tf->rdx = w[0]; SYSREGS_FT;
    case 0: break;
    }
}

/* The first n (at most 8) register words from frame to frame, for the fastpath: the
 * receiver's registers beyond n stay its own (a copy of all eight would hand it the
 * sender's leftovers). */
static inline void sysregs_copy_mrs_n(struct trapframe *d, const struct trapframe *s, unsigned n)
{
    switch (n) {
    default: d->r15 = s->r15; SYSREGS_FT;
    case 7: d->r14 = s->r14; SYSREGS_FT;
    case 6: d->r13 = s->r13; SYSREGS_FT;
    case 5: d->r12 = s->r12; SYSREGS_FT;
    case 4: d->r9 = s->r9; SYSREGS_FT;
    case 3: d->r8 = s->r8; SYSREGS_FT;
    case 2: d->rbx = s->rbx; SYSREGS_FT;
    case 1: d->rdx = s->rdx; SYSREGS_FT;
    case 0: break;
    }
}

#undef SYSREGS_FT

/* The short message of a foreign system call (enum l4_exc_short), from the caller's frame:
 * an initializer, the one place its layout is written (trap.c, fastpath.c). */
#define SYSREGS_SYSCALL_WORDS(tf) { L4_EXC_SYSCALL, (tf)->rax, (tf)->rdi, (tf)->rip, \
                                    (tf)->rsi, (tf)->rdx, (tf)->r10, (tf)->r8, (tf)->r9 }
/* A short reply's result (enum l4_exc_reply). */
static inline void sysregs_syscall_result(struct trapframe *tf, uint64_t rax) { tf->rax = rax; }

/* ---- id_nearest (l4/syscalls.h) ---- */
static inline l4_threadid_t sysregs_nearest_in(const struct trapframe *tf) { return tf->rdi; }
static inline void sysregs_nearest_out(struct trapframe *tf, l4_threadid_t first, unsigned type)
{
    tf->rdi = first;
    tf->rsi = type;
}

/* ---- fpage_unmap (l4/fpage.h) ---- */
struct sysregs_unmap {
    uint64_t fpage, flags, task;
};
static inline struct sysregs_unmap sysregs_unmap_in(const struct trapframe *tf)
{
    return (struct sysregs_unmap){ .fpage = tf->rdi, .flags = tf->rsi, .task = tf->rdx };
}
static inline void sysregs_unmap_out(struct trapframe *tf, uint64_t covered) { tf->rdi = covered; }

/* ---- thread_switch (l4/thread.h) ---- */
static inline l4_threadid_t sysregs_switch_in(const struct trapframe *tf) { return tf->rdi; }

/* ---- thread_schedule (l4/thread.h) ---- */
struct sysregs_sched {
    l4_threadid_t thread;
    uint64_t set, prio, slice_us;                   /* in */
    uint64_t state, consumed_us, partner;           /* out, with prio and slice_us */
};
static inline struct sysregs_sched sysregs_sched_in(const struct trapframe *tf)
{
    return (struct sysregs_sched){ .thread = tf->rdi, .set = tf->rsi, .prio = tf->rdx,
                                   .slice_us = tf->r10 };
}
static inline void sysregs_sched_out(struct trapframe *tf, const struct sysregs_sched *s)
{
    tf->rdx = s->prio; tf->r10 = s->slice_us; tf->r8 = s->state;
    tf->r9 = s->consumed_us; tf->r12 = s->partner;
}

/* ---- lthread_ex_regs (l4/thread.h) ---- */
struct sysregs_exregs {
    uint64_t control;          /* in; the thread's id out */
    uint64_t ip, sp, flags, fs_base, gs_base, pager, exc_handler;
    uint64_t state, fault_addr;                     /* out only */
};
static inline struct sysregs_exregs sysregs_exregs_in(const struct trapframe *tf)
{
    return (struct sysregs_exregs){ .control = tf->rdi, .ip = tf->rsi, .sp = tf->rdx,
                                    .flags = tf->r10, .fs_base = tf->r8, .gs_base = tf->r9,
                                    .pager = tf->r12, .exc_handler = tf->r13 };
}
static inline void sysregs_exregs_out(struct trapframe *tf, const struct sysregs_exregs *x)
{
    tf->rdi = x->control; tf->rsi = x->ip; tf->rdx = x->sp; tf->r10 = x->flags;
    tf->r8 = x->fs_base; tf->r9 = x->gs_base; tf->r12 = x->pager; tf->r13 = x->exc_handler;
    tf->r14 = x->state; tf->r15 = x->fault_addr;
}

/* ---- task_new (l4/syscalls.h) ---- */
struct sysregs_task_new {
    uint64_t num, ip, sp, pager, mcp, exc_handler, quota;
};
static inline struct sysregs_task_new sysregs_task_new_in(const struct trapframe *tf)
{
    return (struct sysregs_task_new){ .num = tf->rdi, .ip = tf->rsi, .sp = tf->rdx,
                                      .pager = tf->r10, .mcp = tf->r8, .exc_handler = tf->r9,
                                      .quota = tf->r12 };
}
static inline void sysregs_task_new_out(struct trapframe *tf, l4_threadid_t first) { tf->rdi = first; }

/* ---- the kernel-debugger trap (l4/kdebug.h): int3 at rip, arguments in rdi, rsi ---- */
static inline uint64_t sysregs_kdb_rip(const struct trapframe *tf) { return tf->rip; }
static inline uint64_t sysregs_kdb_arg(const struct trapframe *tf, unsigned i)
{
    return i == 0 ? tf->rdi : tf->rsi;
}

/* ---- a thread's place: where it runs, its stack and flags, and the one word a new thread
 * is given (the KIP's address) ---- */
static inline uint64_t sysregs_ip(const struct trapframe *tf) { return tf->rip; }
static inline uint64_t sysregs_sp(const struct trapframe *tf) { return tf->rsp; }
static inline uint64_t sysregs_flags(const struct trapframe *tf) { return tf->rflags; }
static inline void sysregs_set_ip(struct trapframe *tf, uint64_t ip) { tf->rip = ip; }
static inline void sysregs_set_sp(struct trapframe *tf, uint64_t sp) { tf->rsp = sp; }
static inline void sysregs_set_flags(struct trapframe *tf, uint64_t f) { tf->rflags = f; }
static inline void sysregs_set_start_arg(struct trapframe *tf, uint64_t v) { tf->rdi = v; }
/* A new thread's frame: user mode at ip with stack sp, interrupts on. */
static inline void sysregs_init_user(struct trapframe *tf, uint64_t ip, uint64_t sp)
{
    tf->rip = ip;
    tf->rsp = sp;
    tf->rflags = RFLAGS_USER_DEFAULT;
    tf->cs = USER_CS;
    tf->ss = USER_DS;
}

#endif
