/*
 * fault.c — the fault-to-IPC policy (k/fault.h). A fault is a kernel-made call on the
 * thread's behalf (ipc_kcall); the thread is blocked in it until its pager or handler
 * replies. Gone handlers, and handlers that cannot take the call, stop the thread: a
 * fault retried after such a failure would fail the same way, forever, at full CPU.
 */
#include <k/fault.h>
#include <k/ipc.h>
#include <k/log.h>
#include <k/space.h>
#include <l4/fault.h>
#include <l4/layout.h>
#include <arch/sysregs.h>

/* Stops t for an exception or a call it cannot make; its state word keeps the vector. */
static void stop(struct tcb *t, unsigned vector, uint64_t addr, const char *what)
{
    klog(LOG_WARN, "thread %lx stopped: %s at rip %lx (error %lx, address %lx)",
         t->id, what, t->kmsg[L4_EXC_RIP], t->kmsg[L4_EXC_ERROR], addr);
    t->fault_vector = (uint8_t)vector;
    t->fault_addr = addr;
    t->faulted = 1;
    thread_stop(t);
}

/* Whether a fault call's error means no answer will ever come: the handler is gone
 * (NO_PARTNER), is the thread itself (DEADLOCK), or refuses the message (MSG_TOO_LONG:
 * it takes fewer words; INVALID). Only CANCELLED is not: the thread's own task stepped
 * in through lthread_ex_regs, and the thread runs on (or stays halted) as it asked. */
static int unanswerable(unsigned err)
{
    return err != L4_OK && err != L4_ERR_CANCELLED;
}

/* No handler can answer: the pager, if any, is sent the full set, and t stops. */
static void unanswered(struct tcb *t, struct trapframe *tf, unsigned vector, uint64_t addr,
                       unsigned state_vector, const char *what)
{
    arch_exception_words(t, tf, vector, addr);      /* a reply may have overwritten them */
    if (thread_lookup(t->pager))
        ipc_kcall(t, t->pager, L4_LABEL_STOPPED, L4_EXC_WORDS, KCALL_NOTIFY, L4_IPC_SEND);
    stop(t, state_vector, addr, what);
}

void fault_exception(struct tcb *t, struct trapframe *tf, unsigned vector, uint64_t addr,
                     unsigned state_vector, const char *what)
{
    arch_exception_words(t, tf, vector, addr);
    if (thread_lookup(t->exc_handler)) {
        unsigned err = ipc_kcall(t, t->exc_handler, L4_LABEL_EXCEPTION, L4_EXC_WORDS,
                                 KCALL_EXCEPTION, L4_IPC_SEND | L4_IPC_RECV);
        if (!err && l4_msgtag_u(t->ipc_rcv_tag) >= L4_EXC_WORDS)
            arch_exception_reply(t, tf);
        if (!unanswerable(err))
            return;                         /* resumed, retried, or restarted */
    }
    unanswered(t, tf, vector, addr, state_vector, what);
}

/* sigma0's window is the kernel's to fill; everything else below the kernel-managed area
 * goes to the pager; the rest is an exception. */
void fault_page(struct tcb *t, struct trapframe *tf, uint64_t addr, unsigned access, uint64_t ip)
{
    if (sigma0_window_fault(t->task, addr))
        return;
    if (addr >= L4_USER_RESERVED_BASE || !thread_lookup(t->pager)) {
        fault_exception(t, tf, 14, addr, 14, "page fault");
        return;
    }
    t->kmsg[0] = addr;
    t->kmsg[1] = ip;
    if (unanswerable(ipc_kcall(t, t->pager, L4_LABEL_PAGEFAULT | access, 2, KCALL_PAGEFAULT,
                               L4_IPC_SEND | L4_IPC_RECV)))
        fault_exception(t, tf, 14, addr, 14, "page fault, no answer from the pager");
}

/*
 * The rest of a foreign system call, once its handler answered the message sent (err: the
 * call's result; ipc.c checked the reply, l4/fault.h). A request for the full set is met
 * by a call with the full message; RAX still holds the number then, since no reply has
 * been applied. The number stands where a page fault's address would: in the full set's
 * ADDR word and, if the thread stops, in its state (r15 of lthread_ex_regs).
 */
static void syscall_answered(struct tcb *t, struct trapframe *tf, unsigned err)
{
    uint64_t number = sysregs_number(tf);
    while (!err && l4_msgtag_label(t->ipc_rcv_tag) == L4_LABEL_EXC_FULL) {
        arch_exception_words(t, tf, L4_EXC_SYSCALL, number);
        err = ipc_kcall(t, t->exc_handler, L4_LABEL_EXCEPTION, L4_EXC_WORDS, KCALL_SYSCALL,
                        L4_IPC_SEND | L4_IPC_RECV);
    }
    if (!err) {
        unsigned u = l4_msgtag_u(t->ipc_rcv_tag);
        if (u >= L4_EXC_WORDS)
            arch_exception_reply(t, tf);
        else
            arch_syscall_reply(t, tf, u);
    } else if (unanswerable(err)) {
        unanswered(t, tf, L4_EXC_SYSCALL, number, L4_FAULT_BAD_SYSCALL, "unknown system call");
    }
}

void fault_foreign_syscall(struct tcb *t, struct trapframe *tf)
{
    if (!thread_lookup(t->exc_handler)) {
        syscall_answered(t, tf, L4_ERR_NO_PARTNER);
        return;
    }
    arch_syscall_words(t, tf);
    syscall_answered(t, tf, ipc_kcall(t, t->exc_handler, L4_LABEL_EXCEPTION, L4_EXS_WORDS,
                                      KCALL_SYSCALL, L4_IPC_SEND | L4_IPC_RECV));
}

void fault_syscall_resumed(struct tcb *t, struct trapframe *tf)
{
    t->kcall = KCALL_NONE;
    syscall_answered(t, tf, t->ipc_err);
}
