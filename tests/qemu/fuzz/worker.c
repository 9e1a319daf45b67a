/*
 * worker.c — a fuzz worker: an endless loop of system calls and kdebug traps with
 * arguments from gen.c. Any call may block it for good, redirect it or stop it; the
 * supervisor notices and cancels or restarts it. Each call is counted before it is made.
 * Where the ABI fixes the answer for the arguments drawn (a malformed control word, a
 * version-0 id, ...), the result is checked, so a wrong error code counts as a finding.
 */
#include "task.h"
#include <l4/irq.h>
#include <l4/layout.h>
#include <l4/utcb.h>

void fuzz_violation(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t got, uint64_t want)
{
    if (__atomic_fetch_add(&fuzz_violations, 1, __ATOMIC_RELAXED))
        return;
    fuzz_first_violation = (struct fuzz_violation){ fuzz_calls, nr, a0, a1, got, want };
}

void fuzz_expect(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t got, uint64_t want)
{
    if (got != want)
        fuzz_violation(nr, a0, a1, got, want);
}
#define expect fuzz_expect

static void expect_error_code(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t got)
{
    fuzz_outcome(nr, got);
    if (got >= L4_ERR__COUNT)
        fuzz_violation(nr, a0, a1, got, L4_ERR__COUNT);
}

/* No thread can be named by these, whatever else exists. */
static int names_nothing(l4_threadid_t t)
{
    return l4_tid_version(t) == 0;
}

/* IPC to an interrupt id (l4/irq.h) is the interrupt protocol, not a thread's: this task
 * owns no line, so it may get PERMISSION rather than NO_PARTNER there. */
static int ipc_names_nothing(l4_threadid_t t)
{
    return names_nothing(t) && !l4_is_irq_id(t);
}

/* Random receive limit and long-message words: the page is the sender's to scribble on.
 * Returns the limit the kernel must honour when this thread receives. */
static uint64_t scribble_utcb(uint64_t *s, unsigned me)
{
    struct l4_utcb *u = (struct l4_utcb *)l4_utcb_addr(me);  /* not %gs: a sibling may move GS */
    if (!rng_below(s, 4)) {
        u->rcv_max_words = rng_below(s, 2) ? rng_below(s, 70) : rng_next(s);
        for (unsigned i = 0; i < 4; i++)
            u->mr[8 + rng_below(s, L4_MSG_MAX_WORDS - 8)] = gen_word(s);
    }
    if (!rng_below(s, 3))
        u->rcv_window = gen_window(s);
    uint64_t max = u->rcv_max_words;
    return max == 0 || max > L4_MSG_MAX_WORDS ? L4_MSG_MAX_WORDS : max;
}

/* What the send phase must answer before it looks for a partner; L4_OK if nothing. */
static unsigned ipc_send_verdict(uint64_t flags, l4_msgtag_t tag, l4_threadid_t to)
{
    if (flags & ~(uint64_t)L4_IPC_FLAGS_VALID)
        return L4_ERR_INVALID;
    if (!(flags & L4_IPC_SEND))
        return L4_OK;
    if (tag & L4_TAG_RESERVED)
        return L4_ERR_INVALID;
    if (l4_msgtag_u(tag) + l4_msgtag_t_words(tag) > L4_MSG_MAX_WORDS)
        return L4_ERR_MSG_TOO_LONG;
    if (l4_msgtag_t_words(tag) & 1)
        return L4_ERR_INVALID;             /* map/grant items are two words each */
    return ipc_names_nothing(to) ? L4_ERR_NO_PARTNER : L4_OK;
}

/* A tag with 1..3 items after a few untyped words, the items in the message words. */
static void with_items(uint64_t *s, struct l4_ipc_regs *r, unsigned me)
{
    unsigned u = (unsigned)rng_below(s, 5), t = 2 * (1 + (unsigned)rng_below(s, 3));
    r->tag = l4_msgtag((uint32_t)rng_next(s), u, t);
    gen_items(s, &r->msg, me, u, t);
    if (!rng_below(s, 3) && !l4_tid_is_nil(gen_created_tid(s)))
        r->partner = gen_created_tid(s);
}

