/*
 * fastpath.c — the IPC fastpath. entry.S sends every ipc here before the dispatcher; a
 * call it cannot finish cheaply returns, untouched, to the general path (kernel/ipc.c).
 * It takes a call or reply-and-wait whose partner already waits for it:
 *   - a user receiver: register words only (at most eight, no typed words);
 *   - a thread waiting in a kernel-made call (a fault or an exception, fault.c): the reply
 *     into its kernel message, all its words, and at most one map or grant item of one
 *     page, in registers;
 * and switches to the partner without the run queues (sched.c corrects them lazily). The
 * caller keeps nothing on its kernel stack: it is parked (fastpath_exit in entry.S) to
 * resume into fastpath_resumed, and a partner parked that way is left for straight from
 * here. fastpath_kcall sends a kernel-made message the same way.
 *
 * Bail-out conditions — each leaves the call to the general path, which decides it (and
 * each has a test in tests/qemu/ktest/test_fastpath.c):
 *   flags other than exactly call (send+receive, closed) or reply-and-wait (open): no
 *     deceit, no send-only or receive-only;  a receive timeout other than never;
 *   reserved tag bits;  a reschedule pending (a slice ended: the scheduler must choose);
 *   a partner that is nil, stale, absent, or not in a receive that accepts us (a closed
 *     receive from someone else);
 *   a reply-and-wait while a sender waits in our queue (it must be received first);
 *   a partner below the highest queued priority (someone more urgent is ready);
 *   to a user receiver: another clan (chief routing), typed words, more than eight words,
 *     more words than its UTCB's receive limit;
 *   to a kernel-made call: more words than its message holds, typed words other than
 *     one item of one page in registers, an exception reply that would put RIP, RSP, FS or
 *     GS outside user space, an item space.c refuses.
 */
#include <k/config.h>
#include <k/fastpath.h>
#include <k/fault.h>
#include <k/ipc.h>
#include <k/lib.h>
#include <k/sched.h>
#include <k/space.h>
#include <arch/switch.h>
#include <arch/sysregs.h>
#include <l4/fault.h>
#include <l4/layout.h>
#include <l4/syscalls.h>

#define CALL (L4_IPC_SEND | L4_IPC_RECV)
#define REPLY_WAIT (L4_IPC_SEND | L4_IPC_RECV | L4_IPC_OPEN)

_Static_assert(L4_SYS_IPC == 0x4c340000, "entry.S's SYS_IPC");
_Static_assert(TSS_WINDOW + TSS_OFFSET + 4 == 0xffffffffc0002f9cULL, "entry.S's TSS_RSP0");

extern void switch_to_user(uint64_t *save_sp);
extern void fastpath_exit(struct trapframe *self_tf, uint64_t next_ksp) __attribute__((noreturn));
extern void switch_context(uint64_t *save_sp, uint64_t next_sp);

/* thread_lookup, inline: the full id, version included, must match the thread's (whose
 * version is never 0, so a nil or version-0 id matches nothing). */
static inline struct tcb *lookup(l4_threadid_t id)
{
    unsigned tn = l4_tid_task(id);
    struct task *task = tn < MAX_TASKS_LIVE ? tasks[tn] : NULL;
    struct tcb *t = task ? task->threads[l4_tid_lthread(id)] : NULL;
    return t && t->id == id ? t : NULL;
}

/* Whether dst, waiting in a receive, takes a message from `from` now, ahead of everyone
 * ready. */
static inline int waiting_for(const struct tcb *dst, l4_threadid_t from)
{
    return dst && dst->state == L4_TSTATE_RECEIVING &&
           ((dst->ipc_flags & L4_IPC_OPEN) || dst->partner == from) &&
           dst->prio + 1u >= sched_queued_top();
}

