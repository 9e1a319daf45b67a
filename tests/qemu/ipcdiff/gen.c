/*
 * gen.c — the commands of the differential IPC fuzz, drawn from the seed: every IPC shape
 * (call, reply-and-wait, send, closed and open receive, none, an unknown flag), never,
 * zero and short timeouts, 0..8 register words and longer messages through the UTCB, too
 * long ones, odd typed words and reserved tag bits, one-page map items (real, malformed,
 * of nothing), receive windows and rcv_max_words limits; partners that are likely to
 * match (a worker whose pending command waits for this one), any worker, itself, and ids
 * naming no thread; and lthread_ex_regs cancels of the worker's own task's threads.
 * Foreign system calls (l4/fault.h): Linux-like numbers, large ones, ones just beside the
 * seven L4 calls' and ones whose low half is an L4 call's; every register loaded; an
 * exception handler that waits for the call, one that will receive it later, the other
 * worker of the task, any worker, itself (DEADLOCK), nil, stale and absent ones (NO_PARTNER:
 * the caller stops until a cancel restarts it). The handler's answers when it comes to
 * act: short replies u = 0, 1, 2 (FS valid and not), lengths 3..22 (INVALID), the request
 * for the full set (u = 0, and u > 0: INVALID), full replies of 23 and 24 words that resume
 * the caller (past its `syscall` or at its other resume point) or put RIP, RSP, FS or GS
 * outside the user half (INVALID), too long ones (MSG_TOO_LONG), with or without a map
 * item, as call, reply-and-wait (three in four of them the fastpath's shape) or send; and
 * cancels of callers waiting in the call, or stopped. For a foreign call and an answer
 * the driver may make the partner the more urgent of the two (driver.c's outrank).
 */
#include "driver.h"
#include <l4/fault.h>

uint64_t rng_seed(uint64_t seed)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return z ? z : 1;
}

/* A foreign call offers its message to its handler (phase SEND), then waits for the
 * handler's answer (RECV): by the kernel's word; a call of this round is to be sent. */
static int foreign_waits_for(const struct worker *b, l4_threadid_t a, unsigned phase)
{
    if (b->fresh)
        return phase == L4_IPC_SEND && b->cmd[C_PARTNER] == a;
    return b->kpartner == a &&
           b->kstate == (phase == L4_IPC_SEND ? L4_TSTATE_SENDING : L4_TSTATE_RECEIVING);
}

/* Whether worker b's pending command would take a message from a (phase RECV: it
 * receives, open or from a) or offers one to a (phase SEND), by the kernel's word at the
 * last round's end (thread_schedule) or, for a command of this round, by the command. */
static int waits_for(const struct worker *b, l4_threadid_t a, unsigned phase)
{
    unsigned f = l4_ipc_control_flags(b->cmd[C_CONTROL]);
    if (b->busy && b->cmd[C_OP] == IPCDIFF_OP_FOREIGN)
        return foreign_waits_for(b, a, phase);
    if (!b->busy || b->cmd[C_OP] != IPCDIFF_OP_IPC)
        return 0;
    if (phase == L4_IPC_RECV && b->kstate == L4_TSTATE_RECEIVING &&
        (b->kpartner == a || l4_tid_is_nil(b->kpartner)))
        return 1;
    if (phase == L4_IPC_SEND && b->kstate == L4_TSTATE_SENDING && b->kpartner == a)
        return 1;
    if (!(f & phase))
        return 0;
    if (phase == L4_IPC_RECV)
        return (f & L4_IPC_OPEN) || b->cmd[C_PARTNER] == a;
    return b->cmd[C_PARTNER] == a;
}

/* Workers whose pending command waits for w in `phase`, into cand[]; their number. */
static unsigned waiting(unsigned w, unsigned phase, unsigned *cand)
{
    unsigned n = 0;
    for (unsigned b = 0; b < IPCDIFF_WORKERS; b++)
        if (b != w && waits_for(&workers[b], workers[w].id, phase))
            cand[n++] = b;
    return n;
}

