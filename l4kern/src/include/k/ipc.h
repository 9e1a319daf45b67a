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

/*
 * Who waits on a thread: its send queue, and the threads in a closed receive from it. For
 * the latter each thread keeps a list (closed_head) of the threads whose latest closed
 * receive named it, so that its deletion finds them without looking at any other thread
 * (thread.c's release_waiters). A thread joins the list where it blocks in a closed
 * receive (ipc.c's receive phase, a queued call carried into its receive, the fastpath's
 * call) and stays on it until it blocks in one from another thread, or either is deleted:
 * so the IPC paths pay one comparison when a client calls the same server again, nothing
 * when a receive ends, and a thread is on one list at most. Whoever walks a list checks
 * that a thread on it still waits (RECEIVING, closed, from the list's owner). A wait for
 * an interrupt id joins no list: the id is not a thread.
 */
static inline void ipc_closed_forget(struct tcb *w)
{
    if (!w->cl_owner)
        return;
    if (w->cl_prev)
        w->cl_prev->cl_next = w->cl_next;
    else
        w->cl_owner->closed_head = w->cl_next;
    if (w->cl_next)
        w->cl_next->cl_prev = w->cl_prev;
    w->cl_owner = 0;
}

/* w blocks in a closed receive from `from`. */
static inline void ipc_closed_wait(struct tcb *w, struct tcb *from)
{
    if (w->cl_owner == from)
        return;
    ipc_closed_forget(w);
    w->cl_owner = from;
    w->cl_prev = 0;
    w->cl_next = from->closed_head;
    if (w->cl_next)
        w->cl_next->cl_prev = w;
    from->closed_head = w;
}

static inline uint64_t ipc_result(unsigned err, int recv_phase)
{
    return ((uint64_t)err << L4_RES_ERR_SHIFT) | (recv_phase ? L4_RES_RECV_PHASE : 0);
}

#endif