/* A reply (or call) into dst's kernel-made call: checks, the item, then the words. */
static int to_kcall(struct tcb *self, struct tcb *dst, const struct trapframe *tf, l4_msgtag_t tag)
{
    unsigned u = l4_msgtag_u(tag), t = l4_msgtag_t_words(tag), n = u + t;
    const uint64_t *mr = self->utcb->mr;
    if (n > ARRAY_SIZE(dst->kmsg) || (t && (t != 2 || n > L4_MSG_REG_WORDS)))
        return 0;
    if (dst->kcall == KCALL_EXCEPTION && u >= L4_EXC_WORDS &&
        (sysregs_mr(tf, L4_EXC_RIP) >= L4_USER_END || sysregs_mr(tf, L4_EXC_RSP) >= L4_USER_END ||
         mr[L4_EXC_FS] >= L4_USER_END || mr[L4_EXC_GS] >= L4_USER_END))
        return 0;
    if (t) {
        l4_fpage_t item = sysregs_mr(tf, u);
        if ((item & (L4_FPAGE_IO | L4_FPAGE_IRQ)) || l4_fpage_log2(item) != 12 ||
            space_map_item(self->task, dst->task, item & ~L4_ITEM_GRANT, sysregs_mr(tf, u + 1),
                           L4_FPAGE_WHOLE, (item & L4_ITEM_GRANT) != 0))
            return 0;
    }
    sysregs_get_mrs(tf, dst->kmsg, MIN(n, L4_MSG_REG_WORDS));
    if (n > L4_MSG_REG_WORDS)
        memcpy(dst->kmsg + L4_MSG_REG_WORDS, mr + L4_MSG_REG_WORDS,
               (n - L4_MSG_REG_WORDS) * sizeof(uint64_t));
    return 1;
}

/* A short reply (l4/fault.h) to a foreign system call the fastpath parked: RAX, and FS if
 * sent, straight into dst's frame and thread; anything else (a request for the full set,
 * a full reply, items) is the general path's. */
static inline int syscall_reply(struct tcb *dst, const struct trapframe *tf, l4_msgtag_t tag)
{
    unsigned u = l4_msgtag_u(tag);
    if (u > L4_EXR_WORDS || l4_msgtag_t_words(tag) || l4_msgtag_label(tag) == L4_LABEL_EXC_FULL)
        return 0;
    if (u > L4_EXR_FS) {
        uint64_t fs = sysregs_mr(tf, L4_EXR_FS);
        if (fs >= L4_USER_END)
            return 0;
        dst->fs_base = fs;                  /* arch_switch_cpu loads it */
    }
    if (u > L4_EXR_RAX)
        sysregs_syscall_result(dst->tf, sysregs_mr(tf, L4_EXR_RAX));
    dst->kcall = KCALL_NONE;
    return 1;
}

/* A user receiver in our clan takes register words only, as many as its UTCB allows. */
static inline int user_takes(const struct tcb *self, const struct tcb *dst, l4_msgtag_t tag)
{
    uint64_t max = dst->utcb->rcv_max_words;
    return dst->chief == self->chief && !l4_msgtag_t_words(tag) &&
           l4_msgtag_u(tag) <= L4_MSG_REG_WORDS && (!max || max >= l4_msgtag_u(tag));
}

/* dst has its message: it runs next, and self waits as `flags` says. */
static inline __attribute__((always_inline)) void hand_over(struct tcb *self, struct tcb *dst, unsigned flags, l4_msgtag_t tag,
                      l4_threadid_t partner)
{
    _Static_assert((~L4_RES_TAG_MASK & ~L4_TAG_RESERVED) == 0, "a checked tag is a result tag");
    dst->ipc_rcv_tag = tag;                 /* no reserved bits: within L4_RES_TAG_MASK */
    if (dst->in_timeouts)
        timeout_disarm(dst);
    dst->ipc_err = L4_OK;
    dst->state = L4_TSTATE_READY;
    if (flags == CALL)                      /* we will wait in a closed receive from dst */
        ipc_closed_wait(self, dst);
    /* ipc_tag, ipc_rcv_to and ipc_in_recv matter only to a queued sender (ipc.c), and
     * ipc_err is written by whoever wakes us (ipc.c, irq.c, or here) */
    self->ipc_flags = flags;
    self->partner = partner;
    self->state = L4_TSTATE_RECEIVING;
}

