/*
 * worker.c — a worker of the differential IPC fuzz (linked into root's image and the
 * peers'): it reports to the driver and waits for the next command in one call, makes
 * the command's IPC or cancel, and reports everything the kernel answered (ipcdiff.h).
 * A cancel that hits it between commands (in its report's send or receive phase) is
 * counted and the wait resumed: the count goes into the next report.
 */
#include "ipcdiff.h"
#include <l4/utcb.h>

l4_threadid_t ipcdiff_driver;

/* One source page per worker: what its map items give, stamped before each send. */
static uint64_t src_page[IPCDIFF_PER_TASK][SAS_PAGE_SIZE / 8] __attribute__((aligned(4096)));
static char stacks[IPCDIFF_PER_TASK][IPCDIFF_STACK] __attribute__((aligned(16)));

void ipcdiff_start_workers(l4_threadid_t ids[IPCDIFF_PER_TASK])
{
    for (unsigned i = 0; i < IPCDIFF_PER_TASK; i++)
        ids[i] = rt_thread_start(IPCDIFF_LT_WORKER0 + i, ipcdiff_worker, stacks[i],
                                 sizeof(stacks[i]), 0);
}

void ipcdiff_cancel(unsigned lt, uint64_t out[11])
{
    struct l4_exregs x = { .control = lt | L4_EXREGS_CANCEL };
    out[0] = l4_lthread_ex_regs(&x);
    out[1] = x.control; out[2] = x.ip; out[3] = x.sp; out[4] = x.flags; out[5] = x.fs_base;
    out[6] = x.gs_base; out[7] = x.pager; out[8] = x.exc_handler; out[9] = x.state;
    out[10] = x.fault_addr;
}

/* Sends the report in r[] and waits for the driver's next command, in *cmd. */
static void report_and_wait(uint64_t r[R_WORDS], uint64_t *aside, l4_msg_t *cmd)
{
    struct l4_utcb *u = l4_utcb();
    for (;;) {
        r[R_ASIDE] = *aside;
        memcpy(&u->mr[8], &r[8], (R_WORDS - 8) * sizeof(uint64_t));
        u->rcv_max_words = 0;
        struct l4_ipc_regs c = { ipcdiff_driver, l4_msgtag(IPCDIFF_LABEL_REPORT, R_WORDS, 0),
            l4_ipc_control(L4_IPC_SEND | L4_IPC_RECV, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER), {{0}} };
        memcpy(c.msg.w, r, sizeof(c.msg.w));
        uint64_t res = l4_ipc(&c);
        if (l4_ipc_error(res) && !l4_ipc_failed_in_receive(res)) {
            ++*aside;                   /* cancelled before the driver took it: again */
            continue;
        }
        *aside = 0;
        while (l4_ipc_error(res)) {     /* cancelled while waiting for the command */
            ++*aside;
            c.partner = ipcdiff_driver;
            c.control = l4_ipc_control(L4_IPC_RECV, 0, L4_TIMEOUT_NEVER);
            res = l4_ipc(&c);
        }
        *cmd = c.msg;
        return;
    }
}

/* The words of the message: registers (all eight loaded), the UTCB, the map item at u and
 * u + 1, then canaries in the UTCB words the message does not use. */
static void load_message(const uint64_t *cmd, unsigned me, struct l4_ipc_regs *c)
{
    struct l4_utcb *u = l4_utcb();
    uint64_t mw[L4_MSG_MAX_WORDS];
    unsigned n = l4_msgtag_u(cmd[C_TAG]), t = l4_msgtag_t_words(cmd[C_TAG]);
    unsigned map = (unsigned)(cmd[C_WINDOW] >> IPCDIFF_MAP_SHIFT) & 0xf;
    for (unsigned i = 0; i < L4_MSG_MAX_WORDS; i++)
        mw[i] = ipcdiff_word(cmd[C_VALUE], i);
    if (t == 2 && n + 1 < L4_MSG_MAX_WORDS) {
        uint64_t page = (uint64_t)src_page[me];
        mw[n] = map == IPCDIFF_MAP_BAD ? (page | (3u << 4) | L4_FPAGE_R)
              : map == IPCDIFF_MAP_NONE ? l4_fpage(IPCDIFF_UNMAPPED, 12, L4_FPAGE_R)
              : l4_fpage(page, 12, map == IPCDIFF_MAP_RW ? L4_FPAGE_RW : L4_FPAGE_R);
        mw[n + 1] = cmd[C_VALUE] << 12;                     /* hot spot */
        if (n && (map == IPCDIFF_MAP_R || map == IPCDIFF_MAP_RW))
            mw[0] |= IPCDIFF_MR0_PAGE;
    }
    memcpy(c->msg.w, mw, sizeof(c->msg.w));
    unsigned used = n + t < L4_MSG_MAX_WORDS ? n + t : L4_MSG_MAX_WORDS;
    for (unsigned i = 8; i < L4_MSG_MAX_WORDS; i++)
        u->mr[i] = i < used ? mw[i] : ipcdiff_canary(cmd[C_STAMP], i);
    src_page[me][0] = cmd[C_STAMP] * 0x10001ULL ^ l4_myself();
}

