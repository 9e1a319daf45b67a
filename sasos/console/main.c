/*
 * console/main.c — the console driver (protocol: sas/proto/console.h). It owns COM1 whole:
 * its ports and IRQ 4, asked of root (which takes them from sigma0 for it). Two threads:
 *  - the interrupt thread (lthread 1) waits on IRQ 4 and tells the main thread that input
 *    may be waiting, with a call, so the line stays masked until the main thread has read
 *    the UART; it also calls every POLL_US without an interrupt, so an edge lost while the
 *    line was masked can only delay input, never stall it;
 *  - the main thread (lthread 0, the id root gives out) is the server (sas/server.h): it
 *    alone touches the UART, answers requests (ops.c) and the readers that waited for
 *    input (con_pump, the loop's deferred hook).
 */
#include "console.h"
#include <native/rt.h>
#include <l4/errors.h>
#include <l4/kip.h>
#include <sas/proto/root.h>
#include <sas/proto/sigma0_client.h>

#define NOTE_INPUT 0x434f0100u          /* interrupt thread -> main: read the UART */
#define POLL_US    100000u
#define DRAIN_MAX  4096u                /* bytes per note, so requests are not starved */

static struct con con;
static l4_threadid_t main_id, irq_id;
static char irq_stack[8192];

static void put(uint8_t c, void *arg)
{
    (void)arg;
    uart_putc(c);
}

static void irq_thread(void)
{
    unsigned e = server_irq_attach(COM1_IRQ);
    if (e)
        printf("console: cannot attach to IRQ %u (error %u): polling only\n", COM1_IRQ, e);
    for (;;) {
        l4_msg_t note = { { 0 } };
        l4_call(main_id, l4_msgtag(NOTE_INPUT, 0, 0), &note, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
        server_wait_irq(COM1_IRQ, l4_timeout_from_us(POLL_US));
    }
}

/* The interrupt thread's note: take what the UART holds; the loop then answers the
 * readers it satisfied (con_pump) as it replies to the note. */
static enum server_action note_input(void *state, struct server_msg *msg)
{
    struct con *c = state;
    int ch;
    if (msg->from != irq_id)
        return server_reply(msg, SAS_ENOTSUP, 0, 0);
    for (unsigned i = 0; i < DRAIN_MAX && (ch = uart_getc()) >= 0; i++)
        ldisc_input(&c->ld, (uint8_t)ch);
    uart_enable_rx_irq();       /* from the first note on: the thread is attached by then */
    msg->wake = 1;
    return SERVER_REPLY;
}

static const struct server_op ops[] = {
    { .label = CONSOLE_WRITE, .fn = con_write },
    { .label = CONSOLE_READ, .fn = con_read },
    { .label = CONSOLE_INFO, .fn = con_info },
    { .label = CONSOLE_SET_MODE, .fn = con_set_mode },
    { .label = NOTE_INPUT, .fn = note_input },
};

/* "console=ROWSxCOLS" from the command line, else 24 x 80. */
static void terminal_size(void)
{
    char v[16];
    unsigned r = 0, c = 0, i = 0;
    con.rows = 24;
    con.cols = 80;
    if (rt_cmdline_get("console", v, sizeof(v)))
        return;
    for (; v[i] >= '0' && v[i] <= '9'; i++)
        r = r * 10 + (unsigned)(v[i] - '0');
    if (v[i++] != 'x')
        return;
    for (; v[i] >= '0' && v[i] <= '9'; i++)
        c = c * 10 + (unsigned)(v[i] - '0');
    if (r && c && r < 10000 && c < 10000) {
        con.rows = r;
        con.cols = c;
    }
}

int main(void)
{
    rt_kip = (const volatile struct l4_kip *)L4_KIP_ADDR;   /* task_new passes none */
    l4_threadid_t root = root_find();
    enum sas_error e = sigma0_io(root, COM1_PORT, 3);
    if (!e)
        e = sigma0_irq(root, COM1_IRQ);
    if (e) {
        printf("console: cannot get COM1's ports and IRQ %u: %s\n", COM1_IRQ, sas_strerror(e));
        root_exit(1);
    }
    uart_init();
    ldisc_init(&con.ld, put, 0);
    terminal_size();
    main_id = l4_myself();
    uint64_t err;
    irq_id = rt_thread_start(1, irq_thread, irq_stack, sizeof(irq_stack), &err);
    if (l4_tid_is_nil(irq_id)) {
        printf("console: cannot start the interrupt thread (error %lu)\n", err);
        root_exit(1);
    }
    printf("console: COM1 at %x, IRQ %u, %ux%u\n", COM1_PORT, COM1_IRQ, con.rows, con.cols);
    struct server srv = { .ops = ops, .nops = SERVER_NOPS(ops), .state = &con,
                          .deferred = con_pump, .deferred_failed = con_untake };
    server_run(&srv);
    return 0;
}
