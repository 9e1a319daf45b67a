/*
 * osrv_queue.c — requests that wait while a commit is in flight (osrv.h, "The
 * committer"): queued in order, replayed through the loop's deferred hook when the
 * committer reports back.
 */
#include <string.h>
#include "osrv_ops.h"

/* While a commit is in flight: msg waits in the queue (or SAS_EBUSY if it is full). */
enum server_action osrv_queue(struct osrv *s, struct server_msg *msg)
{
    struct osrv_commit *c = &s->c;
    /* Nothing is read yet (the sender is checked when the request is served), so no task
     * may take more than its share: a full queue answers SAS_EBUSY, which the system
     * thread's faults retry and a program sees. */
    unsigned mine = 0;
    for (unsigned i = 0; i < c->qn; i++)
        mine += l4_tid_task(c->q[(c->qhead + i) % OSRV_QUEUE].from) == msg->task;
    if (c->qn == OSRV_QUEUE || mine >= OSRV_QUEUE_PER_TASK)
        return osrv_fail(msg, SAS_EBUSY);
    struct osrv_queued *q = &c->q[(c->qhead + c->qn++) % OSRV_QUEUE];
    unsigned u = l4_msgtag_u(msg->tag);
    q->from = msg->from;
    q->tag = msg->tag;
    for (unsigned i = 0; i < u && i < L4_MSG_MAX_WORDS; i++)
        q->w[i] = *osrv_word(s, msg, i);
    return SERVER_DEFER;
}

/* The committer's report: the commit's reply and the queued requests go out next
 * (osrv_deferred), from this message's wake. Only the committer may send it. */
enum server_action osrv_op_done(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    struct osrv_commit *c = &s->c;
    if (!c->busy || l4_tid_is_nil(c->thread) || msg->from != c->thread)
        return SERVER_DROP;
    for (unsigned i = 0; i < c->n; i++)
        c->objs[i]->committing = 0;
    c->result = (enum sas_error)msg->m->w[0];
    c->pages = msg->m->w[1];
    c->busy = 0;
    c->done = 1;
    msg->wake = 1;
    return SERVER_DROP;
}

int osrv_deferred(void *state, l4_threadid_t *to, l4_msgtag_t *tag, l4_msg_t *m)
{
    struct osrv *s = state;
    struct osrv_commit *c = &s->c;
    if (c->done) {
        c->done = 0;
        *to = c->client;
        *tag = l4_msgtag(c->result, c->result ? 0 : 1, 0);
        m->w[0] = c->pages;
        return 1;
    }
    while (!c->busy && c->qn) {
        struct osrv_queued *q = &c->q[c->qhead];
        c->qhead = (c->qhead + 1) % OSRV_QUEUE;
        c->qn--;
        unsigned u = l4_msgtag_u(q->tag);
        for (unsigned i = 0; i < L4_MSG_REG_WORDS; i++)
            m->w[i] = i < u ? q->w[i] : 0;
        for (unsigned i = L4_MSG_REG_WORDS; i < u && i < L4_MSG_MAX_WORDS; i++)
            s->mr[i] = q->w[i];
        struct server_msg msg = { q->from, l4_tid_task(q->from), q->tag, m,
                                  l4_msgtag(SAS_OK, 0, 0), 0 };
        if (server_dispatch(s->srv, &msg) == SERVER_REPLY) {
            *to = msg.from;
            *tag = msg.reply;
            return 1;
        }
    }
    return 0;
}
