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
 * Exception: every CPU exception of a user thread makes the thread call its exception
 * handler with
 *     label L4_LABEL_EXCEPTION, u = L4_EXC_WORDS, the full set of words below.
 * ADDR is CR2 for vector 14, 0 for other CPU exceptions. A reply with at least
 * L4_EXC_WORDS untyped words sets RIP..GS from those words: RFLAGS is masked as for
 * lthread_ex_regs, and a reply with RIP, RSP, FS or GS outside the user half is refused
 * (the replier's send phase fails with L4_ERR_INVALID; the thread keeps waiting). A
 * shorter reply resumes the thread unchanged (a faulting instruction is retried).
 *
 * Foreign system call: every `syscall` whose number is not an L4 call makes the thread
 * call its handler with the short message instead: the registers a Linux call uses,
 *     label L4_LABEL_EXCEPTION, u = L4_EXS_WORDS, the words of enum l4_exc_short.
 * VECTOR (L4_EXC_SYSCALL) and RIP (already past the `syscall`) stand where they stand in
 * the full set, so a handler can tell the two apart by VECTOR and report RIP alike. The
 * handler's reply, to the short message and to a full one alike, is one of
 *     u = 0                  the thread resumes unchanged (RAX still holds the number);
 *     u = 1                  RAX = word 0: the call's result;
 *     u = 2                  RAX = word 0, and the FS base = word 1 (arch_prctl);
 *     u >= L4_EXC_WORDS      the full reply of a CPU exception above: every register;
 *     label L4_LABEL_EXC_FULL, u = 0
 *                            the full set, please: the thread calls the handler again with
 *                            the full message (VECTOR L4_EXC_SYSCALL, ADDR and RAX the
 *                            number, RCX and R11 what `syscall` put there) and waits for
 *                            the reply to that;
 * and any other is refused as a bad full reply is (FS outside the user half, too). Map
 * and grant items may come with any of them. The full reply is how a handler sets
 * registers other than RAX and FS: it asks for the full set first, so that it knows them.
 *
 * A thread with no exception handler is stopped, and its pager, if any, is sent the full
 * set with label L4_LABEL_STOPPED (the send waits until the pager takes it).
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
#define L4_LABEL_EXC_FULL   0xfffffb00u    /* a handler's reply: send the full set */
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

/* The short message of a foreign system call: the number, the six arguments in Linux's
 * order (RDI, RSI, RDX, R10, R8, R9), and RIP; VECTOR and RIP where the full set has them. */
enum l4_exc_short {
    L4_EXS_VECTOR, L4_EXS_NR, L4_EXS_ARG0, L4_EXS_RIP,
    L4_EXS_ARG1, L4_EXS_ARG2, L4_EXS_ARG3, L4_EXS_ARG4, L4_EXS_ARG5,
    L4_EXS_WORDS
};
/* The words of a short reply. */
enum l4_exc_reply { L4_EXR_RAX, L4_EXR_FS, L4_EXR_WORDS };

_Static_assert((int)L4_EXS_VECTOR == (int)L4_EXC_VECTOR && (int)L4_EXS_RIP == (int)L4_EXC_RIP,
               "the short message keeps VECTOR and RIP where the full set has them");
_Static_assert(L4_EXS_WORDS == 9, "short exception message layout is ABI");

#endif