/* Seven times in ten, if some worker waits for w: the shape that meets it and its id. */
static int gen_meet(uint64_t *s, unsigned w, unsigned *flags, l4_threadid_t *partner)
{
    static const unsigned to_receiver[] = { L4_IPC_SEND | L4_IPC_RECV, L4_IPC_SEND,
        L4_IPC_SEND | L4_IPC_RECV | L4_IPC_OPEN };
    static const unsigned from_sender[] = { L4_IPC_RECV, L4_IPC_RECV | L4_IPC_OPEN };
    unsigned rcv[IPCDIFF_WORKERS], snd[IPCDIFF_WORKERS];
    unsigned nr = waiting(w, L4_IPC_RECV, rcv), ns = waiting(w, L4_IPC_SEND, snd);
    if (!(nr + ns) || rng_below(s, 10) < 3)
        return 0;
    unsigned i = (unsigned)rng_below(s, nr + ns);
    if (i < nr) {
        *partner = workers[rcv[i]].id;
        *flags = to_receiver[rng_below(s, 3)];
    } else {
        *partner = workers[snd[i - nr]].id;
        *flags = from_sender[rng_below(s, 2)];
    }
    return 1;
}

/* A partner for worker w's IPC with these flags. */
static l4_threadid_t gen_partner(uint64_t *s, unsigned w, unsigned flags)
{
    l4_threadid_t me = workers[w].id, any = workers[rng_below(s, IPCDIFF_WORKERS)].id;
    unsigned r = (unsigned)rng_below(s, 100);
    if (r < 3)
        return L4_NILTHREAD;
    if (r < 7)                                          /* stale: the next version */
        return any + (1ULL << L4_VERSION_SHIFT);
    if (r < 9)
        return l4_tid_make(l4_tid_task(any), IPCDIFF_LT_ABSENT, l4_tid_version(any));
    if (r < 10)
        return l4_tid_make(700, 0, 1);                  /* no such task */
    if (r < 14)
        return me;
    if (r < 70) {
        unsigned cand[IPCDIFF_WORKERS];
        unsigned n = waiting(w, flags & L4_IPC_SEND ? L4_IPC_RECV : L4_IPC_SEND, cand);
        if (n)
            return workers[cand[rng_below(s, n)]].id;
    }
    return any;
}

static unsigned gen_flags(uint64_t *s)
{
    static const unsigned shapes[] = {
        L4_IPC_SEND | L4_IPC_RECV, L4_IPC_SEND | L4_IPC_RECV, L4_IPC_SEND | L4_IPC_RECV,
        L4_IPC_SEND | L4_IPC_RECV | L4_IPC_OPEN, L4_IPC_SEND | L4_IPC_RECV | L4_IPC_OPEN,
        L4_IPC_SEND, L4_IPC_SEND, L4_IPC_SEND,
        L4_IPC_RECV, L4_IPC_RECV, L4_IPC_RECV | L4_IPC_OPEN, L4_IPC_RECV | L4_IPC_OPEN,
        L4_IPC_RECV | L4_IPC_OPEN,
    };
    unsigned r = (unsigned)rng_below(s, 100);
    if (r < 2)
        return 0;                                       /* does nothing, returns 0 */
    if (r < 3)
        return L4_IPC_SEND | 0x10;                      /* unknown flag: INVALID */
    if (r < 4)
        return L4_IPC_SEND | L4_IPC_OPEN;               /* OPEN without a receive phase */
    return shapes[rng_below(s, sizeof(shapes) / sizeof(shapes[0]))];
}

/* never, zero (also spelled with a zero mantissa and an exponent), or, if short_ok,
 * 20 .. 500 µs. */
static l4_timeout_t gen_timeout(uint64_t *s, int short_ok)
{
    unsigned r = (unsigned)rng_below(s, 100);
    if (short_ok && r < 50)
        return l4_timeout_from_us(20 + rng_below(s, 480));
    if (short_ok)
        return r < 90 ? L4_TIMEOUT_ZERO : (l4_timeout_t)((1 + rng_below(s, 20)) << 10);
    return r < 45 ? L4_TIMEOUT_NEVER : r < 95 ? L4_TIMEOUT_ZERO
                                              : (l4_timeout_t)((1 + rng_below(s, 20)) << 10);
}

