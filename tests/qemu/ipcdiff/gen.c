/*
 * gen.c — the commands of the differential IPC fuzz, drawn from the seed: every IPC shape
 * (call, reply-and-wait, send, closed and open receive, none, an unknown flag), never,
 * zero and short timeouts, 0..8 register words and longer messages through the UTCB, too
 * long ones, odd typed words and reserved tag bits, one-page map items (real, malformed,
 * of nothing), receive windows and rcv_max_words limits; partners that are likely to
 * match (a worker whose pending command waits for this one), any worker, itself, and ids
 * naming no thread; and lthread_ex_regs cancels of the worker's own task's threads.
 */
#include "driver.h"

uint64_t rng_seed(uint64_t seed)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return z ? z : 1;
}

/* Whether worker b's pending command would take a message from a (phase RECV: it
 * receives, open or from a) or offers one to a (phase SEND), by the kernel's word at the
 * last round's end (thread_schedule) or, for a command of this round, by the command. */
static int waits_for(const struct worker *b, l4_threadid_t a, unsigned phase)
{
    unsigned f = l4_ipc_control_flags(b->cmd[C_CONTROL]);
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

void gen_command(uint64_t *s, unsigned w, uint64_t stamp, int timed, uint64_t cmd[C_WORDS])
{
    memset(cmd, 0, C_WORDS * sizeof(uint64_t));
    cmd[C_STAMP] = stamp;
    if (!timed && rng_below(s, 100) < 10) {
        cmd[C_OP] = IPCDIFF_OP_CANCEL;
        cmd[C_PARTNER] = gen_cancel_target(s, w);
        return;
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
}
