/*
 * ops.c — the console's requests (sas/proto/console.h) as plain functions: each decodes
 * and checks the request, acts on the driver's state and fills the reply. No IPC here;
 * main.c sends what these return. A READ that finds nothing to read joins the queue of
 * waiting readers, and con_pump answers them, oldest first, as input arrives.
 */
#include "console.h"

static l4_msgtag_t status(enum sas_error e, unsigned u) { return l4_msgtag(e, u, 0); }

static int op_write(struct con *c, l4_msgtag_t tag, l4_msg_t *m, l4_msgtag_t *out)
{
    uint8_t buf[CONSOLE_IO_MAX];
    size_t n = m->w[0];
    if (n > CONSOLE_IO_MAX || l4_msgtag_u(tag) != 1 + console_words(n)) {
        *out = status(SAS_EINVAL, 0);
        return 1;
    }
    console_unpack(m, buf, n);
    ldisc_output(&c->ld, buf, n);
    m->w[0] = n;
    *out = status(SAS_OK, 1);
    return 1;
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
    *out = status(SAS_OK, 1 + console_words(n));
    return 1;
}

static int op_read(struct con *c, l4_threadid_t from, l4_msgtag_t tag, l4_msg_t *m,
                   l4_msgtag_t *out)
{
    unsigned max = (unsigned)m->w[0], flags = (unsigned)m->w[1];
    if (l4_msgtag_u(tag) < 2 || max < 1 || max > CONSOLE_IO_MAX || (flags & ~CONSOLE_READ_FLAGS)) {
        *out = status(SAS_EINVAL, 0);
        return 1;
    }
    /* Earlier readers come first: only read at once if nobody else waits. */
    if (!c->nwaiting && take(c, max, m, out))
        return 1;
    if ((flags & CONSOLE_READ_NONBLOCK) || c->nwaiting == CONSOLE_MAX_READERS) {
        *out = status(SAS_EBUSY, 0);
        return 1;
    }
    c->waiting[c->nwaiting++] = (struct reader){ from, max };
    return 0;
}

static int op_info(struct con *c, l4_msg_t *m, l4_msgtag_t *out)
{
    *m = (l4_msg_t){ { c->rows, c->cols, c->ld.mode, CONSOLE_INFO_TTY } };
    *out = status(SAS_OK, 4);
    return 1;
}

static int op_set_mode(struct con *c, l4_msgtag_t tag, l4_msg_t *m, l4_msgtag_t *out)
{
    if (l4_msgtag_u(tag) < 1 || (m->w[0] & ~(l4_word_t)CONSOLE_MODE_ALL)) {
        *out = status(SAS_EINVAL, 0);
        return 1;
    }
    unsigned old = c->ld.mode;
    c->ld.mode = (unsigned)m->w[0];
    m->w[0] = old;
    *out = status(SAS_OK, 1);
    return 1;
}

int con_op(struct con *c, l4_threadid_t from, l4_msgtag_t tag, l4_msg_t *m, l4_msgtag_t *out)
{
    switch (l4_msgtag_label(tag)) {
    case CONSOLE_WRITE:    return op_write(c, tag, m, out);
    case CONSOLE_READ:     return op_read(c, from, tag, m, out);
    case CONSOLE_INFO:     return op_info(c, m, out);
    case CONSOLE_SET_MODE: return op_set_mode(c, tag, m, out);
    }
    *out = status(SAS_ENOTSUP, 0);
    return 1;
}

int con_pump(struct con *c, l4_threadid_t *who, l4_msg_t *m, l4_msgtag_t *out)
{
    if (!c->nwaiting || !take(c, c->waiting[0].max, m, out))
        return 0;
    *who = c->waiting[0].who;
    c->nwaiting--;
    for (unsigned i = 0; i < c->nwaiting; i++)
        c->waiting[i] = c->waiting[i + 1];
    return 1;
}
