/*
 * ipc.c — the general IPC path: a send phase, then a receive phase, each of which either
 * meets a waiting partner at once or blocks with a timeout.
 *
 * The message is the sender's saved registers (MR0..MR7 in its trapframe, placed by
 * arch/sysregs.h) and its UTCB; a transfer copies them into the receiver's together with
 * the tag and the sender's id. Interrupts are kernel/irq.c's (sys_ipc sends them there).
 * Senders that find no receiver queue on the receiver in FIFO order. The kernel is not
 * preemptible, so the step from a call's send phase to its receive phase is atomic: the
 * callee cannot reply before the caller is ready to receive the reply.
 */
#include <k/clan.h>
#include <k/cpu.h>
#include <k/fastpath.h>
#include <k/ipc.h>
#include <k/lib.h>
#include <k/log.h>
#include <k/sched.h>
#include <k/space.h>
#include <l4/fault.h>
#include <k/x86.h>
#include <arch/sysregs.h>

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

/* Words a receiver accepts; its own page says so, but the page is user-writable: clamp. */
static unsigned rcv_limit(const struct tcb *rcv)
{
    uint64_t max = rcv->utcb->rcv_max_words;
    return max == 0 || max > L4_MSG_MAX_WORDS ? L4_MSG_MAX_WORDS : (unsigned)max;
}

static int fits(const struct tcb *rcv, l4_msgtag_t tag)
{
    unsigned words = l4_msgtag_u(tag) + l4_msgtag_t_words(tag);
    return rcv->kcall ? words <= ARRAY_SIZE(rcv->kmsg) : words <= rcv_limit(rcv);
}

/* Word i of the message src is sending: registers, UTCB, or the kernel's words (map
 * items are read one by one; the words themselves move in copy_words). */
static l4_word_t word_out(const struct tcb *src, unsigned i)
{
    if (src->kcall)
        return i < ARRAY_SIZE(src->kmsg) ? src->kmsg[i] : 0;
    if (i >= L4_MSG_REG_WORDS)
        return src->utcb->mr[i];
    return sysregs_mr(src->tf, i);
}

/* Where a thread's message words are kept: a kernel-made message's all in kmsg; a user
 * thread's words 8 and up in its UTCB (its first eight are its registers). */
static uint64_t *word_array(struct tcb *t) { return t->kcall ? t->kmsg : t->utcb->mr; }

/* Words [0, n) from src to dst as block copies (n fits dst: fits() checked it, and a
 * kernel-made message is at most kmsg's size): the register words through a buffer, the
 * rest array to array. A user thread's words beyond n are left as they were. */
static void copy_words(struct tcb *src, struct tcb *dst, unsigned n)
{
    uint64_t regs[L4_MSG_REG_WORDS], *s = word_array(src), *d = word_array(dst);
    unsigned r = MIN(n, L4_MSG_REG_WORDS);
    const uint64_t *from = s;
    if (!src->kcall) {
        sysregs_get_mrs(src->tf, regs, r);
        from = regs;
    }
    if (dst->kcall)
        memcpy(d, from, r * sizeof(uint64_t));
    else
        sysregs_set_mrs(dst->tf, from, r);
    if (n > L4_MSG_REG_WORDS)
        memcpy(d + L4_MSG_REG_WORDS, s + L4_MSG_REG_WORDS, (n - L4_MSG_REG_WORDS) * sizeof(uint64_t));
}

/* Applies the message's map and grant items to dst through its receive window. */
static unsigned apply_items(struct tcb *src, struct tcb *dst, unsigned u, unsigned t)
{
    l4_fpage_t window = dst->kcall ? L4_FPAGE_WHOLE : dst->utcb->rcv_window;
    if (window == L4_FPAGE_NIL)
        return L4_ERR_MAP_FAILED;
    for (unsigned i = u; i + 1 < u + t; i += 2) {
        l4_word_t item = word_out(src, i);
        unsigned err = space_map_item(src->task, dst->task, item & ~L4_ITEM_GRANT,
                                      word_out(src, i + 1), window, (item & L4_ITEM_GRANT) != 0);
        if (err)
            return err;
    }
    return L4_OK;
}

/* An exception handler's full reply must leave the thread able to run (l4/fault.h). */
static int exception_reply_ok(const struct tcb *src, unsigned u)
{
    if (u < L4_EXC_WORDS)
        return 1;
    static const unsigned addr_words[] = { L4_EXC_RIP, L4_EXC_RSP, L4_EXC_FS, L4_EXC_GS };
    for (unsigned i = 0; i < ARRAY_SIZE(addr_words); i++)
        if (word_out(src, addr_words[i]) >= L4_USER_END)
            return 0;
    return 1;
}

