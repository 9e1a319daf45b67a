/* k/fastpath.h — the IPC fastpath (fastpath/fastpath.c), a build option. */
#ifndef K_FASTPATH_H
#define K_FASTPATH_H

#include <k/thread.h>

/* Handles the whole ipc call and returns 1, or returns 0 having changed nothing. */
int fastpath_ipc(struct tcb *self, struct trapframe *tf);

#endif
