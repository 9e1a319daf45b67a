/*
 * ldisc.c — the console's line discipline, free of IPC and hardware. Typed bytes go in
 * through ldisc_input; what readers may take waits in a ring, cut into records: one per
 * line in CANON mode (a record of length 0 is an end of file), one per run of bytes
 * otherwise. A full ring or record queue drops what is typed, as a terminal beeps.
 */
#include "console.h"

#define CTRL_D 0x04
#define CTRL_U 0x15
#define BS     0x08
#define DEL    0x7f

void ldisc_init(struct ldisc *ld, void (*put)(uint8_t c, void *arg), void *arg)
{
    *ld = (struct ldisc){ .mode = CONSOLE_MODE_DEFAULT, .put = put, .arg = arg };
}

void ldisc_output(struct ldisc *ld, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n')
            ld->put('\r', ld->arg);
        ld->put(buf[i], ld->arg);
    }
}

static void echo(struct ldisc *ld, const char *s)
{
    if (ld->mode & CONSOLE_MODE_ECHO)
        ldisc_output(ld, (const uint8_t *)s, __builtin_strlen(s));
}

/* Appends n bytes as one new record (raw runs extend the last record); 0 if no room. */
static int ring_push(struct ldisc *ld, const uint8_t *p, unsigned n, int extend)
{
    if (ld->count + n > LDISC_RING || (!extend && ld->nrec == LDISC_RECORDS))
        return 0;
    for (unsigned i = 0; i < n; i++)
        ld->ring[(ld->head + ld->count++) % LDISC_RING] = p[i];
    if (extend)
        ld->rec[(ld->rhead + ld->nrec - 1) % LDISC_RECORDS] += n;
    else
        ld->rec[(ld->rhead + ld->nrec++) % LDISC_RECORDS] = n;
    return 1;
}

static void raw_input(struct ldisc *ld, uint8_t c)
{
    int extend = ld->nrec > 0 && ld->rec[(ld->rhead + ld->nrec - 1) % LDISC_RECORDS] > 0;
    if (ring_push(ld, &c, 1, extend) && (ld->mode & CONSOLE_MODE_ECHO))
        ldisc_output(ld, &c, 1);
}

/* Hands the edited line over as a record (empty with no "\n": an end of file). */
static void line_done(struct ldisc *ld)
{
    if (ring_push(ld, ld->line, ld->len, 0))
        ld->len = 0;
}

static void canon_input(struct ldisc *ld, uint8_t c)
{
    if (c == '\r')
        c = '\n';                             /* a terminal's Enter: ICRNL */
    if (c == BS || c == DEL) {
        if (ld->len) {
            ld->len--;
            echo(ld, "\b \b");
        }
    } else if (c == CTRL_U) {
        for (; ld->len; ld->len--)
            echo(ld, "\b \b");
    } else if (c == CTRL_D) {
        line_done(ld);
    } else if (ld->len + 1 < CONSOLE_LINE_MAX || (c == '\n' && ld->len < CONSOLE_LINE_MAX)) {
        /* the last byte of a full line is kept for its "\n" */
        ld->line[ld->len++] = c;
        uint8_t s[2] = { c, 0 };
        echo(ld, (const char *)s);
        if (c == '\n')
            line_done(ld);
    }
}

void ldisc_input(struct ldisc *ld, uint8_t c)
{
    if (ld->mode & CONSOLE_MODE_CANON)
        canon_input(ld, c);
    else
        raw_input(ld, c);
}

static void pop_bytes(struct ldisc *ld, uint8_t *buf, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        buf[i] = ld->ring[(ld->head + i) % LDISC_RING];
    ld->head = (ld->head + n) % LDISC_RING;
    ld->count -= n;
}

/* Takes up to max bytes of the first record; pops it when it is used up. */
static unsigned take_record(struct ldisc *ld, uint8_t *buf, unsigned max)
{
    unsigned *r = &ld->rec[ld->rhead];
    unsigned n = *r < max ? *r : max;
    pop_bytes(ld, buf, n);
    *r -= n;
    if (*r == 0) {
        ld->rhead = (ld->rhead + 1) % LDISC_RECORDS;
        ld->nrec--;
    }
    return n;
}

int ldisc_take(struct ldisc *ld, uint8_t *buf, unsigned max, unsigned *n)
{
    *n = 0;
    if (!ld->nrec)
        return 0;
    if (ld->mode & CONSOLE_MODE_CANON) {
        *n = take_record(ld, buf, max);       /* one line at most; 0 is end of file */
        return 1;
    }
    while (ld->nrec && *n < max) {
        if (ld->rec[ld->rhead] == 0) {        /* an end of file left from CANON mode */
            if (*n)
                break;
            take_record(ld, buf, max);
            return 1;
        }
        *n += take_record(ld, buf + *n, max - *n);
    }
    return 1;
}

int ldisc_untake(struct ldisc *ld, const uint8_t *buf, unsigned n)
{
    if (ld->count + n > LDISC_RING || ld->nrec == LDISC_RECORDS)
        return 0;
    ld->head = (ld->head + LDISC_RING - n % LDISC_RING) % LDISC_RING;
    for (unsigned i = 0; i < n; i++)
        ld->ring[(ld->head + i) % LDISC_RING] = buf[i];
    ld->count += n;
    ld->rhead = (ld->rhead + LDISC_RECORDS - 1) % LDISC_RECORDS;
    ld->rec[ld->rhead] = n;
    ld->nrec++;
    return 1;
}
