/* k/kdebug.h — the kernel-debugger trap (l4/kdebug.h). */
#ifndef K_KDEBUG_H
#define K_KDEBUG_H

#include <k/trapframe.h>

/* Handles an int3 from user mode if it is a kdebug trap; returns 0 for a plain int3. */
int kdebug_trap(struct trapframe *tf);

/* Reads "kdb_budget=" (bytes of kdebug output each task may write per boot). */
void kdebug_init(void);
/* A task is going: says how much of its output was suppressed, if any. */
struct task;
void kdebug_task_gone(const struct task *task);

#endif