static void call_ipc(uint64_t *s, struct fuzz_worker *w, unsigned me)
{
    uint64_t flags = gen_ipc_flags(s);
    struct l4_ipc_regs r = { .partner = gen_tid(s), .tag = gen_tag(s),
        .control = flags << 32 | (uint64_t)gen_timeout(s) << 16 | gen_timeout(s) };
    for (unsigned i = 0; i < L4_MSG_REG_WORDS; i++)
        r.msg.w[i] = gen_word(s);
    uint64_t limit = scribble_utcb(s, me);
    if (!rng_below(s, 4))                   /* map and grant items, sometimes to a new task */
        with_items(s, &r, me);
    l4_threadid_t to = r.partner;
    l4_msgtag_t tag = r.tag;
    count_call(w);
    uint64_t res = l4_ipc(&r);
    unsigned want = ipc_send_verdict(flags, tag, to);
    expect_error_code(L4_SYS_IPC, to, flags, l4_ipc_error(res));
    if (!want && (flags & L4_IPC_RECV) && !l4_ipc_error(res) && l4_msgtag_u(res) > limit)
        expect(L4_SYS_IPC, to, limit, l4_msgtag_u(res), limit);   /* over our receive limit */
    if (want)
        expect(L4_SYS_IPC, to, flags, res, (uint64_t)want << L4_RES_ERR_SHIFT);
    else if (flags == 0)
        expect(L4_SYS_IPC, to, flags, res, 0);
}

static int bad_user_addr(uint64_t c, uint64_t bit, uint64_t a)
{
    return (c & bit) && a >= L4_USER_END;
}

static void call_ex_regs(uint64_t *s, struct fuzz_worker *w)
{
    struct l4_exregs x = { .control = gen_exregs_control(s), .ip = gen_addr(s),
        .sp = gen_addr(s), .flags = gen_word(s), .fs_base = gen_addr(s),
        .gs_base = gen_addr(s), .pager = gen_handler_tid(s), .exc_handler = gen_handler_tid(s) };
    uint64_t c = x.control, ip = x.ip, sp = x.sp, fs = x.fs_base, gs = x.gs_base;
    count_call(w);
    uint64_t r = l4_lthread_ex_regs(&x);
    expect_error_code(L4_SYS_LTHREAD_EX_REGS, c, ip, r);
    if ((c & ~L4_EXREGS_VALID) || bad_user_addr(c, L4_EXREGS_SET_IP, ip) ||
        bad_user_addr(c, L4_EXREGS_SET_SP, sp) || bad_user_addr(c, L4_EXREGS_SET_FS, fs) ||
        bad_user_addr(c, L4_EXREGS_SET_GS, gs))
        expect(L4_SYS_LTHREAD_EX_REGS, c, ip, r, L4_ERR_INVALID);
}

static uint64_t pick(uint64_t *s, const uint64_t *v, unsigned n)
{
    return rng_below(s, n + 1) < n ? v[rng_below(s, n)] : rng_next(s);
}

static void call_schedule(uint64_t *s, struct fuzz_worker *w)
{
    static const uint64_t prio[] = { 0, 1, 39, 40, 41, 50, 51, 100, 200, 255, 256, ~0ULL };
    static const uint64_t slice[] = { 0, 1, 999, 1000, 10000, 1000000, 1000001, ~0ULL };
    struct l4_sched p = { .thread = gen_tid_not_supervisor(s),
        .set = rng_below(s, 8) ? rng_below(s, 4) : rng_next(s),
        .prio = pick(s, prio, 12), .slice_us = pick(s, slice, 8) };
    l4_threadid_t t = p.thread;
    count_call(w);
    uint64_t r = l4_thread_schedule(&p);
    expect_error_code(L4_SYS_THREAD_SCHEDULE, t, 0, r);
    if (names_nothing(t))
        expect(L4_SYS_THREAD_SCHEDULE, t, 0, r, L4_ERR_NO_PARTNER);
}

static void call_switch(uint64_t *s, struct fuzz_worker *w)
{
    l4_threadid_t t = gen_tid(s);
    count_call(w);
    uint64_t r = l4_thread_switch(t);
    fuzz_outcome(L4_SYS_THREAD_SWITCH, r);
    expect(L4_SYS_THREAD_SWITCH, t, 0, r, L4_OK);
}

static void call_id_nearest(uint64_t *s, struct fuzz_worker *w, unsigned me)
{
    l4_threadid_t t = gen_tid(s);
    uint64_t type, err;
    count_call(w);
    l4_threadid_t got = l4_id_nearest(t, &type, &err);
    expect_error_code(L4_SYS_ID_NEAREST, t, 0, err);
    if (l4_tid_is_nil(t)) {
        expect(L4_SYS_ID_NEAREST, t, 0, err, L4_OK);
        expect(L4_SYS_ID_NEAREST, t, 1, got, fuzz_ids[me]);
    } else if (names_nothing(t)) {
        expect(L4_SYS_ID_NEAREST, t, 0, err, L4_ERR_NO_PARTNER);
    }
}

