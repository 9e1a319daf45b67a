/*
 * runq.c — the ready queues: one circular doubly-linked FIFO per priority, a 256-bit map
 * of non-empty levels, and the highest of them kept (`top`), so that finding the best
 * thread is a load, not a search: the search runs only when the top level empties. Pure
 * list logic, no CPU state: tests/unit/test_runq.c.
 */
#include <k/sched.h>

static void map_set(struct runq *q, unsigned p) { q->bitmap[p / 64] |= 1ULL << (p % 64); }
static void map_clear(struct runq *q, unsigned p)
{
    q->bitmap[p / 64] &= ~(1ULL << (p % 64));
    if (p + 1 != q->top)
        return;
    q->top = 0;
    for (int w = 3; w >= 0; w--)
        if (q->bitmap[w]) {
            q->top = (unsigned)(w * 64 + 64 - __builtin_clzll(q->bitmap[w]));
            break;
        }
}

void runq_enqueue(struct runq *q, struct tcb *t)
{
    struct tcb *h = q->head[t->prio];
    if (!h) {
        t->rq_next = t->rq_prev = t;
        q->head[t->prio] = t;
        map_set(q, t->prio);
        if (t->prio >= q->top)
            q->top = t->prio + 1u;
    } else {
        t->rq_next = h;
        t->rq_prev = h->rq_prev;
        h->rq_prev->rq_next = t;
        h->rq_prev = t;
    }
    t->in_runq = 1;
}

void runq_remove(struct runq *q, struct tcb *t)
{
    if (!t->in_runq)
        return;
    if (t->rq_next == t) {
        q->head[t->prio] = 0;
        map_clear(q, t->prio);
    } else {
        t->rq_prev->rq_next = t->rq_next;
        t->rq_next->rq_prev = t->rq_prev;
        if (q->head[t->prio] == t)
            q->head[t->prio] = t->rq_next;
    }
    t->rq_next = t->rq_prev = 0;
    t->in_runq = 0;
}

/* Moves t to the tail of its level (the next in line becomes the head). */
void runq_rotate(struct runq *q, struct tcb *t)
{
    if (!t->in_runq)
        return;
    if (q->head[t->prio] == t) {
        q->head[t->prio] = t->rq_next;
        return;
    }
    runq_remove(q, t);
    runq_enqueue(q, t);
}

struct tcb *runq_highest(const struct runq *q)
{
    return q->top ? q->head[q->top - 1] : 0;
}
