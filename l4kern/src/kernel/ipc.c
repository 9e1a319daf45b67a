/*
 * ipc.c — the general IPC path: a send phase, then a receive phase, each of which either
 * meets a waiting partner at once or blocks with a timeout.
 *
 * The message is the sender's saved registers (MR0..MR7 in its trapframe); a transfer
 * copies them into the receiver's trapframe together with the tag and the sender's id.
 * Senders that find no receiver queue on the receiver in FIFO order. The kernel is not
 * preemptible, so the step from a call's send phase to its receive phase is atomic: the
 * callee cannot reply before the caller is ready to receive the reply.
 */
#include <k/cpu.h>
#include <k/ipc.h>
#include <k/lib.h>
#include <k/log.h>
#include <k/sched.h>
#include <k/x86.h>

static void sendq_append(struct tcb *rcv, struct tcb *snd)
{
    snd->sq_next = 0;
    snd->sq_prev = rcv->sendq_tail;
    if (rcv->sendq_tail)
        rcv->sendq_tail->sq_next = snd;
    else
        rcv->sendq_head = snd;
    rcv->sendq_tail = snd;
    snd->sq_owner = rcv;
}

static void sendq_remove(struct tcb *snd)
{
    struct tcb *rcv = snd->sq_owner;
    if (!rcv)
        return;
    if (snd->sq_prev)
        snd->sq_prev->sq_next = snd->sq_next;
    else
        rcv->sendq_head = snd->sq_next;
    if (snd->sq_next)
        snd->sq_next->sq_prev = snd->sq_prev;
    else
        rcv->sendq_tail = snd->sq_prev;
    snd->sq_next = snd->sq_prev = snd->sq_owner = 0;
}

/* Copies src's message into dst's registers: rax = tag, rdi = sender, MR0..MR7. */
static void transfer(struct tcb *src, struct tcb *dst, l4_msgtag_t tag)
{
    struct trapframe *s = src->tf, *d = dst->tf;
    d->rax = tag & 0xffffffffffffULL;
    d->rdi = src->id;
    d->rdx = s->rdx; d->rbx = s->rbx; d->r8 = s->r8; d->r9 = s->r9;
    d->r12 = s->r12; d->r13 = s->r13; d->r14 = s->r14; d->r15 = s->r15;
    unsigned u = l4_msgtag_u(tag);
    if (u > L4_MSG_REG_WORDS)
        memcpy(&dst->utcb->mr[L4_MSG_REG_WORDS], &src->utcb->mr[L4_MSG_REG_WORDS],
               (u - L4_MSG_REG_WORDS) * sizeof(l4_word_t));
}

/* Words a receiver accepts; its own page says so, but the page is user-writable: clamp. */
static unsigned rcv_limit(const struct tcb *rcv)
{
    uint64_t max = rcv->utcb->rcv_max_words;
    return max == 0 || max > L4_MSG_MAX_WORDS ? L4_MSG_MAX_WORDS : (unsigned)max;
}

static int fits(const struct tcb *rcv, l4_msgtag_t tag)
{
    return l4_msgtag_u(tag) <= rcv_limit(rcv);
}

static int accepts(const struct tcb *rcv, const struct tcb *snd)
{
    return rcv->state == L4_TSTATE_RECEIVING &&
           ((rcv->ipc_flags & L4_IPC_OPEN) || rcv->partner == snd->id);
}

/* Blocks self in `state` until a partner, a timeout or a cancel wakes it. */
static unsigned block(struct tcb *self, unsigned state, l4_timeout_t to, struct tcb *prefer)
{
    self->state = (uint8_t)state;
    self->ipc_err = L4_OK;
    if (to != L4_TIMEOUT_NEVER)
        timeout_arm(self, timeout_deadline(rdtsc(), l4_timeout_to_us(to), tsc_hz));
    sched_block(prefer);
    return self->ipc_err;
}

