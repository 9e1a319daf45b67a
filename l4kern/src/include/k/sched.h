/*
 * k/sched.h — priority-based preemptive round robin.
 *
 * 256 priorities, a FIFO per priority and a bitmap to find the highest non-empty one. The
 * running thread stays at the head of its queue; a tick that ends its slice moves it to
 * the tail. runq.c is pure list logic (host-tested); sched.c adds the CPU and the timer.
 */
#ifndef K_SCHED_H
#define K_SCHED_H

#include <k/thread.h>

struct runq {
    struct tcb *head[256];
    uint64_t bitmap[4];
    unsigned top;             /* the highest non-empty level + 1; 0 when all are empty */
};

void runq_enqueue(struct runq *q, struct tcb *t);
void runq_remove(struct runq *q, struct tcb *t);
void runq_rotate(struct runq *q, struct tcb *t);
struct tcb *runq_highest(const struct runq *q);

void sched_init(void);
void sched_ready(struct tcb *t);          /* make runnable (state READY, queued) */
void sched_unready(struct tcb *t);        /* take off the run queue (blocking) */
void schedule(void);                      /* run the best thread; returns when we run again */
void sched_block(struct tcb *prefer);     /* current has left READY: switch, maybe to prefer */
void sched_yield(void);
void sched_donate(struct tcb *to);
void sched_tick(void);
void sched_idle_end(void);               /* a device interrupt: stop the idle clock */
void sched_switch_to(struct tcb *next);   /* the switch itself, no queue changes */
/* Not below the highest ready priority (the queue may still hold threads that blocked
 * since, sched.c's lazy queueing): the fastpath's cheap, conservative test. */
extern struct runq sched_runq;            /* sched.c's */
static inline unsigned sched_queued_top(void) { return sched_runq.top; }   /* 0: none */
void sched_start(void) __attribute__((noreturn));
uint64_t sched_consumed_tsc(struct tcb *t);

/* timeout.c: deadlines of blocked threads, in TSC cycles. */
uint64_t timeout_deadline(uint64_t now_tsc, uint64_t us, uint64_t tsc_hz);  /* pure */
void timeout_arm(struct tcb *t, uint64_t deadline_tsc);
void timeout_disarm(struct tcb *t);
void timeout_expire(uint64_t now_tsc);

#endif
