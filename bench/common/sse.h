/*
 * sse.h — the SSE work of the round trips with live XMM state, one source for both
 * systems (ipc_call_inter_task_sse on Ell Four, ipc_pipe_pingpong_sse on Linux): the
 * caller holds a value in an XMM register across each round trip and checks it after; the
 * partner adds the message's two words into an accumulator it holds in an XMM register
 * across its wait (paddq) and answers with it, which the caller checks against its own
 * sums. So every switch leaves non-initial XMM state behind on both sides, and the kernel
 * must save and restore it: a round that finds either value changed is counted as lost.
 */
#ifndef BENCH_SSE_H
#define BENCH_SSE_H

#include <stdint.h>

typedef long long bench_v2di __attribute__((vector_size(16)));

struct bench_sse {
    uint64_t round;         /* rounds begun */
    uint64_t sum[2];        /* what the partner's accumulator must hold */
    uint64_t lost;          /* rounds whose held value or answer was wrong */
};

/* Keeps v in an XMM register here: around a system call (which clobbers none of them, so
 * the compiler has no reason to move v elsewhere in between), never around a C call (the
 * psABI has every XMM register caller-saved: v would wait on the stack). */
#define BENCH_SSE_HOLD(v) __asm__ volatile("" : "+x"(v))

/* Round n's message words into w[0..1]; returns the value the caller holds meanwhile. */
static inline bench_v2di bench_sse_begin(struct bench_sse *s, uint64_t w[2])
{
    uint64_t n = ++s->round;
    w[0] = n;
    w[1] = 3 * n + 1;
    s->sum[0] += w[0];
    s->sum[1] += w[1];
    return (bench_v2di){ (long long)n, (long long)~n };
}

/* After the round trip: the held value intact, the answer the partner's sums. */
static inline void bench_sse_end(struct bench_sse *s, bench_v2di held, const uint64_t w[2])
{
    if ((uint64_t)held[0] != s->round || (uint64_t)held[1] != ~s->round ||
        w[0] != s->sum[0] || w[1] != s->sum[1])
        s->lost++;
}

/* The partner's step: acc += (w[0], w[1]) in one paddq; the answer w = acc. */
static inline bench_v2di bench_sse_add(bench_v2di acc, uint64_t w[2])
{
    bench_v2di in = { (long long)w[0], (long long)w[1] };
    __asm__("paddq %1, %0" : "+x"(acc) : "x"(in));
    w[0] = (uint64_t)acc[0];
    w[1] = (uint64_t)acc[1];
    return acc;
}

#endif
