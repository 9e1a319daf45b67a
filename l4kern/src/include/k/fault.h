/*
 * k/fault.h — what becomes of a user thread's fault (kernel/fault.c): a page fault is a
 * call to its pager, an exception or a foreign system call a call to its exception
 * handler (l4/fault.h); a thread without the one it needs, or whose handler can never
 * answer (gone, itself, refusing the message), stops, and its pager is told.
 * The architecture (arch/x86_64/trap.c) decodes the vector and fills the words.
 */
#ifndef K_FAULT_H
#define K_FAULT_H

#include <k/thread.h>

/* A user page fault at addr (access L4_FPAGE_R, W or X) at instruction ip. */
void fault_page(struct tcb *t, struct trapframe *tf, uint64_t addr, unsigned access, uint64_t ip);
/* An exception `vector` (addr: the faulting address, where there is one); the thread's
 * state word records `state_vector` if it stops; `what` names it in the log. */
void fault_exception(struct tcb *t, struct trapframe *tf, unsigned vector, uint64_t addr,
                     unsigned state_vector, const char *what);
/* A system call whose number (RAX) is not one of the seven (a Linux call from musl, say).
 * The short message goes to the handler
 * (when fastpath_syscall could not take it), the full set if the handler asks for it. */
void fault_foreign_syscall(struct tcb *t, struct trapframe *tf);
/* A thread the fastpath parked in its foreign system call's kernel-made call, woken by the
 * general path (with the handler's reply in t->kmsg, or an error): the call goes on. */
void fault_syscall_resumed(struct tcb *t, struct trapframe *tf);

/* trap.c: the exception words of l4/fault.h from the saved registers, and a handler's
 * full reply (already checked by ipc.c) back into them. */
void arch_exception_words(struct tcb *t, const struct trapframe *tf, unsigned vector,
                          uint64_t addr);
void arch_exception_reply(struct tcb *t, struct trapframe *tf);
/* The short message of a foreign system call into t->kmsg, and a short reply (u of
 * L4_EXR_WORDS words, checked by ipc.c) back into the registers. */
void arch_syscall_words(struct tcb *t, const struct trapframe *tf);
void arch_syscall_reply(struct tcb *t, struct trapframe *tf, unsigned u);

#endif