/* The control word; timed: every used phase short or zero, at least one short. */
static uint64_t gen_control(uint64_t *s, unsigned flags, int timed)
{
    l4_timeout_t snd = gen_timeout(s, timed), rcv = gen_timeout(s, timed);
    if (timed) {
        l4_timeout_t t = l4_timeout_from_us(20 + rng_below(s, 480));
        if (flags & L4_IPC_RECV && (!(flags & L4_IPC_SEND) || rng_below(s, 2)))
            rcv = t;
        else
            snd = t;
    }
    return l4_ipc_control(flags, snd, rcv);
}

static l4_msgtag_t gen_tag(uint64_t *s)
{
    unsigned r = (unsigned)rng_below(s, 100), u, t = 0;
    if (r < 70)
        u = (unsigned)rng_below(s, 9);                  /* registers only */
    else if (r < 90)
        u = 9 + (unsigned)rng_below(s, 16);             /* through the UTCB */
    else if (r < 97)
        u = 25 + (unsigned)rng_below(s, 38);            /* up to 62 (+ 2 typed) */
    else
        u = 60 + (unsigned)rng_below(s, 68);            /* up to 127: too long, mostly */
    r = (unsigned)rng_below(s, 100);
    if (r >= 80)
        t = r < 97 ? 2 : r < 99 ? 1 : 3;                /* a map item, or odd: INVALID */
    l4_msgtag_t tag = l4_msgtag((uint32_t)rng_below(s, 0x10000), u, t);
    if (rng_below(s, 100) == 0)
        tag |= 1ULL << (13 + rng_below(s, 3));          /* a reserved flag bit: INVALID */
    return tag;
}

static uint64_t gen_rcv_max(uint64_t *s)
{
    unsigned r = (unsigned)rng_below(s, 100);
    return r < 50 ? 0 : r < 80 ? 1 + rng_below(s, 12) : r < 90 ? L4_MSG_MAX_WORDS
                                                                : 65 + rng_below(s, 200);
}

static uint64_t gen_window(uint64_t *s)
{
    static const unsigned maps[] = { IPCDIFF_MAP_R, IPCDIFF_MAP_R, IPCDIFF_MAP_R,
        IPCDIFF_MAP_RW, IPCDIFF_MAP_RW, IPCDIFF_MAP_BAD, IPCDIFF_MAP_NONE };
    uint64_t map = maps[rng_below(s, sizeof(maps) / sizeof(maps[0]))];
    return (map << IPCDIFF_MAP_SHIFT) | (rng_below(s, 10) < 6);
}

/* A cancel of a thread of w's own task: mostly a busy worker, else any worker (itself
 * too), now and then an lthread that does not exist. */
static uint64_t gen_cancel_target(uint64_t *s, unsigned w)
{
    unsigned first = w - w % IPCDIFF_PER_TASK, n = 0, cand[IPCDIFF_PER_TASK];
    if (rng_below(s, 20) == 0)
        return IPCDIFF_LT_ABSENT;
    for (unsigned i = 0; i < IPCDIFF_PER_TASK; i++)
        if (workers[first + i].busy)
            cand[n++] = i;
    unsigned pick = n && rng_below(s, 10) < 7 ? cand[rng_below(s, n)]
                                              : (unsigned)rng_below(s, IPCDIFF_PER_TASK);
    return IPCDIFF_LT_WORKER0 + pick;
}

/* Half the calls and reply-and-waits get the fastpath's shape (l4kern/src/fastpath): up to
 * eight register words, no typed ones, a receive timeout of never; whether it takes them
 * is up to the partner (waiting? its limit? anyone more urgent ready?). */
static void fastpath_shape(uint64_t *s, uint64_t cmd[C_WORDS])
{
    l4_msgtag_t tag = cmd[C_TAG];
    cmd[C_TAG] = l4_msgtag(l4_msgtag_label(tag), (unsigned)rng_below(s, 9), 0);
    cmd[C_CONTROL] = l4_ipc_control(l4_ipc_control_flags(cmd[C_CONTROL]),
                                    l4_ipc_control_snd(cmd[C_CONTROL]), L4_TIMEOUT_NEVER);
    if (rng_below(s, 4))
        cmd[C_RCV_MAX] = 0;
}

