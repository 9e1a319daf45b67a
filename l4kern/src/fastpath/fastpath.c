/*
 * fastpath.c — the IPC fastpath: a call or reply-and-wait carrying only register words to
 * a partner already waiting for it. It checks every condition the general path would and
 * bails out to the general path (sys_ipc_general, a tail call) on any it cannot handle
 * cheaply; then it copies the registers,
 * marks both threads and switches straight to the partner without touching the run
 * queues (sched.c corrects them lazily when it next makes a choice). Longer than most
 * functions here on purpose: the whole path should be readable in one place.
 */
#include <k/config.h>
#include <k/fastpath.h>
#include <k/ipc.h>
#include <k/sched.h>
#include <k/syscall.h>
#include <arch/sysregs.h>

#define CALL (L4_IPC_SEND | L4_IPC_RECV)
#define REPLY_WAIT (L4_IPC_SEND | L4_IPC_RECV | L4_IPC_OPEN)

enum l4_error fastpath_ipc(struct tcb *self, struct trapframe *tf)
{
    struct sysregs_ipc in = sysregs_ipc_in(tf);
    unsigned flags = l4_ipc_control_flags(in.control);
    l4_msgtag_t tag = in.tag;
    if ((flags != CALL && flags != REPLY_WAIT) ||
        (tag & (L4_TAG_RESERVED | (L4_TAG_T_MASK << L4_TAG_T_SHIFT))) ||
        l4_msgtag_u(tag) > L4_MSG_REG_WORDS ||
        l4_ipc_control_rcv(in.control) != L4_TIMEOUT_NEVER)     /* no timeout to arm */
        return sys_ipc_general(self, tf);
    struct tcb *dst = thread_lookup(in.partner);
    if (!dst || dst == self || dst->state != L4_TSTATE_RECEIVING || dst->kcall ||
        dst->task->chief != self->task->chief ||                  /* clans: general path */
        !((dst->ipc_flags & L4_IPC_OPEN) || dst->partner == self->id) ||
        ((flags & L4_IPC_OPEN) && self->sendq_head) ||           /* a sender is waiting */
        (dst->utcb->rcv_max_words &&                              /* over its receive limit: */
         dst->utcb->rcv_max_words < l4_msgtag_u(tag)) ||          /* the slow path refuses it */
        (int)dst->prio < sched_highest_ready_prio())
        return sys_ipc_general(self, tf);

    if (flags == CALL)                      /* we will wait in a closed receive from dst */
        ipc_closed_wait(self, dst);
    dst->ipc_rcv_tag = tag & L4_RES_TAG_MASK;
    sysregs_ipc_from(dst->tf, self->id);
    sysregs_copy_mrs(dst->tf, tf);
    timeout_disarm(dst);
    dst->ipc_err = L4_OK;
    dst->state = L4_TSTATE_READY;

    self->ipc_flags = flags;
    self->ipc_tag = tag;
    self->ipc_rcv_to = L4_TIMEOUT_NEVER;
    self->ipc_in_recv = 0;
    self->ipc_err = L4_OK;
    self->partner = in.partner;
    self->state = L4_TSTATE_RECEIVING;
    sched_switch_to(dst);

    /* Woken: a partner has left its message in our registers, or an error for us. */
    sysregs_ipc_result(tf, self->ipc_err ? ipc_result(self->ipc_err, 1) : self->ipc_rcv_tag);
    return L4_OK;
}
