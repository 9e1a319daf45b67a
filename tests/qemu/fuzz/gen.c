/*
 * gen.c — seeded random arguments drawn to hit edge cases: every pool mixes the values
 * a kernel gets wrong (nil, ~0, version 0, stale versions, the canonical boundary, kernel
 * addresses, lengths that wrap) with plain random words. xorshift64* keeps a failure
 * replayable from its seed, up to the scheduling interleaving.
 */
#include "task.h"
#include <l4/layout.h>
#include <l4/utcb.h>

/* splitmix64 of seed and stream: independent, never-zero states per worker. */
uint64_t rng_seed(uint64_t seed, unsigned stream)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return z ? z : 1;
}

/* A live id of this task, or one with its version moved by one (stale). */
static l4_threadid_t own_tid(uint64_t *s, int stale)
{
    l4_threadid_t t = fuzz_ids[rng_below(s, FUZZ_WORKERS + 1)];
    if (!stale)
        return t;
    return rng_below(s, 2) ? t + (1ULL << L4_VERSION_SHIFT) : t - (1ULL << L4_VERSION_SHIFT);
}

l4_threadid_t gen_tid(uint64_t *s)
{
    unsigned task = l4_tid_task(fuzz_ids[0]);
    switch (rng_below(s, 11)) {
    case 0: return L4_NILTHREAD;
    case 1: return ~0ULL;
    case 2: case 3: return own_tid(s, 0);
    case 4: return own_tid(s, 1);
    /* lthreads past the workers: never created, or created by a random ex_regs and
     * stopped by the fault that followed (this kernel's closest thing to dead) */
    case 5: return l4_tid_make(task, FUZZ_WORKERS + 1 + rng_below(s, 121), 1 + rng_below(s, 64));
    case 6: return l4_tid_make(4 + rng_below(s, 1020), rng_below(s, 128), 1 + rng_below(s, 8));
    case 7: return 1 + rng_below(s, 64);                 /* version 0: an interrupt's id */
    case 8: return l4_tid_make(L4_TASK_ROOT, rng_below(s, 4), 1 + rng_below(s, 16));
    case 9: return l4_tid_make(L4_TASK_SIGMA0, rng_below(s, 2), 1 + rng_below(s, 4));
    default: return rng_next(s);
    }
}

/* Workers never name the supervisor in thread_schedule or lthread_ex_regs: halting or
 * deprioritising it would end the experiment without saying anything about the kernel.
 * That is the only shaping of arguments; stale versions of its id are still drawn. */
l4_threadid_t gen_tid_not_supervisor(uint64_t *s)
{
    l4_threadid_t t;
    do
        t = gen_tid(s);
    while (t == fuzz_ids[0]);
    return t;
}

/* Pagers and exception handlers are never live threads of the fuzz task: with fault and
 * exception IPC, a sibling as handler could rewrite a worker's registers and jump it into
 * its own result checks, which would then report nonsense rather than kernel bugs. */
l4_threadid_t gen_handler_tid(uint64_t *s)
{
    for (;;) {
        l4_threadid_t t = gen_tid(s);
        int live = 0;
        for (unsigned i = 0; i <= FUZZ_WORKERS; i++)
            live |= t == fuzz_ids[i];
        if (!live)
            return t;
    }
}

static const uint64_t edge_addrs[] = {
    0, 1, 0xfff, 0x1000, 0x1000000,                     /* null page; root's image (unmapped here) */
    L4_KIP_ADDR, L4_KIP_ADDR + 0xffd,                   /* read-only, NX; last bytes of it */
    L4_UTCB_BASE, L4_UTCB_BASE + 0x7fff8, L4_UTCB_BASE - 8,
    L4_SIGMA0_PHYS_BASE, L4_USER_END - 0x1000, L4_USER_END - 8, L4_USER_END - 1,
    0x0000800000000000ULL, 0x8000000000000000ULL,       /* first non-canonical addresses */
    0xffff800000000000ULL, 0xffffffff80100000ULL,       /* kernel direct map, kernel image */
    0xffffffffc0000000ULL, ~0ULL, ~0ULL - 15,           /* LAPIC window; wrap-around */
};

uint64_t gen_addr(uint64_t *s)
{
    switch (rng_below(s, 4)) {
    case 0: return rng_next(s) & (L4_USER_END - 1);     /* user half, almost surely unmapped */
    case 1: return rng_next(s);
    default: return edge_addrs[rng_below(s, sizeof(edge_addrs) / sizeof(edge_addrs[0]))];
    }
}

uint64_t gen_len(uint64_t *s)
{
    static const uint64_t edge[] = { 0, 1, 2, 7, 8, 4095, 4096, 4097, 1ULL << 47, 1ULL << 63, ~0ULL };
    return rng_below(s, 3) ? edge[rng_below(s, sizeof(edge) / sizeof(edge[0]))] : rng_next(s);
}

uint64_t gen_word(uint64_t *s)
{
    switch (rng_below(s, 6)) {
    case 0: return 0;
    case 1: return ~0ULL;
    case 2: return gen_tid(s);
    case 3: return gen_addr(s);
    case 4: return rng_below(s, 300);
    default: return rng_next(s);
    }
}

l4_timeout_t gen_timeout(uint64_t *s)
{
    switch (rng_below(s, 6)) {
    case 0: return L4_TIMEOUT_ZERO;
    case 1: return L4_TIMEOUT_NEVER;
    case 2: return (l4_timeout_t)(1 + rng_below(s, 1023));        /* 1..1023 µs */
    case 3: return (l4_timeout_t)((1u << 10) | rng_below(s, 1024)); /* up to 2 ms */
    case 4: return (l4_timeout_t)((41u + rng_below(s, 23)) << 10 | 1); /* exponent > 40 */
    default: return (l4_timeout_t)rng_next(s);
    }
}

/* Tags: mostly well formed with u from 0 to past the maximum, sometimes typed words,
 * reserved bits or a random word. The sender's UTCB words are random too (worker.c). */
l4_msgtag_t gen_tag(uint64_t *s)
{
    unsigned u = (unsigned)(rng_below(s, 4) ? rng_below(s, 9) : rng_below(s, 128));
    switch (rng_below(s, 8)) {
    case 0: return rng_next(s);
    case 1: return l4_msgtag((uint32_t)rng_next(s), u, 1 + (unsigned)rng_below(s, 63));
    case 2: return l4_msgtag(0, u, 0) | (1ULL << (13 + rng_below(s, 3)));
    case 3: return l4_msgtag(0, L4_MSG_MAX_WORDS + (unsigned)rng_below(s, 2), 0);
    default: return l4_msgtag((uint32_t)rng_next(s), u, 0);
    }
}

uint64_t gen_ipc_flags(uint64_t *s)
{
    return rng_below(s, 8) ? rng_below(s, 8) : rng_next(s) & 0xffffffffULL;
}

/* Control word of lthread_ex_regs: random SET/CANCEL/HALT bits, sometimes unknown ones.
 * The lthread is never 0, the supervisor (see gen_tid_not_supervisor). */
uint64_t gen_exregs_control(uint64_t *s)
{
    uint64_t c = rng_below(s, 8) ? rng_next(s) & 0x1ff00ULL : rng_next(s) & ~L4_EXREGS_LTHREAD_MASK;
    unsigned lt;
    switch (rng_below(s, 4)) {
    case 0: lt = FUZZ_WORKERS + 1 + (unsigned)rng_below(s, 121); break;
    case 1: lt = 127; break;
    default: lt = 1 + (unsigned)rng_below(s, FUZZ_WORKERS); break;
    }
    return c | lt;
}
