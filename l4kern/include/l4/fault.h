/*
 * l4/fault.h — page faults and exceptions as IPC.
 *
 * Page fault: the kernel makes the faulting thread call its pager with
 *     label L4_LABEL_PAGEFAULT | access (L4_FPAGE_R/W/X: what the access needed),
 *     u = 2: MR0 = fault address, MR1 = instruction pointer.
 * The thread then waits for the pager's reply; map and grant items in it are applied with
 * the whole user half as the receive window (a map item whose hot spot is the fault
 * address lands there). Any reply resumes the thread, which retries the access. A fault
 * of a thread with no pager (see "cannot answer" below) is exception 14 instead.
 *
 * Exception: every CPU exception of a user thread, and every `syscall` whose number is not
 * an L4 call, makes the thread call its exception handler with
 *     label L4_LABEL_EXCEPTION, u = L4_EXC_WORDS, the words below.
 * ADDR is CR2 for vector 14, 0 for other CPU exceptions. For a foreign system call the
 * vector is L4_EXC_SYSCALL, ADDR (and RAX) the number, and RIP is already past the
 * `syscall` instruction (RCX and R11 hold what `syscall` put there). A reply with at least
 * L4_EXC_WORDS untyped words sets RIP..GS from those words: RFLAGS is masked as for
 * lthread_ex_regs, and a reply with RIP, RSP, FS or GS outside the user half is refused
 * (the replier's send phase fails with L4_ERR_INVALID; the thread keeps waiting). A
 * shorter reply resumes the thread unchanged (a faulting instruction is retried).
 * A thread with no exception handler is stopped, and its pager, if any, is sent the same
 * words with label L4_LABEL_STOPPED (the send waits until the pager takes it).
 * A pager or handler that cannot answer counts as none: the call failed with NO_PARTNER
 * (nil, or gone, also while the thread waits), DEADLOCK (the thread is its own pager or
 * handler), MSG_TOO_LONG (it takes fewer words) or INVALID. Only CANCELLED (lthread_ex_regs
 * on the thread) lets the thread run on.
 * The words of a thread's own UTCB are never touched by these messages.
 */
#ifndef L4_FAULT_H
#define L4_FAULT_H

#include <l4/types.h>

#define L4_LABEL_PAGEFAULT  0xffffff00u    /* | access rights in bits 0..2 */
#define L4_LABEL_EXCEPTION  0xfffffe00u
#define L4_LABEL_STOPPED    0xfffffd00u
#define L4_EXC_SYSCALL      0x100u

enum l4_exc_word {
    L4_EXC_VECTOR, L4_EXC_ERROR, L4_EXC_ADDR,
    L4_EXC_RIP, L4_EXC_RFLAGS, L4_EXC_RSP,
    L4_EXC_RAX, L4_EXC_RBX, L4_EXC_RCX, L4_EXC_RDX, L4_EXC_RSI, L4_EXC_RDI, L4_EXC_RBP,
    L4_EXC_R8, L4_EXC_R9, L4_EXC_R10, L4_EXC_R11, L4_EXC_R12, L4_EXC_R13, L4_EXC_R14,
    L4_EXC_R15, L4_EXC_FS, L4_EXC_GS,
    L4_EXC_WORDS
};

_Static_assert(L4_EXC_WORDS == 23, "exception message layout is ABI");

#endif