/* A foreign system call's handler may answer as l4/fault.h lists, and only so. */
static int syscall_reply_ok(const struct tcb *src, l4_msgtag_t tag)
{
    unsigned u = l4_msgtag_u(tag);
    if (l4_msgtag_label(tag) == L4_LABEL_EXC_FULL)
        return u == 0;
    if (u == L4_EXR_WORDS)
        return word_out(src, L4_EXR_FS) < L4_USER_END;
    return u < L4_EXR_WORDS || (u >= L4_EXC_WORDS && exception_reply_ok(src, u));
}

/* Delivers src's message to dst: items first (a failure delivers nothing), then the
 * words, then the tag with how the message came, the sender's id (virtual if deceiving)
 * and, if redirected, the destination it was meant for (l4/clan.h). */
static unsigned transfer(struct tcb *src, struct tcb *dst, l4_msgtag_t tag)
{
    unsigned u = l4_msgtag_u(tag), t = l4_msgtag_t_words(tag);
    if ((dst->kcall == KCALL_EXCEPTION && !exception_reply_ok(src, u)) ||
        (dst->kcall == KCALL_SYSCALL && !syscall_reply_ok(src, tag)))
        return L4_ERR_INVALID;
    if (t) {
        unsigned err = apply_items(src, dst, u, t);
        if (err)
            return err;
    }
    copy_words(src, dst, u + t);
    dst->ipc_rcv_tag = (tag & L4_RES_TAG_MASK) | src->ipc_rflags;
    if (dst->kcall)
        return L4_OK;
    sysregs_ipc_from(dst->tf, src->ipc_from);
    if (src->ipc_rflags & L4_RES_REDIRECTED)
        sysregs_ipc_intended(dst->tf, src->ipc_intended);
    return L4_OK;
}

