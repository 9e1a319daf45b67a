/*
 * sys_lthread_ex_regs.c — read and write a thread of the caller's own task: create it,
 * set its ip/sp/flags/FS/GS base/pager/exception handler, cancel its IPC, halt or restart
 * it (l4/thread.h). Every value is checked before anything changes: a non-canonical base
 * would fault inside the kernel when loaded, and a kernel-half ip or sp is never valid.
 */
#include <k/cpu.h>
#include <k/ipc.h>
#include <k/sched.h>
#include <k/syscall.h>
#include <k/x86.h>
#include <l4/errors.h>
#include <l4/layout.h>

#define SET_BOTH (L4_EXREGS_SET_IP | L4_EXREGS_SET_SP)
#define ANY_SET (SET_BOTH | L4_EXREGS_SET_FLAGS | L4_EXREGS_SET_FS | L4_EXREGS_SET_GS | \
                 L4_EXREGS_SET_PAGER | L4_EXREGS_SET_EXCH)

static int user_addr(uint64_t a) { return a < L4_USER_END; }

static unsigned validate(uint64_t c, const struct trapframe *tf, const struct tcb *t)
{
    if (c & ~L4_EXREGS_VALID)
        return L4_ERR_INVALID;
    if (((c & L4_EXREGS_SET_IP) && !user_addr(tf->rsi)) ||
        ((c & L4_EXREGS_SET_SP) && !user_addr(tf->rdx)) ||
        ((c & L4_EXREGS_SET_FS) && !user_addr(tf->r8)) ||
        ((c & L4_EXREGS_SET_GS) && !user_addr(tf->r9)))
        return L4_ERR_INVALID;
    if (!t && (c & SET_BOTH) != SET_BOTH)
        return (c & (ANY_SET | L4_EXREGS_CANCEL | L4_EXREGS_HALT)) ? L4_ERR_INVALID
                                                                    : L4_ERR_NO_PARTNER;
    return L4_OK;
}

static struct tcb *create(struct tcb *self, unsigned lthread, const struct trapframe *tf)
{
    struct tcb *t = thread_create(self->task, lthread, tf->rsi, tf->rdx);
    if (!t)
        return NULL;
    t->prio = self->prio;
    t->slice_ticks = t->slice_left = self->slice_ticks;
    t->pager = self->pager;
    t->exc_handler = self->exc_handler;
    return t;
}

static void apply(struct tcb *t, uint64_t c, const struct trapframe *in)
{
    if (c & L4_EXREGS_SET_IP)
        t->tf->rip = in->rsi;
    if (c & L4_EXREGS_SET_SP)
        t->tf->rsp = in->rdx;
    if (c & L4_EXREGS_SET_FLAGS)
        t->tf->rflags = (in->r10 & L4_USER_RFLAGS_MASK) | RFLAGS_USER_DEFAULT;
    if (c & L4_EXREGS_SET_FS)
        t->fs_base = in->r8;
    if (c & L4_EXREGS_SET_GS)
        t->gs_base = in->r9;
    if (c & L4_EXREGS_SET_PAGER)
        t->pager = in->r12;
    if (c & L4_EXREGS_SET_EXCH)
        t->exc_handler = in->r13;
    if ((c & L4_EXREGS_SET_FS) && t == current())
        wrmsr(MSR_FS_BASE, this_cpu()->fs_loaded = t->fs_base);
    if ((c & L4_EXREGS_SET_GS) && t == current())
        wrmsr(MSR_KERNEL_GS_BASE, this_cpu()->gs_loaded = t->gs_base);
}

/* Cancels, halts or (re)starts t as the control word asks, after apply(). */
static void act(struct tcb *t, uint64_t c)
{
    if (c & (L4_EXREGS_CANCEL | L4_EXREGS_HALT)) {
        int was_blocked = t->state == L4_TSTATE_SENDING || t->state == L4_TSTATE_RECEIVING;
        ipc_abort(t, L4_ERR_CANCELLED);
        if (was_blocked && !(c & L4_EXREGS_HALT))
            sched_ready(t);
    }
    if (c & L4_EXREGS_HALT)
        thread_stop(t);
    else if ((c & SET_BOTH) == SET_BOTH)
        thread_restart(t);
}

void sys_lthread_ex_regs(struct tcb *self, struct trapframe *tf)
{
    uint64_t c = tf->rdi;
    unsigned lthread = (unsigned)(c & L4_EXREGS_LTHREAD_MASK);
    struct tcb *t = self->task->threads[lthread];
    unsigned err = validate(c, tf, t);
    if (err) {
        tf->rax = err;
        return;
    }
    if (!t && !(t = create(self, lthread, tf))) {
        tf->rax = L4_ERR_NO_MEMORY;
        return;
    }
    struct trapframe in = *tf;
    tf->rax = L4_OK;
    tf->rdi = t->id;
    tf->rsi = t->tf->rip;
    tf->rdx = t->tf->rsp;
    tf->r10 = t->tf->rflags;
    tf->r8 = t->fs_base;
    tf->r9 = t->gs_base;
    tf->r12 = t->pager;
    tf->r13 = t->exc_handler;
    tf->r14 = thread_state_word(t);
    tf->r15 = t->fault_addr;
    apply(t, c, &in);
    act(t, c);
}
