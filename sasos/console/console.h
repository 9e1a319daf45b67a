/*
 * console.h — the console driver's parts: the UART (uart.c), the line discipline
 * (ldisc.c: pure, host-testable) and the request handlers (ops.c: no IPC in them).
 * main.c is the setup, the label table and the loop (sas/server.h). Protocol:
 * sas/proto/console.h.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stddef.h>
#include <stdint.h>
#include <l4/types.h>
#include <l4/ipc.h>
#include <sas/errors.h>
#include <sas/proto/console.h>
#include <sas/server.h>

#define COM1_PORT      0x3f8u
#define COM1_IRQ       4u
#define LDISC_RING     4096u     /* bytes typed and not yet read */
#define LDISC_RECORDS  64u       /* lines (or raw runs) not yet read */

/* uart.c — a 16550 at COM1, polled for output, interrupting on input. */
void uart_init(void);
void uart_enable_rx_irq(void);
void uart_putc(uint8_t c);
int uart_getc(void);             /* a received byte, or -1 if none is waiting */

/* ldisc.c — the line discipline. Output (echo) goes through `put`. */
struct ldisc {
    unsigned mode;                            /* CONSOLE_MODE_* */
    uint8_t line[CONSOLE_LINE_MAX];
    unsigned len;                             /* the line being edited (CANON) */
    uint8_t ring[LDISC_RING];
    unsigned head, count;                     /* bytes ready for readers */
    unsigned rec[LDISC_RECORDS];              /* their record lengths; 0 = end of file */
    unsigned rhead, nrec;
    void (*put)(uint8_t c, void *arg);
    void *arg;
};
void ldisc_init(struct ldisc *ld, void (*put)(uint8_t c, void *arg), void *arg);
void ldisc_input(struct ldisc *ld, uint8_t c);
/* Takes up to max bytes a reader may have; 1 if anything (or an end of file, *n = 0). */
int ldisc_take(struct ldisc *ld, uint8_t *buf, unsigned max, unsigned *n);
void ldisc_output(struct ldisc *ld, const uint8_t *buf, size_t n);   /* "\n" as "\r\n" */
/* Puts n bytes a reader took back in front, as the first record (n = 0: an end of file):
 * their reply did not reach the reader. 0 if there is no room (they are lost). */
int ldisc_untake(struct ldisc *ld, const uint8_t *buf, unsigned n);

/* ops.c — the requests, as plain functions over the driver's state. */
struct reader {
    l4_threadid_t who;
    unsigned max;
};
struct con {
    struct ldisc ld;
    unsigned rows, cols;
    struct reader waiting[CONSOLE_MAX_READERS];
    unsigned nwaiting;
};
/* The requests, as sas/server.h handlers (state: the struct con). A READ with nothing to
 * read yet waits (SERVER_DEFER); SET_MODE sets msg->wake. */
server_fn con_write, con_read, con_info, con_set_mode;
/* The loop's deferred hook: 1 and the reply for the first waiting reader that can now be
 * answered, 0 if none can. */
int con_pump(void *state, l4_threadid_t *who, l4_msgtag_t *out, l4_msg_t *m);
/* The loop's deferred_failed hook: a reader that left (its task deleted meanwhile) did not
 * get what con_pump took for it, so it goes back for the next reader. */
void con_untake(void *state, l4_threadid_t to, l4_msgtag_t tag, l4_msg_t *m, unsigned err);

#endif