/* A foreign system call's number: never one of the seven L4 calls. */
static uint64_t gen_number(uint64_t *s)
{
    unsigned r = (unsigned)rng_below(s, 100);
    if (r < 55)
        return rng_below(s, 335);                       /* Linux-like */
    if (r < 63)
        return L4_SYS_BASE + L4_SYS_COUNT + rng_below(s, 64);
    if (r < 67)
        return L4_SYS_BASE - 1 - rng_below(s, 4);
    if (r < 72)                                         /* an L4 call's in the low half */
        return (1 + rng_below(s, 0xffffffffULL)) << 32 | (L4_SYS_BASE + rng_below(s, 7));
    uint64_t n = rng_next(s);
    return n - L4_SYS_BASE < L4_SYS_COUNT ? n + L4_SYS_COUNT : n;
}

/* The exception handler a foreign call of worker w goes to. */
static l4_threadid_t gen_handler(uint64_t *s, unsigned w)
{
    l4_threadid_t any = workers[rng_below(s, IPCDIFF_WORKERS)].id;
    unsigned r = (unsigned)rng_below(s, 100), first = w - w % IPCDIFF_PER_TASK;
    if (r < 3)
        return L4_NILTHREAD;
    if (r < 6)
        return any + (1ULL << L4_VERSION_SHIFT);       /* stale */
    if (r < 8)
        return l4_tid_make(l4_tid_task(any), IPCDIFF_LT_ABSENT, l4_tid_version(any));
    if (r < 10)
        return workers[w].id;                           /* DEADLOCK */
    unsigned cand[IPCDIFF_WORKERS], n = 0;
    for (unsigned b = 0; r < 65 && b < IPCDIFF_WORKERS; b++)   /* waits now: the fastpath's */
        if (b != w && workers[b].busy && !workers[b].fresh &&
            workers[b].cmd[C_OP] == IPCDIFF_OP_IPC &&
            waits_for(&workers[b], workers[w].id, L4_IPC_RECV))
            cand[n++] = b;
    if (r >= 65 && r < 72)                              /* or will, in this round */
        n = waiting(w, L4_IPC_RECV, cand);
    if (n)
        return workers[cand[rng_below(s, n)]].id;
    if (r < 86)                                         /* the other worker of its task */
        return workers[first + (w - first + 1) % IPCDIFF_PER_TASK].id;
    return any;
}

/* A worker waiting in a foreign call for w's answer (its handler is w), if any. */
static int answer_wanted(uint64_t *s, unsigned w, unsigned *x)
{
    unsigned cand[IPCDIFF_WORKERS], n = 0;
    for (unsigned b = 0; b < IPCDIFF_WORKERS; b++)
        if (b != w && workers[b].busy && workers[b].cmd[C_OP] == IPCDIFF_OP_FOREIGN &&
            foreign_waits_for(&workers[b], workers[w].id, L4_IPC_RECV))
            cand[n++] = b;
    if (!n)
        return 0;
    *x = cand[rng_below(s, n)];
    return 1;
}

/* Worker w's answer to x's foreign call (l4/fault.h). A full reply that resumes x needs
 * the full set w last received to be x's own (else it gets a bad one). */
