/*
 * step.h — the step of sas/server.h's loop, private to sasos/lib/server: which handler a
 * message goes to, and the answers every server gives alike (an unknown label, map items
 * a label does not take, interrupts). No IPC. Inline so that server_run, on every
 * server's hottest path, pays no call for it; dispatch.c exports it as server_dispatch
 * for the host tests (tests/unit/test_server.c).
 */
#ifndef SERVER_STEP_H
#define SERVER_STEP_H

#include <sas/server.h>
#include <l4/fault.h>
#include <l4/irq.h>

/* Messages the kernel makes for a thread that faulted or stopped (l4/fault.h). */
static inline int server_kernel_made(uint32_t label)
{
    return (label & ~(uint32_t)L4_FPAGE_RWX) == L4_LABEL_PAGEFAULT ||
           label == L4_LABEL_EXCEPTION || label == L4_LABEL_STOPPED;
}

static inline const struct server_op *server_find(const struct server *s, uint32_t label)
{
    for (unsigned i = 0; i < s->nops; i++)
        if (!((label ^ s->ops[i].label) & ~s->ops[i].any))
            return &s->ops[i];
    return 0;
}

static inline enum server_action server_step(const struct server *s, struct server_msg *msg)
{
    if (l4_is_irq_id(msg->from)) {
        if (s->irq)
            s->irq(s->state, msg);
        return SERVER_DROP;
    }
    uint32_t label = l4_msgtag_label(msg->tag);
    const struct server_op *op = server_find(s, label);
    if (!op)
        return server_kernel_made(label) ? SERVER_DROP : server_reply(msg, SAS_ENOTSUP, 0, 0);
    if (l4_msgtag_t_words(msg->tag) && !(op->flags & SERVER_ITEMS))
        return server_reply(msg, SAS_EINVAL, 0, 0);
    return op->fn(s->state, msg);
}

#endif