/* The UTCB words after the IPC: up to two past what was received (at least 8, 9). */
static void capture_utcb(uint64_t res, unsigned flags, uint64_t r[R_WORDS])
{
    const struct l4_utcb *u = l4_utcb();
    unsigned got = 0;
    if (!l4_ipc_error(res) && (flags & L4_IPC_RECV))
        got = l4_msgtag_u(l4_ipc_tag(res)) + l4_msgtag_t_words(l4_ipc_tag(res));
    unsigned end = got < 8 ? 10 : got + 2 > L4_MSG_MAX_WORDS ? L4_MSG_MAX_WORDS : got + 2;
    uint64_t h = 0;
    for (unsigned i = 8; i < end; i++) {
        h = ipcdiff_fold(h, u->mr[i]);
        if (i - 8 < IPCDIFF_REPORT_UTCB)
            r[R_UTCB + i - 8] = u->mr[i];
    }
    r[R_UTCB_N] = end - 8;
    r[R_UTCB_HASH] = h;
}

/* Word 0 of the receive page, if a real page arrived in this call's receive phase. */
static uint64_t read_page(uint64_t res, unsigned flags, const l4_msg_t *m, unsigned me)
{
    l4_msgtag_t tag = l4_ipc_tag(res);
    if (l4_ipc_error(res) || !(flags & L4_IPC_RECV) || l4_msgtag_t_words(tag) != 2 ||
        !l4_msgtag_u(tag) || !(m->w[0] & IPCDIFF_MR0_PAGE))
        return IPCDIFF_NO_PAGE;
    return *(volatile uint64_t *)IPCDIFF_RCV_PAGE(IPCDIFF_LT_WORKER0 + me);
}

static void do_ipc(const uint64_t *cmd, unsigned me, uint64_t r[R_WORDS])
{
    struct l4_utcb *u = l4_utcb();
    struct l4_ipc_regs c = { cmd[C_PARTNER], cmd[C_TAG], cmd[C_CONTROL], {{0}} };
    unsigned flags = l4_ipc_control_flags(cmd[C_CONTROL]);
    load_message(cmd, me, &c);
    u->rcv_max_words = cmd[C_RCV_MAX];
    u->rcv_window = cmd[C_WINDOW] & 1 ? l4_fpage(IPCDIFF_RCV_PAGE(IPCDIFF_LT_WORKER0 + me), 12, 0)
                                      : L4_FPAGE_NIL;
    uint64_t rsi;
    r[R_RESULT] = l4_ipc_trap(&c, &rsi);
    r[R_PARTNER] = c.partner;
    r[R_RSI] = rsi;
    memcpy(&r[R_MR0], c.msg.w, sizeof(c.msg.w));
    r[R_PAGE] = read_page(r[R_RESULT], flags, &c.msg, me);
    capture_utcb(r[R_RESULT], flags, r);
    u->rcv_window = L4_FPAGE_NIL;
}

void ipcdiff_worker(void)
{
    unsigned me = l4_tid_lthread(l4_myself()) - IPCDIFF_LT_WORKER0;
    uint64_t r[R_WORDS] = { 0 }, aside = 0;
    for (;;) {
        l4_msg_t m;
        report_and_wait(r, &aside, &m);
        memset(r, 0, sizeof(r));
        r[R_STAMP] = m.w[C_STAMP];
        r[R_PAGE] = IPCDIFF_NO_PAGE;
        if (m.w[C_OP] == IPCDIFF_OP_CANCEL)
            ipcdiff_cancel((unsigned)m.w[C_PARTNER], &r[R_RESULT]);
        else if (m.w[C_OP] == IPCDIFF_OP_IPC)
            do_ipc(m.w, me, r);
        else
            r[R_RESULT] = ~0ULL;        /* not a command: the driver will say so */
    }
}
