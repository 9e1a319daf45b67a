/*
 * k/syscall.h — the system-call table. Each handler decodes its arguments from the
 * caller's trapframe (the register assignment is documented in l4/syscalls.h and the
 * headers it includes), validates them all, then acts, and writes its results back.
 */
#ifndef K_SYSCALL_H
#define K_SYSCALL_H

#include <k/thread.h>

typedef void (*syscall_fn)(struct tcb *self, struct trapframe *tf);
extern const syscall_fn syscall_table[];

void sys_ipc(struct tcb *self, struct trapframe *tf);
void sys_id_nearest(struct tcb *self, struct trapframe *tf);
void sys_fpage_unmap(struct tcb *self, struct trapframe *tf);
void sys_thread_switch(struct tcb *self, struct trapframe *tf);
void sys_thread_schedule(struct tcb *self, struct trapframe *tf);
void sys_lthread_ex_regs(struct tcb *self, struct trapframe *tf);
void sys_task_new(struct tcb *self, struct trapframe *tf);

#endif
