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
/* A system call whose number is not one of the seven (a Linux call from musl, say):
 * `number` is what the thread asked for, the exception's ADDR word. */
void fault_foreign_syscall(struct tcb *t, struct trapframe *tf, uint64_t number);

/* trap.c: the exception words of l4/fault.h from the saved registers, and a handler's
 * full reply (already checked by ipc.c) back into them. */
void arch_exception_words(struct tcb *t, const struct trapframe *tf, unsigned vector,
                          uint64_t addr);
void arch_exception_reply(struct tcb *t, struct trapframe *tf);

#endif
