/*
 * task.h — what the fuzz task's supervisor and workers share: the seeded generator of
 * edge-case arguments (gen.c), the worker loop (worker.c) and the counters the
 * supervisor reads (supervisor.c).
 */
#ifndef FUZZ_TASK_H
#define FUZZ_TASK_H

#include "fuzz.h"

#define FUZZ_WORKERS      6u      /* lthreads 1..FUZZ_WORKERS; lthread 0 is the supervisor */
#define FUZZ_WORKER_PRIO  40u
#define FUZZ_STACK        16384u

/* Per-worker state; the generator's state lives here so a restart continues the stream. */
struct fuzz_worker {
    uint64_t rng;
    volatile uint64_t calls;      /* this worker's calls begun (progress for the supervisor) */
};

/* The first wrong result seen, kept for the supervisor to print. */
struct fuzz_violation {
    uint64_t call, nr, arg0, arg1, got, want;
};

extern struct fuzz_worker fuzz_workers[FUZZ_WORKERS + 1];
extern l4_threadid_t fuzz_ids[FUZZ_WORKERS + 1];   /* [0] the supervisor */
extern volatile uint64_t fuzz_calls;               /* all workers' calls begun */
extern volatile uint64_t fuzz_violations;
extern struct fuzz_violation fuzz_first_violation;
/* Results per L4 call and error code ([L4_ERR__COUNT]: out of range), printed at the end
 * so a run shows which paths it reached. */
extern volatile uint64_t fuzz_outcomes[L4_SYS_COUNT][L4_ERR__COUNT + 1];

static inline void fuzz_outcome(uint64_t nr, uint64_t err)
{
    fuzz_outcomes[nr - L4_SYS_BASE][err < L4_ERR__COUNT ? err : L4_ERR__COUNT]++;
}

/* gen.c: xorshift64* and the argument pools. */
#include "../rng.h"                 /* rng_next, rng_below */
uint64_t rng_seed(uint64_t seed, unsigned stream);
l4_threadid_t gen_tid(uint64_t *s);
l4_threadid_t gen_tid_not_supervisor(uint64_t *s);
l4_threadid_t gen_handler_tid(uint64_t *s);
uint64_t gen_addr(uint64_t *s);
uint64_t gen_len(uint64_t *s);
uint64_t gen_word(uint64_t *s);
l4_timeout_t gen_timeout(uint64_t *s);
l4_msgtag_t gen_tag(uint64_t *s);
uint64_t gen_ipc_flags(uint64_t *s);
uint64_t gen_exregs_control(uint64_t *s);

/* Counted before the call is made: a call that never returns still counts. */
static inline void count_call(struct fuzz_worker *w)
{
    w->calls++;
    __atomic_fetch_add(&fuzz_calls, 1, __ATOMIC_RELAXED);
}

/* space.c: map/grant items, receive windows, fpage_unmap, task_new (see its comment). */
#define FUZZ_TASK_SLOTS 32u
l4_fpage_t gen_window(uint64_t *s);
void gen_items(uint64_t *s, l4_msg_t *m, unsigned me, unsigned u, unsigned t);
l4_threadid_t gen_created_tid(uint64_t *s);
void call_unmap(uint64_t *s, struct fuzz_worker *w);
void call_task_new(uint64_t *s, struct fuzz_worker *w);
void space_cleanup(void);

/* kdb.c */
void kdebug_fuzz(uint64_t *s, struct fuzz_worker *w);

/* cpu.c: the CPU probes, in child tasks; tick() keeps the reports to root going. */
void cpu_phase(unsigned passes, void (*tick)(void), uint64_t *result);

/* worker.c */
void worker_entry(void);
void fuzz_violation(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t got, uint64_t want);
void fuzz_expect(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t got, uint64_t want);

#endif
