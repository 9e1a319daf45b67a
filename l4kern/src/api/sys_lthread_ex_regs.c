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
#include <arch/sysregs.h>
#include <k/x86.h>
#include <l4/errors.h>
#include <l4/layout.h>

#define SET_BOTH (L4_EXREGS_SET_IP | L4_EXREGS_SET_SP)
#define ANY_SET (SET_BOTH | L4_EXREGS_SET_FLAGS | L4_EXREGS_SET_FS | L4_EXREGS_SET_GS | \
                 L4_EXREGS_SET_PAGER | L4_EXREGS_SET_EXCH)

static int user_addr(uint64_t a) { return a < L4_USER_END; }

static enum l4_error validate(const struct sysregs_exregs *in, const struct tcb *t)
{
    uint64_t c = in->control;
    if (c & ~L4_EXREGS_VALID)
        return reject(L4_ERR_INVALID, "control: unknown bits");
    if (((c & L4_EXREGS_SET_IP) && !user_addr(in->ip)) ||
        ((c & L4_EXREGS_SET_SP) && !user_addr(in->sp)))
        return reject(L4_ERR_INVALID, "ip/sp: outside the user half");
    if (((c & L4_EXREGS_SET_FS) && !user_addr(in->fs_base)) ||
        ((c & L4_EXREGS_SET_GS) && !user_addr(in->gs_base)))
        return reject(L4_ERR_INVALID, "fs/gs base: outside the user half");
    if (!t && (c & SET_BOTH) != SET_BOTH)
        return (c & (ANY_SET | L4_EXREGS_CANCEL | L4_EXREGS_HALT))
                   ? reject(L4_ERR_INVALID, "control: a new thread needs both ip and sp")
                   : reject(L4_ERR_NO_PARTNER, "control: no such lthread");
    return L4_OK;
}

static struct tcb *create(struct tcb *self, unsigned lthread, const struct sysregs_exregs *in)
{
    struct tcb *t = thread_create(self->task, lthread, in->ip, in->sp);
    if (!t)
        return NULL;
    t->prio = self->prio;
    t->slice_ticks = t->slice_left = self->slice_ticks;
    t->pager = self->pager;
    t->exc_handler = self->exc_handler;
    return t;
}

static void apply(struct tcb *t, const struct sysregs_exregs *in)
{
    uint64_t c = in->control;
    if (c & L4_EXREGS_SET_IP)
        sysregs_set_ip(t->tf, in->ip);
    if (c & L4_EXREGS_SET_SP)
        sysregs_set_sp(t->tf, in->sp);
    if (c & L4_EXREGS_SET_FLAGS)
        sysregs_set_flags(t->tf, (in->flags & L4_USER_RFLAGS_MASK) | RFLAGS_USER_DEFAULT);
    if (c & L4_EXREGS_SET_FS)
        t->fs_base = in->fs_base;
    if (c & L4_EXREGS_SET_GS)
        t->gs_base = in->gs_base;
    if (c & L4_EXREGS_SET_PAGER)
        t->pager = in->pager;
    if (c & L4_EXREGS_SET_EXCH)
        t->exc_handler = in->exc_handler;
    if ((c & L4_EXREGS_SET_FS) && t == current())
        wrmsr(MSR_FS_BASE, t->fs_base);
    if ((c & L4_EXREGS_SET_GS) && t == current())
        wrmsr(MSR_KERNEL_GS_BASE, t->gs_base);
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

enum l4_error sys_lthread_ex_regs(struct tcb *self, struct trapframe *tf)
{
    struct sysregs_exregs in = sysregs_exregs_in(tf);
    unsigned lthread = (unsigned)(in.control & L4_EXREGS_LTHREAD_MASK);
    struct tcb *t = self->task->threads[lthread];
    enum l4_error err = validate(&in, t);
    if (err)
        return err;
    if (!t && !(t = create(self, lthread, &in)))
        return reject(L4_ERR_NO_MEMORY, "the task's kernel memory: no room for a thread");
    struct sysregs_exregs old = {
        .control = t->id, .ip = sysregs_ip(t->tf), .sp = sysregs_sp(t->tf),
        .flags = sysregs_flags(t->tf), .fs_base = t->fs_base, .gs_base = t->gs_base,
        .pager = t->pager, .exc_handler = t->exc_handler, .state = thread_state_word(t),
        .fault_addr = t->fault_addr,
    };
    sysregs_exregs_out(tf, &old);
    apply(t, &in);
    act(t, in.control);
    return L4_OK;
}
