/* k/fastpath.h — the IPC fastpath (fastpath/fastpath.c), a build option. */
#ifndef K_FASTPATH_H
#define K_FASTPATH_H

#include <k/thread.h>
#include <l4/errors.h>

/* Handles the whole ipc call, or hands it unchanged to sys_ipc_general; returns as
 * sys_ipc does. */
enum l4_error fastpath_ipc(struct tcb *self, struct trapframe *tf);

#endif
