/*
 * ops.c — the console's requests (sas/proto/console.h) as plain functions: each decodes
 * and checks the request, acts on the driver's state and fills the reply. No IPC here:
 * they are sas/server.h handlers, and the loop sends what they return. A READ that finds
 * nothing to read joins the queue of waiting readers (SERVER_DEFER), and con_pump, the
 * loop's deferred hook, answers them, oldest first, as input arrives; what could not be
 * delivered (a reader deleted while it waited) goes back in front (con_untake).
 */
#include "console.h"

enum server_action con_write(void *state, struct server_msg *msg)
{
    struct con *c = state;
    uint8_t buf[CONSOLE_IO_MAX];
    size_t n = msg->m->w[0];
    if (n > CONSOLE_IO_MAX || l4_msgtag_u(msg->tag) != 1 + console_words(n))
        return server_reply(msg, SAS_EINVAL, 0, 0);
    console_unpack(msg->m, buf, n);
    ldisc_output(&c->ld, buf, n);
    msg->m->w[0] = n;
    return server_reply(msg, SAS_OK, 1, 0);
}

/* Fills a READ reply with what the line discipline has for `max`; 0 if nothing. */
static int take(struct con *c, unsigned max, l4_msg_t *m, l4_msgtag_t *out)
{
    uint8_t buf[CONSOLE_IO_MAX];
    unsigned n;
    if (!ldisc_take(&c->ld, buf, max, &n))
        return 0;
    m->w[0] = n;
    console_pack(m, buf, n);
    *out = l4_msgtag(SAS_OK, 1 + console_words(n), 0);
    return 1;
}

enum server_action con_read(void *state, struct server_msg *msg)
{
    struct con *c = state;
    unsigned max = (unsigned)msg->m->w[0], flags = (unsigned)msg->m->w[1];
    if (l4_msgtag_u(msg->tag) < 2 || max < 1 || max > CONSOLE_IO_MAX ||
        (flags & ~CONSOLE_READ_FLAGS))
        return server_reply(msg, SAS_EINVAL, 0, 0);
    /* Earlier readers come first: only read at once if nobody else waits. */
    if (!c->nwaiting && take(c, max, msg->m, &msg->reply))
        return SERVER_REPLY;
    if ((flags & CONSOLE_READ_NONBLOCK) || c->nwaiting == CONSOLE_MAX_READERS)
        return server_reply(msg, SAS_EBUSY, 0, 0);
    c->waiting[c->nwaiting++] = (struct reader){ msg->from, max };
    return SERVER_DEFER;
}

enum server_action con_info(void *state, struct server_msg *msg)
{
    struct con *c = state;
    *msg->m = (l4_msg_t){ { c->rows, c->cols, c->ld.mode, CONSOLE_INFO_TTY } };
    return server_reply(msg, SAS_OK, 4, 0);
}

enum server_action con_set_mode(void *state, struct server_msg *msg)
{
    struct con *c = state;
    if (l4_msgtag_u(msg->tag) < 1 || (msg->m->w[0] & ~(l4_word_t)CONSOLE_MODE_ALL))
        return server_reply(msg, SAS_EINVAL, 0, 0);
    unsigned old = c->ld.mode;
    c->ld.mode = (unsigned)msg->m->w[0];
    msg->m->w[0] = old;
    msg->wake = 1;                          /* readers may be answered in the new mode */
    return server_reply(msg, SAS_OK, 1, 0);
}

int con_pump(void *state, l4_threadid_t *who, l4_msgtag_t *out, l4_msg_t *m)
{
    struct con *c = state;
    if (!c->nwaiting || !take(c, c->waiting[0].max, m, out))
        return 0;
    *who = c->waiting[0].who;
    c->nwaiting--;
    for (unsigned i = 0; i < c->nwaiting; i++)
        c->waiting[i] = c->waiting[i + 1];
    return 1;
}

void con_untake(void *state, l4_threadid_t to, l4_msgtag_t tag, l4_msg_t *m, unsigned err)
{
    struct con *c = state;
    uint8_t buf[CONSOLE_IO_MAX];
    size_t n = m->w[0];
    (void)to, (void)err;
    if (l4_msgtag_label(tag) != SAS_OK || n > CONSOLE_IO_MAX)
        return;                             /* only read replies are deferred */
    console_unpack(m, buf, n);
    ldisc_untake(&c->ld, buf, (unsigned)n);
}
