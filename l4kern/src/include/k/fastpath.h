/* k/fastpath.h — the IPC fastpath (fastpath/fastpath.c), a build option. */
#ifndef K_FASTPATH_H
#define K_FASTPATH_H

#include <k/thread.h>

/* From entry.S, for every ipc: finishes the call and leaves for the receiver, or returns
 * having changed nothing, for the dispatcher and the general path (fastpath.c). */
#define FASTPATH_PARK_FRAME (7 * 8)   /* switch_context's frame below a parked trapframe */
void fastpath_ipc(struct trapframe *tf);
/* A kernel-made call (ipc.c's ipc_kcall) to a partner already waiting for it: 1 when
 * done (t->ipc_err holds the result), 0 when the general path must make it. */
int fastpath_kcall(struct tcb *t, l4_threadid_t to, l4_msgtag_t tag);
/* A foreign system call's short message to a handler already waiting for it: self is
 * parked and the CPU left for the handler (no return); returns, having changed nothing,
 * for fault.c's general way. */
void fastpath_syscall(struct tcb *self, struct trapframe *tf);

#endif