static unsigned send_phase(struct tcb *self, const struct ipc_op *op, struct tcb **woken)
{
    struct tcb *dst = thread_lookup(op->partner);
    if (!dst)
        return L4_ERR_NO_PARTNER;
    if (dst == self)
        return L4_ERR_DEADLOCK;
    if (accepts(dst, self)) {
        if (!fits(dst, op->tag))
            return L4_ERR_MSG_TOO_LONG;
        transfer(self, dst, op->tag);
        timeout_disarm(dst);
        dst->ipc_err = L4_OK;
        sched_ready(dst);
        *woken = dst;
        return L4_OK;
    }
    if (l4_timeout_to_us(op->snd_to) == 0)
        return L4_ERR_TIMEOUT;
    self->partner = dst->id;
    sendq_append(dst, self);
    return block(self, L4_TSTATE_SENDING, op->snd_to, 0);
}

/*
 * A queued sender's message has been taken. If its operation has a receive phase, it
 * enters it now, on its behalf, before anyone else runs: that is what lets a server
 * reply with a zero send timeout to a caller that had to queue.
 */
static void sender_done(struct tcb *src)
{
    src->ipc_err = L4_OK;
    if (!(src->ipc_flags & L4_IPC_RECV)) {
        sched_ready(src);
        return;
    }
    src->ipc_in_recv = 1;
    if (l4_timeout_to_us(src->ipc_rcv_to) == 0) {
        src->ipc_err = L4_ERR_TIMEOUT;
        sched_ready(src);
        return;
    }
    src->state = L4_TSTATE_RECEIVING;
    if (src->ipc_rcv_to != L4_TIMEOUT_NEVER)
        timeout_arm(src, timeout_deadline(rdtsc(), l4_timeout_to_us(src->ipc_rcv_to), tsc_hz));
}

/* A queued message longer than the receiver accepts fails in its sender's send phase. */
static void refuse_sender(struct tcb *src)
{
    sendq_remove(src);
    timeout_disarm(src);
    src->ipc_err = L4_ERR_MSG_TOO_LONG;
    sched_ready(src);
}

static struct tcb *find_sender(struct tcb *self, const struct ipc_op *op)
{
    struct tcb *s = self->sendq_head;
    if (op->flags & L4_IPC_OPEN)
        return s;
    while (s && s->id != op->partner)
        s = s->sq_next;
    return s;
}

static unsigned receive_phase(struct tcb *self, const struct ipc_op *op, struct tcb *woken)
{
    if (!(op->flags & L4_IPC_OPEN) && !thread_lookup(op->partner))
        return L4_ERR_NO_PARTNER;
    struct tcb *src = find_sender(self, op);
    while (src && !fits(self, src->tf->rsi)) {
        refuse_sender(src);
        src = find_sender(self, op);
    }
    if (src) {
        sendq_remove(src);
        timeout_disarm(src);
        transfer(src, self, src->tf->rsi);
        sender_done(src);
        return L4_OK;
    }
    if (l4_timeout_to_us(op->rcv_to) == 0)
        return L4_ERR_TIMEOUT;
    self->partner = op->partner;
    return block(self, L4_TSTATE_RECEIVING, op->rcv_to, woken);
}

uint64_t ipc_do(struct tcb *self, const struct ipc_op *op)
{
    struct tcb *woken = 0;
    self->ipc_flags = op->flags;
    self->ipc_rcv_to = op->rcv_to;
    self->ipc_in_recv = 0;
    if (op->flags & L4_IPC_SEND) {
        unsigned err = send_phase(self, op, &woken);
        if (self->ipc_in_recv)      /* queued, then carried into the receive phase */
            return err ? ipc_result(err, 1) : self->tf->rax;
        if (err)
            return ipc_result(err, 0);
    }
    if (!(op->flags & L4_IPC_RECV))
        return 0;
    unsigned err = receive_phase(self, op, woken);
    if (err)
        return ipc_result(err, 1);
    return self->tf->rax;       /* transfer() left the tag there */
}

void ipc_abort(struct tcb *t, unsigned err)
{
    if (t->state != L4_TSTATE_SENDING && t->state != L4_TSTATE_RECEIVING)
        return;
    sendq_remove(t);
    timeout_disarm(t);
    t->ipc_err = err;
}