static int accepts(const struct tcb *rcv, const struct tcb *snd)
{
    return rcv->state == L4_TSTATE_RECEIVING &&
           ((rcv->ipc_flags & L4_IPC_OPEN) || rcv->partner == snd->ipc_from);
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

/* A deceiving send: self presents its UTCB's virtual sender, if the message crosses
 * self's clan boundary (l4/clan.h). The UTCB is user-writable: read it once. */
static unsigned deceive(struct tcb *self, const struct tcb *dst)
{
    l4_threadid_t v = self->utcb->virtual_sender;
    const struct tcb *vt = thread_lookup(v);
    if (!vt || clan_inside(vt->task, self->task) == clan_inside(dst->task, self->task))
        return L4_ERR_PERMISSION;
    self->ipc_from = v;
    self->ipc_rflags = L4_RES_DECEITED;
    return L4_OK;
}

/* Replaces *dst by the first thread of the chief the message must go through, if any. */
static unsigned redirect(struct tcb *self, struct tcb **dst)
{
    unsigned type;
    struct task *hop = clan_first_hop(self->task, (*dst)->task, &type);
    if (type == L4_NEAREST_SAME_CLAN)
        return L4_OK;
    struct tcb *first = hop ? hop->threads[0] : NULL;
    if (!first)
        return L4_ERR_NO_PARTNER;
    self->ipc_intended = (*dst)->id;
    self->ipc_rflags |= L4_RES_REDIRECTED | (type == L4_NEAREST_OUTER_CLAN ? L4_RES_SRC_INSIDE : 0);
    *dst = first;
    return L4_OK;
}

/* Settles who receives self's message and what they learn. Within one clan this is one
 * comparison. The kernel's own calls (faults, exceptions) go to the handler the thread
 * has, and the handler's reply goes straight back: the thread is waiting for just that. */
static unsigned route(struct tcb *self, const struct ipc_op *op, struct tcb **dst)
{
    self->ipc_from = self->id;
    self->ipc_rflags = 0;
    if (op->flags & L4_IPC_DECEIT) {
        unsigned err = deceive(self, *dst);
        if (err)
            return err;
    }
    if ((*dst)->task->chief == self->task->chief || self->kcall ||
        ((*dst)->kcall && (*dst)->partner == self->id))
        return L4_OK;
    return redirect(self, dst);
}

static unsigned send_phase(struct tcb *self, const struct ipc_op *op, struct tcb **woken)
{
    struct tcb *dst = thread_lookup(op->partner);
    if (!dst)
        return L4_ERR_NO_PARTNER;
    if (dst == self)
        return L4_ERR_DEADLOCK;
    unsigned err = route(self, op, &dst);
    if (err)
        return err;
    if (accepts(dst, self)) {
        if (!fits(dst, op->tag))
            return L4_ERR_MSG_TOO_LONG;
        err = transfer(self, dst, op->tag);
        if (err)
            return err;
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
 * A queued sender's message has been taken by rcv. If its operation has a receive phase,
 * it enters it now, on its behalf, before anyone else runs: that is what lets a server
 * reply with a zero send timeout to a caller that had to queue. A closed one is from rcv
 * (its partner, where it queued).
 */
static void sender_done(struct tcb *src, struct tcb *rcv)
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
    if (!(src->ipc_flags & L4_IPC_OPEN))
        ipc_closed_wait(src, rcv);
    if (src->ipc_rcv_to != L4_TIMEOUT_NEVER)
        timeout_arm(src, timeout_deadline(rdtsc(), l4_timeout_to_us(src->ipc_rcv_to), tsc_hz));
}

/* A queued message longer than the receiver accepts fails in its sender's send phase. */
static void refuse_sender(struct tcb *src, unsigned err)
{
    sendq_remove(src);
    timeout_disarm(src);
    src->ipc_err = err;
    sched_ready(src);
}

static struct tcb *find_sender(struct tcb *self, const struct ipc_op *op)
{
    struct tcb *s = self->sendq_head;
    if (op->flags & L4_IPC_OPEN)
        return s;
    while (s && s->ipc_from != op->partner)      /* a deceiving sender shows its virtual id */
        s = s->sq_next;
    return s;
}

static unsigned receive_phase(struct tcb *self, const struct ipc_op *op, struct tcb *woken)
{
    struct tcb *from = NULL;                /* the partner of a closed receive */
    if (!(op->flags & L4_IPC_OPEN) && !(from = thread_lookup(op->partner)))
        return L4_ERR_NO_PARTNER;
    struct tcb *src;
    while ((src = find_sender(self, op))) {
        unsigned err = fits(self, src->ipc_tag) ? transfer(src, self, src->ipc_tag)
                                                : L4_ERR_MSG_TOO_LONG;
        if (err) {
            refuse_sender(src, err);        /* its send fails; look for the next */
            continue;
        }
        sendq_remove(src);
        timeout_disarm(src);
        sender_done(src, self);
        return L4_OK;
    }
    if (l4_timeout_to_us(op->rcv_to) == 0)
        return L4_ERR_TIMEOUT;
    self->partner = op->partner;
    if (from)
        ipc_closed_wait(self, from);
    return block(self, L4_TSTATE_RECEIVING, op->rcv_to, woken);
}

/* Blocks self in a closed receive from `from` (an interrupt id) until woken. */
unsigned ipc_block(struct tcb *self, l4_threadid_t from, l4_timeout_t to)
{
    self->partner = from;
    self->ipc_flags = L4_IPC_RECV;
    return block(self, L4_TSTATE_RECEIVING, to, 0);
}

uint64_t ipc_do(struct tcb *self, const struct ipc_op *op)
{
    struct tcb *woken = 0;
    self->ipc_flags = op->flags;
    self->ipc_tag = op->tag;
    self->ipc_rcv_to = op->rcv_to;
    self->ipc_in_recv = 0;
    if (op->flags & L4_IPC_SEND) {
        unsigned err = send_phase(self, op, &woken);
        if (self->ipc_in_recv)      /* queued, then carried into the receive phase */
            return err ? ipc_result(err, 1) : self->ipc_rcv_tag;
        if (err)
            return ipc_result(err, 0);
    }
    if (!(op->flags & L4_IPC_RECV))
        return 0;
    unsigned err = receive_phase(self, op, woken);
    if (err)
        return ipc_result(err, 1);
    return self->ipc_rcv_tag;
}

void ipc_abort(struct tcb *t, unsigned err)
{
    if (t->state != L4_TSTATE_SENDING && t->state != L4_TSTATE_RECEIVING)
        return;
    sendq_remove(t);
    timeout_disarm(t);
    t->ipc_err = err;
}

/* A call (or send) the kernel makes for t with the words in t->kmsg: the page-fault and
 * exception protocols of l4/fault.h. Returns the IPC error, 0 on success. */
unsigned ipc_kcall(struct tcb *t, l4_threadid_t to, uint32_t label, unsigned u,
                   enum kcall_kind kind, unsigned flags)
{
    struct ipc_op op = {
        .partner = to, .tag = l4_msgtag(label, u, 0), .flags = flags,
        .snd_to = L4_TIMEOUT_NEVER, .rcv_to = L4_TIMEOUT_NEVER,
    };
    t->kcall = (uint8_t)kind;
    unsigned err = flags == (L4_IPC_SEND | L4_IPC_RECV) && fastpath_kcall(t, to, op.tag)
                       ? t->ipc_err : l4_ipc_error(ipc_do(t, &op));
    t->kcall = KCALL_NONE;
    return err;
}
