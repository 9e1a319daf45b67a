/*
 * driver.h — the driver's side of the differential IPC fuzz: its view of the workers, the
 * round loop (driver.c) and the command generator (gen.c), all in root's first thread.
 */
#ifndef IPCDIFF_DRIVER_H
#define IPCDIFF_DRIVER_H

#include "ipcdiff.h"

/* What the driver knows of worker i: task i / IPCDIFF_PER_TASK, lthread 2 + i % PER_TASK. */
struct worker {
    l4_threadid_t id;
    int busy;                       /* has a command it has not reported yet */
    uint64_t cmd[C_WORDS];          /* that command */
    int fresh;                      /* its command is of this round: kstate is older */
    unsigned prio;                  /* its priority now */
    unsigned kstate;                /* thread_schedule's state and partner at the last round's */
    l4_threadid_t kpartner;         /* end: whom its pending command waits for */
    unsigned exc_u;                 /* the last exception message it received: its length */
    uint64_t exc_stamp;             /* and the sender's command then, if still pending */
};
extern struct worker workers[IPCDIFF_WORKERS];

/* Options from the command line (root.c). */
struct options {
    uint64_t seed, seeds, ops;      /* seeds seed, seed + 1, ...; ops reports each at least */
    int verbose;                    /* print every folded record (IPCDIFF-OP lines) */
    int strict;                     /* fold MR0..MR7 whole, even beyond the words received */
};
extern struct options opt;

/* gen.c: xorshift64* and the commands. */
#include "../rng.h"                 /* rng_next, rng_below */
uint64_t rng_seed(uint64_t seed);
/* Fills cmd[] for free worker w. timed: one used phase gets a short timeout, and every
 * used phase a short or zero one (the round's only command: ipcdiff.h). Returns 1 for a
 * foreign call and an answer to one: the fastpath takes those only if the partner (the
 * handler; the caller) is at least as urgent as every thread ready, w included, which the
 * driver may arrange (driver.c), else 0. */
int gen_command(uint64_t *s, unsigned w, uint64_t stamp, int timed, uint64_t cmd[C_WORDS]);

/* driver.c */
int driver_setup(void);             /* 0, or -1 with a line saying what failed */
/* Runs one seed; 0 and its line (IPCDIFF seed= hash= ops=), or -1 if a worker got stuck. */
int driver_run_seed(uint64_t seed);

#endif
