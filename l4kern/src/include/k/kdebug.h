/* k/kdebug.h — the kernel-debugger trap (l4/kdebug.h). */
#ifndef K_KDEBUG_H
#define K_KDEBUG_H

#include <k/trapframe.h>

/* Handles an int3 from user mode if it is a kdebug trap; returns 0 for a plain int3. */
int kdebug_trap(struct trapframe *tf);
void kdebug_dump_regs(const struct trapframe *tf);

#endif