/* self leaves the CPU keeping nothing on its kernel stack but its user frame: it resumes
 * into fastpath_resume (entry.S's fastpath_exit writes the return address). */
static inline __attribute__((always_inline)) void park(struct tcb *self, struct trapframe *tf)
{
    self->fast_parked = 1;
    self->ksp = (uint64_t)tf - FASTPATH_PARK_FRAME;
}

/* fastpath_ipc's message (a reply, as a rule) to dst's kernel-made call: a foreign system
 * call the fastpath parked takes a short reply straight into its frame and is left for
 * directly (one the general path sent is left to it); any other call resumes in its
 * kernel context. Returns only to bail. */
static inline __attribute__((always_inline)) void to_kernel_call(
    struct percpu *c, struct tcb *self, struct tcb *dst, struct trapframe *tf,
    struct sysregs_ipc in, unsigned flags)
{
    if (dst->kcall == KCALL_SYSCALL) {      /* parked by fastpath_syscall, or general */
        if (!dst->fast_parked || !syscall_reply(dst, tf, in.tag))
            return;
        hand_over(self, dst, flags, in.tag, in.partner);
        park(self, tf);
        arch_switch_cpu(c, self, dst, 1);
        dst->fast_parked = 0;
        fastpath_exit(tf, 0);
    }
    if (!to_kcall(self, dst, tf, in.tag))
        return;
    hand_over(self, dst, flags, in.tag, in.partner);
    park(self, tf);
    arch_switch_cpu(c, self, dst, 1);
    fastpath_exit(tf, dst->ksp);
}

/*
 * Returns, having changed nothing, for the general path; else the call is done, self is
 * parked and the CPU switched to dst, and entry.S's fastpath_exit leaves for dst: straight
 * to its user frame if the fastpath parked it too, else into its saved kernel context.
 * Only the u words sent are written: dst's registers beyond them stay its own.
 */
void fastpath_ipc(struct trapframe *tf)
{
    struct percpu *c = this_cpu();
    struct tcb *self = c->current;
    struct sysregs_ipc in = sysregs_ipc_in(tf);
    unsigned flags = l4_ipc_control_flags(in.control);
    /* flags exactly call or reply-and-wait, and a receive timeout of never, in one test
     * (the send timeout does not matter: the partner waits) */
    uint64_t key = (in.control | (uint64_t)L4_IPC_OPEN << 32) & ~0xffffULL;
    if (key != l4_ipc_control(REPLY_WAIT, 0, L4_TIMEOUT_NEVER) || (in.tag & L4_TAG_RESERVED) ||
        c->need_resched || ((flags & L4_IPC_OPEN) && self->sendq_head))
        return;
    struct tcb *dst = lookup(in.partner);   /* not self: self is running, not receiving */
    if (!waiting_for(dst, self->id))
        return;
    if (dst->kcall) {
        to_kernel_call(c, self, dst, tf, in, flags);
        return;
    }
    if (!user_takes(self, dst, in.tag))
        return;
    hand_over(self, dst, flags, in.tag, in.partner);
    park(self, tf);
    arch_switch_cpu(c, self, dst, 1);
    sysregs_copy_mrs_n(dst->tf, tf, l4_msgtag_u(in.tag));
    sysregs_ipc_result(dst->tf, dst->ipc_rcv_tag);
    sysregs_ipc_from(dst->tf, self->id);
    if (dst->fast_parked) {
        dst->fast_parked = 0;
        fastpath_exit(tf, 0);
    }
    fastpath_exit(tf, dst->ksp);
}

/* A parked thread resumed by the scheduler (entry.S's fastpath_resume): its result is what
 * the waker left, and a general-path waker wrote its words and sender into its frame. */
