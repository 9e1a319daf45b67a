/*
 * timeout.c — IPC deadlines. A blocked thread with a finite timeout sits in a list sorted
 * by deadline (TSC cycles); each timer tick wakes those whose deadline has passed, so a
 * thread wakes within one tick after its deadline and never before it.
 */
#include <k/ipc.h>
#include <k/sched.h>

static struct tcb *head;

/* now + us microseconds in TSC cycles, saturating instead of wrapping. */
uint64_t timeout_deadline(uint64_t now_tsc, uint64_t us, uint64_t hz)
{
    uint64_t whole = us / 1000000, frac = us % 1000000;
    if (hz && whole >= UINT64_MAX / hz)   /* >=: leaves room for the fraction (< hz) */
        return UINT64_MAX;
    uint64_t cycles = whole * hz + frac * hz / 1000000;
    if (frac * hz % 1000000)
        cycles++;
    return cycles > UINT64_MAX - now_tsc ? UINT64_MAX : now_tsc + cycles;
}

void timeout_arm(struct tcb *t, uint64_t deadline)
{
    t->deadline_tsc = deadline;
    struct tcb **pp = &head, *prev = 0;
    while (*pp && (*pp)->deadline_tsc <= deadline) {
        prev = *pp;
        pp = &(*pp)->to_next;
    }
    t->to_next = *pp;
    t->to_prev = prev;
    if (*pp)
        (*pp)->to_prev = t;
    *pp = t;
    t->in_timeouts = 1;
}

void timeout_disarm(struct tcb *t)
{
    if (!t->in_timeouts)
        return;
    if (t->to_prev)
        t->to_prev->to_next = t->to_next;
    else
        head = t->to_next;
    if (t->to_next)
        t->to_next->to_prev = t->to_prev;
    t->to_next = t->to_prev = 0;
    t->in_timeouts = 0;
}

void timeout_expire(uint64_t now)
{
    while (head && head->deadline_tsc <= now) {
        struct tcb *t = head;
        timeout_disarm(t);
        ipc_abort(t, L4_ERR_TIMEOUT);
        sched_ready(t);
    }
}