/* fpage_unmap and task_new, and every number through the raw stub with random words. */
static void call_raw(uint64_t *s, struct fuzz_worker *w, uint64_t nr)
{
    uint64_t a[6];
    for (unsigned i = 0; i < 6; i++)
        a[i] = gen_word(s);
    if (nr == L4_SYS_LTHREAD_EX_REGS && !(a[0] & L4_EXREGS_LTHREAD_MASK))
        a[0] |= 1 + rng_below(s, 127);          /* not the supervisor, see gen.c */
    if (nr == L4_SYS_THREAD_SCHEDULE && a[0] == fuzz_ids[0])
        a[0] = L4_NILTHREAD;
    count_call(w);
    uint64_t r = l4_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (nr != L4_SYS_IPC)
        expect_error_code(nr, a[0], a[1], r);
    else
        fuzz_outcome(nr, l4_ipc_error(r));
}

/* Numbers outside the L4 range: Linux's, x32's, neighbours of the range. Each stops the
 * worker (a foreign system call); the supervisor restarts it. */
static void call_foreign(uint64_t *s, struct fuzz_worker *w)
{
    static const uint64_t nr[] = { 0, 1, 39, 60, 231, 450, 0x40000000ULL | 39,
        L4_SYS_BASE - 1, L4_SYS_BASE + L4_SYS_COUNT, L4_SYS_BASE + 0x100000000ULL,
        L4_SYS_BASE | (1ULL << 63), ~0ULL };
    uint64_t n = pick(s, nr, 12);
    count_call(w);
    l4_raw_syscall(n, gen_word(s), gen_word(s), gen_word(s), 0, 0, 0);
}

/* Devices: root gave this task port 0x80 and interrupt line FUZZ_IRQ_LINE. Workers
 * attach to lines (theirs or not), detach, wait with short timeouts, and touch ports they
 * hold and ports they do not (a #GP stops the worker; the supervisor restarts it). */
static void call_device(uint64_t *s, struct fuzz_worker *w)
{
    unsigned line = rng_below(s, 2) ? FUZZ_IRQ_LINE : (unsigned)rng_below(s, L4_IRQ_LINES + 2);
    l4_msg_t m = { { gen_word(s) } };
    count_call(w);
    switch (rng_below(s, 4)) {
    case 0: {
        l4_threadid_t f = l4_irq_id(line);
        uint64_t r = l4_receive(&f, &m, rng_below(s, 2) ? L4_TIMEOUT_ZERO : l4_timeout_from_us(50));
        expect_error_code(L4_SYS_IPC, l4_irq_id(line), 0, l4_ipc_error(r));
        break;
    }
    case 1:
        l4_send(l4_irq_id(line), l4_msgtag(0, 0, 0), &m, L4_TIMEOUT_ZERO);   /* detach */
        break;
    case 2:
        __asm__ volatile("outb %%al, $0x80" : : "a"(0));                   /* ours */
        break;
    default:
        __asm__ volatile("outb %%al, %%dx" : : "a"(0), "d"((uint16_t)(0x60 + rng_below(s, 32))));
    }
}

static void one_call(uint64_t *s, struct fuzz_worker *w, unsigned me)
{
    uint64_t r = rng_below(s, 100);
    if (r < 35)
        call_ipc(s, w, me);
    else if (r < 50)
        call_ex_regs(s, w);
    else if (r < 62)
        call_schedule(s, w);
    else if (r < 70)
        call_switch(s, w);
    else if (r < 78)
        call_id_nearest(s, w, me);
    else if (r < 80)
        call_unmap(s, w);
    else if (r < 82)
        call_task_new(s, w);
    else if (r < 83)
        call_raw(s, w, L4_SYS_FPAGE_UNMAP + rng_below(s, 2) * 4);   /* or TASK_NEW */
    else if (r < 85)
        call_raw(s, w, L4_SYS_BASE + rng_below(s, L4_SYS_COUNT));
    else if (r < 95)
        kdebug_fuzz(s, w);
    else if (r < 97)
        call_device(s, w);
    else
        call_foreign(s, w);
}

void worker_entry(void)
{
    unsigned me = l4_tid_lthread(l4_myself());
    if (me == 0 || me > FUZZ_WORKERS) {
        /* Only a stray jump gets another thread here: it must not use a worker's slot. */
        struct l4_exregs x = { .control = me | L4_EXREGS_HALT };
        for (;;)
            l4_lthread_ex_regs(&x);
    }
    struct fuzz_worker *w = &fuzz_workers[me];
    for (;;) {
        __asm__ volatile("cld");    /* a sibling's SET_FLAGS may have set DF under us */
        one_call(&w->rng, w, me);
    }
}