void fastpath_resumed(struct trapframe *tf)
{
    struct tcb *self = current();
    self->fast_parked = 0;
    if (self->kcall)                        /* parked in a foreign system call */
        fault_syscall_resumed(self, tf);
    else
        sysregs_ipc_result(tf, self->ipc_err ? ipc_result(self->ipc_err, 1) : self->ipc_rcv_tag);
    if (this_cpu()->need_resched)
        schedule();
}

/*
 * A foreign system call's short message (l4/fault.h) to self's handler, when it waits for
 * it: the words from self's frame into the handler's registers (and one UTCB word), self
 * parked in a kernel-made call (KCALL_SYSCALL) whose short reply fastpath_ipc applies
 * straight to its frame; any other outcome wakes it through fault_syscall_resumed.
 */
void fastpath_syscall(struct tcb *self, struct trapframe *tf)
{
    struct percpu *c = this_cpu();
    l4_threadid_t to = self->exc_handler;
    struct tcb *dst = lookup(to);
    if (!L4_CONFIG_FASTPATH || c->need_resched || !waiting_for(dst, self->id) || dst->kcall ||
        (dst->utcb->rcv_max_words && dst->utcb->rcv_max_words < L4_EXS_WORDS))
        return;
    const uint64_t w[L4_EXS_WORDS] = SYSREGS_SYSCALL_WORDS(tf);
    _Static_assert(L4_EXS_WORDS == L4_MSG_REG_WORDS + 1, "one short word in the UTCB");
    sysregs_set_mrs(dst->tf, w, L4_MSG_REG_WORDS);
    dst->utcb->mr[L4_MSG_REG_WORDS] = w[L4_MSG_REG_WORDS];
    sysregs_ipc_from(dst->tf, self->id);
    self->ipc_from = self->id;
    self->ipc_rflags = 0;
    self->kcall = KCALL_SYSCALL;
    hand_over(self, dst, CALL, l4_msgtag(L4_LABEL_EXCEPTION, L4_EXS_WORDS, 0), to);
    park(self, tf);
    arch_switch_cpu(c, self, dst, 1);
    sysregs_ipc_result(dst->tf, dst->ipc_rcv_tag);
    if (dst->fast_parked) {
        dst->fast_parked = 0;
        fastpath_exit(tf, 0);
    }
    fastpath_exit(tf, dst->ksp);
}

/*
 * t's kernel-made call (fault.c) to `to`, when `to` waits for it: the words of t->kmsg
 * into its registers and UTCB, then t waits for the reply in its own kernel context.
 * Returns 0 (nothing done) for the general path to take it; else 1 with t->ipc_err set.
 */
int fastpath_kcall(struct tcb *t, l4_threadid_t to, l4_msgtag_t tag)
{
    struct percpu *c = this_cpu();
    struct tcb *dst = lookup(to);
    unsigned u = l4_msgtag_u(tag);
    if (!L4_CONFIG_FASTPATH || c->need_resched || !waiting_for(dst, t->id) || dst->kcall ||
        (dst->utcb->rcv_max_words && dst->utcb->rcv_max_words < u))
        return 0;
    sysregs_set_mrs(dst->tf, t->kmsg, MIN(u, L4_MSG_REG_WORDS));
    if (u > L4_MSG_REG_WORDS)
        memcpy(dst->utcb->mr + L4_MSG_REG_WORDS, t->kmsg + L4_MSG_REG_WORDS,
               (u - L4_MSG_REG_WORDS) * sizeof(uint64_t));
    sysregs_ipc_from(dst->tf, t->id);
    t->ipc_from = t->id;
    t->ipc_rflags = 0;
    hand_over(t, dst, CALL, tag, to);

    arch_switch_cpu(c, t, dst, 1);
    if (dst->fast_parked) {
        dst->fast_parked = 0;
        sysregs_ipc_result(dst->tf, dst->ipc_rcv_tag);
        switch_to_user(&t->ksp);
    } else {
        switch_context(&t->ksp, dst->ksp);
    }
    return 1;
}
