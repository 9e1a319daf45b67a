/*
 * server.c — the IPC half of sas/server.h: server_run (receive, step.h's step, reply) and
 * the helpers for deferred replies and interrupts. The contract is the header's. Only
 * <stdint.h> and l4/: it builds as native code and with musl.
 */
#include "step.h"
#include <l4/errors.h>
#include <l4/syscalls.h>

unsigned server_reply_to(l4_threadid_t to, l4_msgtag_t tag, l4_msg_t *m)
{
    return l4_ipc_error(l4_send(to, tag, m, L4_TIMEOUT_ZERO));
}

unsigned server_irq_attach(unsigned line)
{
    unsigned e = server_wait_irq(line, L4_TIMEOUT_ZERO);
    return e == L4_ERR_TIMEOUT ? L4_OK : e;
}

unsigned server_wait_irq(unsigned line, l4_timeout_t t)
{
    l4_threadid_t from = l4_irq_id(line);
    l4_msg_t m;
    return l4_ipc_error(l4_receive(&from, &m, t));
}

static void set_window(const struct server *s)
{
    if (s->window)
        l4_utcb()->rcv_window = s->window(s->state);
}

/* An open receive of the next message. */
static uint64_t wait(const struct server *s, l4_threadid_t *from, l4_msg_t *m)
{
    set_window(s);
    *from = L4_NILTHREAD;
    return l4_receive(from, m, L4_TIMEOUT_NEVER);
}

/* The reply to msg could not be delivered (err): the hook may send one more. */
static void reply_failed(const struct server *s, struct server_msg *msg, unsigned err)
{
    if (s->reply_failed && s->reply_failed(s->state, msg, err) == SERVER_REPLY)
        server_reply_to(msg->from, msg->reply, msg->m);
}

/* msg set wake: the deferred replies that are ready go out now, before msg's own unless
 * that one has words in the UTCB, which theirs would overwrite. Returns what is still to
 * do for msg: SERVER_REPLY if its reply is left for the reply-and-wait. */
static enum server_action wake(const struct server *s, struct server_msg *msg,
                               enum server_action a)
{
    l4_threadid_t to;
    l4_msgtag_t tag;
    l4_msg_t m;
    unsigned err;
    if (a == SERVER_REPLY &&
        l4_msgtag_u(msg->reply) + l4_msgtag_t_words(msg->reply) > L4_MSG_REG_WORDS) {
        if ((err = server_reply_to(msg->from, msg->reply, msg->m)))
            reply_failed(s, msg, err);
        a = SERVER_DROP;
    }
    while (s->deferred && s->deferred(s->state, &to, &tag, &m))
        if ((err = server_reply_to(to, tag, &m)) && s->deferred_failed)
            s->deferred_failed(s->state, to, tag, &m, err);
    return a;
}

void server_run(const struct server *s)
{
    l4_threadid_t from;
    l4_msg_t m;
    if (!s->window)
        l4_utcb()->rcv_window = L4_FPAGE_NIL;
    uint64_t res = wait(s, &from, &m);
    for (;;) {
        if (l4_ipc_error(res)) {
            res = wait(s, &from, &m);
            continue;
        }
        struct server_msg msg = { from, l4_tid_task(from), l4_ipc_tag(res), &m,
                                  l4_msgtag(SAS_OK, 0, 0), 0 };
        enum server_action a = server_step(s, &msg);
        if (a == SERVER_STOP)
            return;
        if (msg.wake)
            a = wake(s, &msg, a);
        if (a != SERVER_REPLY) {
            res = wait(s, &from, &m);
            continue;
        }
        set_window(s);
        res = l4_reply_wait(&from, msg.reply, &m, L4_TIMEOUT_NEVER);
        if (l4_ipc_error(res) && !l4_ipc_failed_in_receive(res)) {
            reply_failed(s, &msg, l4_ipc_error(res));   /* nothing was received */
            res = wait(s, &from, &m);
        }
    }
}
