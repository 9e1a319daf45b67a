/*
 * k/ipc.h — synchronous IPC between threads.
 */
#ifndef K_IPC_H
#define K_IPC_H

#include <l4/ipc.h>
#include <l4/errors.h>
#include <k/thread.h>

struct ipc_op {
    l4_threadid_t partner;
    l4_msgtag_t tag;
    unsigned flags;              /* L4_IPC_* */
    l4_timeout_t snd_to, rcv_to;
};

/* Runs one ipc for the current thread; returns its result word (l4/ipc.h). */
uint64_t ipc_do(struct tcb *self, const struct ipc_op *op);

/* Takes t out of any IPC it is blocked in (send queue, timeout), leaving `err` for it to
 * find when it runs. Does not make it runnable. */
void ipc_abort(struct tcb *t, unsigned err);

unsigned ipc_block(struct tcb *self, l4_threadid_t from, l4_timeout_t to);
unsigned ipc_kcall(struct tcb *t, l4_threadid_t to, uint32_t label, unsigned u,
                   enum kcall_kind kind, unsigned flags);

static inline uint64_t ipc_result(unsigned err, int recv_phase)
{
    return ((uint64_t)err << L4_RES_ERR_SHIFT) | (recv_phase ? L4_RES_RECV_PHASE : 0);
}

#endif