static void gen_answer(uint64_t *s, unsigned w, unsigned x, uint64_t cmd[C_WORDS])
{
    static const unsigned shapes[] = { L4_IPC_SEND | L4_IPC_RECV, L4_IPC_SEND | L4_IPC_RECV,
        L4_IPC_SEND | L4_IPC_RECV | L4_IPC_OPEN, L4_IPC_SEND | L4_IPC_RECV | L4_IPC_OPEN,
        L4_IPC_SEND };
    const struct worker *h = &workers[w];
    int full = h->exc_u == L4_EXC_WORDS && h->exc_stamp == workers[x].cmd[C_STAMP];
    unsigned flags = shapes[rng_below(s, 5)], r = (unsigned)rng_below(s, 100), u;
    uint32_t label = (uint32_t)rng_below(s, 0x10000);
    uint64_t ans = IPCDIFF_ANS_NONE, bad = IPCDIFF_ANS_BAD_RIP + rng_below(s, 4);
    if (full && rng_below(s, 10) < 6) {                 /* a full reply that resumes x */
        u = L4_EXC_WORDS + (unsigned)rng_below(s, 2);
        ans = rng_below(s, 4) ? IPCDIFF_ANS_FULL : IPCDIFF_ANS_FULL_ALT;
    } else if (r < 30) {                                /* short: u = 0, 1, 2 */
        u = r / 10;
        ans = IPCDIFF_ANS_SHORT;
    } else if (r < 35) {
        u = L4_EXR_WORDS;
        ans = IPCDIFF_ANS_BAD_FS;
    } else if (r < 40) {
        u = L4_EXR_WORDS + 1 + (unsigned)rng_below(s, L4_EXC_WORDS - L4_EXR_WORDS - 1);
    } else if (r < 65) {                                /* the full set, please */
        label = L4_LABEL_EXC_FULL;
        u = r < 61 ? 0 : 1 + (unsigned)rng_below(s, 24);
    } else if (r < 93) {                                /* full, 23 or 24 words: bad */
        u = L4_EXC_WORDS + (unsigned)rng_below(s, 2);
        ans = bad;
    } else {
        u = 25 + (unsigned)rng_below(s, 40);            /* more than a kernel message */
    }
    cmd[C_OP] = IPCDIFF_OP_IPC;
    cmd[C_PARTNER] = workers[x].id;
    cmd[C_TAG] = l4_msgtag(label, u, rng_below(s, 100) < 8 ? 2 : 0);
    cmd[C_CONTROL] = gen_control(s, flags, 0);
    if (flags != L4_IPC_SEND && rng_below(s, 4))        /* the fastpath's shape */
        cmd[C_CONTROL] = l4_ipc_control(flags, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    cmd[C_RCV_MAX] = gen_rcv_max(s);
    cmd[C_WINDOW] = gen_window(s) | ans << IPCDIFF_ANS_SHIFT;
    cmd[C_VALUE] = rng_next(s);
}

int gen_command(uint64_t *s, unsigned w, uint64_t stamp, int timed, uint64_t cmd[C_WORDS])
{
    memset(cmd, 0, C_WORDS * sizeof(uint64_t));
    cmd[C_STAMP] = stamp;
    if (!timed && rng_below(s, 100) < 10) {
        cmd[C_OP] = IPCDIFF_OP_CANCEL;
        cmd[C_PARTNER] = gen_cancel_target(s, w);
        return 0;
    }
    unsigned x;
    if (!timed && answer_wanted(s, w, &x) && rng_below(s, 10) < 8) {
        gen_answer(s, w, x, cmd);
        return 1;
    }
    if (!timed && rng_below(s, 100) < 12) {             /* never timed: it may block */
        cmd[C_OP] = IPCDIFF_OP_FOREIGN;
        cmd[C_PARTNER] = gen_handler(s, w);
        cmd[C_TAG] = gen_number(s);
        cmd[C_VALUE] = rng_next(s);
        return 1;
    }
    unsigned flags;
    l4_threadid_t partner;
    if (!gen_meet(s, w, &flags, &partner)) {
        flags = gen_flags(s);
        if (timed && !(flags & (L4_IPC_SEND | L4_IPC_RECV)))
            flags = L4_IPC_RECV | L4_IPC_OPEN;
        partner = gen_partner(s, w, flags);
    }
    cmd[C_OP] = IPCDIFF_OP_IPC;
    cmd[C_PARTNER] = partner;
    cmd[C_TAG] = gen_tag(s);
    cmd[C_CONTROL] = gen_control(s, flags, timed);
    cmd[C_RCV_MAX] = gen_rcv_max(s);
    cmd[C_WINDOW] = gen_window(s);
    cmd[C_VALUE] = rng_next(s);
    if (!timed && (flags == (L4_IPC_SEND | L4_IPC_RECV) ||
                   flags == (L4_IPC_SEND | L4_IPC_RECV | L4_IPC_OPEN)) && rng_below(s, 2))
        fastpath_shape(s, cmd);
    return 0;
}
