/*
 * test_fastpath.c — every check the general IPC path makes, kept by any fast path.
 *
 * Each test makes an IPC in the shape an IPC fast path takes (l4kern/src/fastpath): a
 * call or reply-and-wait whose partner already waits in a receive, register words only,
 * no receive timeout; or a kernel-made call (a page fault, an exception) to a pager or
 * handler already waiting, and its reply. Then it breaks exactly one of the conditions
 * under which the result is a plain transfer, and checks the result the ABI gives for it
 * (l4/ipc.h, l4/fault.h, l4/clan.h) to the word. They test semantics only: they pass on
 * a kernel with the fast path and on one without (qemu.fastpath, qemu.nofastpath.fastpath).
 *
 * Helpers: lthreads of this task in KT slots (the clan tests use clan.h's tasks). A
 * watchdog in the last slot cancels main's IPC if a test waits far too long, so that a
 * message lost by the kernel fails its test instead of hanging the run.
 */
#include "clan.h"

#define NEVER L4_TIMEOUT_NEVER
#define CALL (L4_IPC_SEND | L4_IPC_RECV)
#define REPLY_WAIT (L4_IPC_SEND | L4_IPC_RECV | L4_IPC_OPEN)
/* Result words of a failed ipc: the error, in the send or the receive phase. */
#define SEND_ERR(e) ((uint64_t)(e) << L4_RES_ERR_SHIFT)
#define RECV_ERR(e) (SEND_ERR(e) | L4_RES_RECV_PHASE)
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#define WATCHDOG_SLOT KT_SLOTS
#define HANDLED_SLOT 5            /* the helper whose pager or handler main is */
#define ABOVE (KT_PRIO + 20)      /* main's priority when its helpers may run only while it waits */
#define DONE 0xd04eu              /* label of a faulting helper's report to main */

/* ---- partners: what they saw ---- */

static volatile uint64_t ticket;            /* order of events across threads */
static struct {
    volatile uint64_t n, res, from, ticket, reply_err, mr8;
    volatile uint64_t w[L4_MSG_REG_WORDS];
} seen;

static void note(uint64_t r, l4_threadid_t from, const l4_msg_t *m)
{
    seen.res = r;
    seen.from = from;
    for (unsigned i = 0; i < L4_MSG_REG_WORDS; i++)
        seen.w[i] = m->w[i];
    seen.mr8 = l4_utcb()->mr[8];           /* a ninth word came through the UTCB */
    seen.ticket = ++ticket;
    seen.n++;
}

static volatile uint64_t server_silent;
static volatile int exc_to_main, victim_report;     /* fp_take_main's, fp_victim_done's */
static volatile l4_threadid_t wait_for;             /* receive_once's sender (nil: any) */
static volatile int dirty_xmm;                      /* receive_once leaves all ones in xmm */
void fp_dirty_xmm(void);                            /* (in assembly, below) */

/* An open-receive server: notes each message and answers it (unless server_silent) with
 * every word (the ninth too) and the label plus one, as a reply-and-wait. */
static void server(void)
{
    for (;;) {
        l4_threadid_t from = L4_NILTHREAD;
        l4_msg_t m;
        uint64_t r = l4_receive(&from, &m, NEVER);
        while (!l4_ipc_error(r)) {
            note(r, from, &m);
            if (server_silent)
                break;
            for (unsigned i = 0; i < L4_MSG_REG_WORDS; i++)
                m.w[i]++;
            l4_utcb()->mr[8]++;
            r = l4_reply_wait(&from, l4_msgtag(l4_msgtag_label(r) + 1, l4_msgtag_u(r), 0), &m, NEVER);
        }
        if (l4_ipc_error(r) && !l4_ipc_failed_in_receive(r))
            seen.reply_err = l4_ipc_error(r);
    }
}

static volatile l4_threadid_t call_to;
static volatile uint64_t client_res[KT_SLOTS + 1], client_w0[KT_SLOTS + 1];

/* Calls call_to once with label = its slot and eight words slot * 0x100 + i; keeps the
 * result word and the answer's first word. */
static void client(void)
{
    unsigned me = l4_tid_lthread(l4_myself());
    l4_msg_t m;
    for (unsigned i = 0; i < L4_MSG_REG_WORDS; i++)
        m.w[i] = me * 0x100 + i;
    client_res[me] = l4_call(call_to, l4_msgtag(me, 8, 0), &m, NEVER, NEVER);
    client_w0[me] = m.w[0];
    kt_park();
}

static volatile uint64_t *count_at;
static uint64_t count_want;
static int count_reached(void) { return *count_at >= count_want; }
/* Lets the others run until *w reaches n (at most 1000 ticks); 1 if it did. */
static int wait_count(volatile uint64_t *w, uint64_t n)
{
    count_at = w;
    count_want = n;
    return kt_wait_until(count_reached, 1000);
}

/* Starts fn in `slot` and lets it run into its receive; nil if it did not get there. */
static l4_threadid_t start_waiting(unsigned slot, void (*fn)(void))
{
    l4_threadid_t t = kt_spawn(slot, fn);
    for (int i = 0; i < 10 && (kt_state(t) & 0xff) != L4_TSTATE_RECEIVING; i++)
        l4_thread_switch(t);
    return (kt_state(t) & 0xff) == L4_TSTATE_RECEIVING ? t : L4_NILTHREAD;
}

/* Raises main above the helpers, then starts fn: it runs only while main waits. */
static l4_threadid_t start_below(unsigned slot, void (*fn)(void))
{
    kt_set_prio(kt_main, ABOVE);
    return kt_spawn(slot, fn);
}

/* Cancels main's IPC 5 s into the test (every test takes a small part of that): a test
 * waiting for a message the kernel lost fails there instead of hanging the run. */
static void watchdog(void)
{
    l4_threadid_t f = kt_main;              /* main never sends to it: a sleep */
    l4_msg_t m;
    l4_receive(&f, &m, l4_timeout_from_us(5000000));
    printf("  watchdog: the test still runs after 5 s, main's ipc is cancelled\n");
    struct l4_exregs x = { .control = 0 | L4_EXREGS_CANCEL };
    l4_lthread_ex_regs(&x);
    kt_park();
}

/* Every test's first step: shared records cleared, the watchdog set; then, if fn is not
 * null, fn started in `slot` and let run into its receive: its id (nil if it did not). */
static l4_threadid_t fp_begin(unsigned slot, void (*fn)(void))
{
    memset((void *)&seen, 0, sizeof(seen));
    ticket = server_silent = 0;
    exc_to_main = victim_report = dirty_xmm = 0;
    wait_for = L4_NILTHREAD;
    for (unsigned i = 0; i <= KT_SLOTS; i++)
        client_res[i] = client_w0[i] = ~0ULL;
    kt_set_prio(kt_spawn(WATCHDOG_SLOT, watchdog), 250);
    return fn ? start_waiting(slot, fn) : L4_NILTHREAD;
}

/* ---- the partner ---- */

/* Waits for one message from wait_for and notes it; with dirty_xmm, leaves other values in
 * the xmm registers; stops. */
static void receive_once(void)
{
    l4_threadid_t f = wait_for;
    l4_msg_t m;
    uint64_t r = l4_receive(&f, &m, NEVER);
    note(r, f, &m);
    if (dirty_xmm)
        fp_dirty_xmm();
    kt_park();
}

KTEST("fastpath", "a_call_to_a_thread_waiting_for_another_is_not_taken", fp_closed_other)
{
    fp_begin(0, 0);
    wait_for = kt_spawn(2, kt_park);
    l4_threadid_t r = start_waiting(1, receive_once);
    KT_ASSERT(!l4_tid_is_nil(r));
    l4_msg_t m = { { 1, 2 } };
    KT_EQ(l4_call(r, l4_msgtag(0, 2, 0), &m, L4_TIMEOUT_ZERO, NEVER), SEND_ERR(L4_ERR_TIMEOUT));
    uint64_t t0 = rt_rdtsc();
    KT_EQ(l4_call(r, l4_msgtag(0, 2, 0), &m, l4_timeout_from_us(2000), NEVER),
          SEND_ERR(L4_ERR_TIMEOUT));
    KT_ASSERT(rt_rdtsc() - t0 >= 2000 * (rt_kip->tsc_hz / 1000000));
    l4_threadid_t to = r;
    KT_EQ(l4_reply_wait(&to, l4_msgtag(0, 2, 0), &m, NEVER), SEND_ERR(L4_ERR_TIMEOUT));
    KT_EQ(kt_state(r) & 0xff, L4_TSTATE_RECEIVING);
    KT_EQ(seen.n, 0);
    return 0;
}

KTEST("fastpath", "a_call_longer_than_the_receiver_takes_is_refused", fp_rcv_limit)
{
    l4_threadid_t s = fp_begin(1, server);
    KT_ASSERT(!l4_tid_is_nil(s));
    ((struct l4_utcb *)l4_utcb_addr(1))->rcv_max_words = 3;
    l4_msg_t m = { { 1, 2, 3, 4 } };
    KT_EQ(l4_call(s, l4_msgtag(9, 4, 0), &m, NEVER, NEVER), SEND_ERR(L4_ERR_MSG_TOO_LONG));
    l4_threadid_t to = s;
    KT_EQ(l4_reply_wait(&to, l4_msgtag(9, 4, 0), &m, NEVER), SEND_ERR(L4_ERR_MSG_TOO_LONG));
    KT_EQ(kt_state(s) & 0xff, L4_TSTATE_RECEIVING);      /* undisturbed */
    KT_EQ(seen.n, 0);
    KT_EQ(l4_call(s, l4_msgtag(9, 3, 0), &m, NEVER, NEVER), l4_msgtag(10, 3, 0));
    KT_EQ(m.w[0], 2);
    KT_EQ(m.w[2], 4);
    return 0;
}

KTEST("fastpath", "a_call_of_nine_words_carries_the_ninth_through_the_utcbs", fp_nine_words)
{
    l4_threadid_t s = fp_begin(1, server);
    KT_ASSERT(!l4_tid_is_nil(s));
    l4_msg_t m = { { 1, 2, 3, 4, 5, 6, 7, 8 } };
    l4_utcb()->mr[8] = 0x99;
    KT_EQ(l4_call(s, l4_msgtag(5, 9, 0), &m, NEVER, NEVER), l4_msgtag(6, 9, 0));
    KT_EQ(seen.mr8, 0x99);
    KT_EQ(seen.w[7], 8);
    KT_EQ(m.w[7], 9);
    KT_EQ(l4_utcb()->mr[8], 0x9a);
    return 0;
}

KTEST("fastpath", "nil_stale_and_absent_partners_and_oneself_are_refused", fp_no_partner)
{
    l4_threadid_t s = fp_begin(1, server);
    KT_ASSERT(!l4_tid_is_nil(s));
    unsigned task = l4_tid_task(s), lt = l4_tid_lthread(s);
    const l4_threadid_t bad[] = {
        L4_NILTHREAD, l4_tid_make(task, lt, l4_tid_version(s) + 1), l4_tid_make(task, lt, 0),
        l4_tid_make(task, 100, 1), l4_tid_make(999, 0, 1),
    };
    l4_msg_t m = { { 0 } };
    for (unsigned i = 0; i < N_OF(bad); i++) {
        l4_threadid_t to = bad[i];
        KT_EQ(l4_call(to, l4_msgtag(0, 1, 0), &m, NEVER, NEVER), SEND_ERR(L4_ERR_NO_PARTNER));
        KT_EQ(l4_reply_wait(&to, l4_msgtag(0, 1, 0), &m, NEVER), SEND_ERR(L4_ERR_NO_PARTNER));
    }
    l4_threadid_t me = kt_main;
    KT_EQ(l4_reply_wait(&me, l4_msgtag(0, 1, 0), &m, NEVER), SEND_ERR(L4_ERR_DEADLOCK));
    KT_EQ(seen.n, 0);
    return 0;
}

/* ---- clans ---- */

/* fp_begin, and a new clan tree (clan.h's tree_start): 0, or 1 with a FAIL line. */
static int tree_begin(int a1, int b_first)
{
    fp_begin(0, 0);
    memset(ag, 0, sizeof(ag));
    if (tree_start(a1, b_first))
        KT_FAIL("tree did not start");
    return 0;
}

KTEST("fastpath", "a_call_into_another_clan_goes_to_the_chief", fp_clan_call)
{
    if (tree_begin(1, 0))
        return 1;
    /* A1, waiting in its open receive, lies inside root's member A. */
    call_to = ag[A1].id;
    l4_threadid_t c = kt_spawn(1, client);
    KT_ASSERT(wait_word(&ag[A].got));
    KT_EQ(ag[A].res, L4_RES_REDIRECTED | l4_msgtag(1, 8, 0));
    KT_EQ(ag[A].from, c);
    KT_EQ(ag[A].intended, ag[A1].id);
    KT_EQ(ag[A].w0, 0x100);
    KT_EQ(ag[A1].got, 0);
    KT_EQ(kt_state(c) & 0xff, L4_TSTATE_RECEIVING);        /* waits for an answer */
    /* A itself, a member of root: reached directly, though its chief is not root's. */
    call_to = ag[A].id;
    c = kt_spawn(2, client);
    KT_ASSERT(wait_count(&ag[A].got, 2));
    KT_EQ(ag[A].res, l4_msgtag(2, 8, 0));
    KT_EQ(ag[A].from, c);
    KT_EQ(ag[A].w0, 0x200);
    tree_end();
    return 0;
}

/* ---- the deceiving send ---- */

KTEST("fastpath", "a_deceiving_call_between_clan_mates_keeps_its_virtual_sender", fp_deceit_kept)
{
    if (tree_begin(0, 1))
        return 1;
    /* A1 sends to B, which waits: redirected to A, which calls B as A1. A and B have
     * the same chief, as any two threads a fast path connects. */
    agent_stop(A);
    ag[A].spawn = ag[A].forward = 1;
    ag[A].fwd_flags = L4_IPC_RECV;
    ag[A1].send_to = ag[B].id;
    KT_EQ(agent_start(A), L4_OK);
    KT_ASSERT(wait_word(&ag[B].got));
    KT_EQ(ag[B].res, L4_RES_DECEITED | l4_msgtag(1, 1, 0));
    KT_EQ(ag[B].from, ag[A1].id);
    KT_EQ(ag[B].w0, MAGIC);
    KT_EQ(ag[A].forwarded, 0);              /* A's call waits for B's answer */
    tree_end();
    return 0;
}

KTEST("fastpath", "a_deceiving_call_to_a_clan_mate_from_a_task_without_members_is_refused",
      fp_deceit_refused)
{
    if (tree_begin(0, 0))
        return 1;
    agent_stop(B);
    ag[B].send_to = ag[A].id;
    ag[B].vsender = kt_main;
    ag[B].send_flags = L4_IPC_RECV;
    KT_EQ(agent_start(B), L4_OK);
    KT_ASSERT(wait_word(&ag[B].sent));
    KT_EQ(ag[B].send_res, SEND_ERR(L4_ERR_PERMISSION));
    KT_EQ(ag[A].got, 0);
    tree_end();
    return 0;
}

/* ---- the scheduler ---- */

static volatile uint64_t marker_ticket;
static void marker(void)
{
    l4_thread_switch(kt_main);              /* main runs on our time: we stay ready */
    marker_ticket = ++ticket;
    kt_park();
}

/* main calls a partner one priority below a thread that is ready (it gave main its time
 * slice): that thread runs before the partner. */
KTEST("fastpath", "a_call_to_a_lower_priority_partner_lets_a_higher_ready_thread_run_first",
      fp_prio)
{
    l4_threadid_t s = fp_begin(1, server);
    KT_ASSERT(!l4_tid_is_nil(s));
    marker_ticket = 0;
    KT_EQ(kt_set_prio(s, KT_PRIO - 10), L4_OK);
    l4_threadid_t h = kt_spawn(2, marker);
    KT_EQ(kt_set_prio(h, KT_PRIO - 9), L4_OK);
    KT_EQ(kt_set_prio(kt_main, KT_PRIO - 10), L4_OK);     /* h runs, and donates */
    KT_EQ(kt_state(h) & 0xff, L4_TSTATE_READY);
    KT_EQ(marker_ticket, 0);
    l4_msg_t m = { { 7 } };
    KT_EQ(l4_call(s, l4_msgtag(0, 1, 0), &m, NEVER, NEVER), l4_msgtag(1, 1, 0));
    KT_EQ(m.w[0], 8);
    KT_EQ(marker_ticket, 1);
    KT_EQ(seen.ticket, 2);
    return 0;
}

KTEST("fastpath", "a_reply_and_wait_takes_a_queued_sender_at_once", fp_queued_sender)
{
    fp_begin(0, 0);
    call_to = kt_main;
    l4_threadid_t c1 = kt_spawn(1, client), from = L4_NILTHREAD;
    l4_msg_t m;
    KT_EQ(l4_receive(&from, &m, NEVER), l4_msgtag(1, 8, 0));
    KT_EQ(from, c1);
    l4_threadid_t c2 = kt_spawn(2, client);
    l4_thread_switch(c2);
    KT_EQ(kt_state(c2) & 0xff, L4_TSTATE_SENDING);          /* queued on main */
    m.w[0] = 0xaaa;
    KT_EQ(l4_reply_wait(&from, l4_msgtag(0, 1, 0), &m, NEVER), l4_msgtag(2, 8, 0));
    KT_EQ(from, c2);
    for (unsigned i = 0; i < L4_MSG_REG_WORDS; i++)
        KT_EQ(m.w[i], 0x200 + i);
    KT_EQ(kt_state(c2) & 0xff, L4_TSTATE_RECEIVING);        /* now waiting for its answer */
    l4_thread_switch(c1);
    KT_EQ(client_res[1], l4_msgtag(0, 1, 0));
    KT_EQ(client_w0[1], 0xaaa);
    return 0;
}

KTEST("fastpath", "calls_and_replies_with_a_finite_or_zero_receive_timeout", fp_rcv_timeouts)
{
    l4_threadid_t s = fp_begin(1, server);
    KT_ASSERT(!l4_tid_is_nil(s));
    l4_msg_t m = { { 10, 20 } };
    KT_EQ(l4_call(s, l4_msgtag(3, 2, 0), &m, NEVER, l4_timeout_from_us(1000000)), l4_msgtag(4, 2, 0));
    KT_EQ(m.w[0], 11);
    KT_EQ(m.w[1], 21);
    /* Not answered: the receive phase times out, and not early. */
    server_silent = 1;
    uint64_t t0 = rt_rdtsc();
    KT_EQ(l4_call(s, l4_msgtag(3, 2, 0), &m, NEVER, l4_timeout_from_us(3000)), RECV_ERR(L4_ERR_TIMEOUT));
    KT_ASSERT(rt_rdtsc() - t0 >= 3000 * (rt_kip->tsc_hz / 1000000));
    KT_EQ(seen.n, 2);
    /* A zero receive timeout: the message goes, the answer finds no one waiting. */
    server_silent = 0;
    KT_EQ(l4_call(s, l4_msgtag(3, 2, 0), &m, NEVER, L4_TIMEOUT_ZERO), RECV_ERR(L4_ERR_TIMEOUT));
    l4_thread_switch(s);
    KT_EQ(seen.n, 3);
    KT_EQ(seen.w[0], 11);
    KT_EQ(seen.reply_err, L4_ERR_TIMEOUT);
    /* A reply-and-wait with a finite receive timeout: the reply goes, the wait ends. */
    call_to = kt_main;
    l4_threadid_t c = kt_spawn(2, client), from = L4_NILTHREAD;
    KT_EQ(l4_receive(&from, &m, NEVER), l4_msgtag(2, 8, 0));
    m.w[0] = 0xbbb;
    struct l4_ipc_regs r = { from, l4_msgtag(0, 1, 0),
                             l4_ipc_control(REPLY_WAIT, L4_TIMEOUT_ZERO, l4_timeout_from_us(2000)), m };
    KT_EQ(l4_ipc(&r), RECV_ERR(L4_ERR_TIMEOUT));
    l4_thread_switch(c);
    KT_EQ(client_res[2], l4_msgtag(0, 1, 0));
    KT_EQ(client_w0[2], 0xbbb);
    return 0;
}

static volatile uint64_t spins;
static void spinner(void)
{
    for (;;)
        spins += seen.n != 0;               /* counts only once the ping-pong is on */
}
static void pinger(void)
{
    l4_msg_t m = { { 0 } };
    for (;;)
        l4_call(call_to, l4_msgtag(0, 1, 0), &m, NEVER, NEVER);
}

KTEST("fastpath", "ping_pong_calls_leave_time_to_an_equal_priority_thread", fp_slices)
{
    call_to = fp_begin(1, server);
    spins = 0;
    KT_ASSERT(!l4_tid_is_nil(call_to));
    kt_spawn(2, pinger);
    kt_spawn(3, spinner);
    kt_set_prio(kt_main, ABOVE);            /* main only looks, every 100 ms */
    uint64_t rounds = seen.n, spun = spins, t = rt_kip->ticks, t0 = t;
    for (int windows = 0, tries = 0; windows < 3; tries++) {
        KT_ASSERT(tries < 20);
        l4_threadid_t f = L4_NILTHREAD;
        l4_msg_t m;
        KT_EQ(l4_receive(&f, &m, l4_timeout_from_us(100000)), RECV_ERR(L4_ERR_TIMEOUT));
        if (rt_kip->ticks - t < 50)
            continue;                       /* the guest hardly ran: the host was busy */
        KT_ASSERT(seen.n > rounds);         /* in 50 ticks and more, five time slices */
        KT_ASSERT(spins > spun);
        rounds = seen.n;
        spun = spins;
        t = rt_kip->ticks;
        windows++;
    }
    printf("  %lu round trips and %lu spins in %lu ticks\n", rounds, spun, rt_kip->ticks - t0);
    return 0;
}

/* ---- registers: a helper in assembly ---- */

/* fp_victim loads every register but rsp, rcx and r11 from fp_in (and the flags, and the
 * xmm registers), records its rsp and flags there, and makes a system call with them.
 * Where it goes on — at fp_victim_ret after the syscall (where = 1), or at fp_victim_resume
 * (where = 2) if an exception handler sends it there — it stores every register in
 * fp_out and calls fp_victim_done. */
struct regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rsp, flags, where;
    uint64_t xmm[16][2];
};
_Static_assert(__builtin_offsetof(struct regs, rsp) == 120 && __builtin_offsetof(struct regs, xmm) == 144,
               "fp_victim's offsets");
struct regs fp_in, fp_out;
void fp_victim(void), fp_victim_ret(void), fp_victim_resume(void);
void fp_take_main(void), fp_victim_done(void);
/* CF PF ZF SF OF, and IF and bit 1 as always: flags nothing else leaves by chance */
#define VICTIM_FLAGS 0xac7ULL

__asm__(
    ".macro fp_gprs m\n"
    "  \\m rbx, 8\n  \\m rdx, 24\n  \\m rsi, 32\n  \\m rdi, 40\n  \\m rbp, 48\n"
    "  \\m r8, 56\n  \\m r9, 64\n  \\m r10, 72\n  \\m r12, 88\n  \\m r13, 96\n"
    "  \\m r14, 104\n  \\m r15, 112\n"
    ".endm\n"
    ".macro fp_load r, o\n  movq fp_in+\\o(%rip), %\\r\n.endm\n"
    ".macro fp_store r, o\n  movq %\\r, fp_out+\\o(%rip)\n.endm\n"
    ".text\n"
    ".globl fp_victim, fp_victim_ret, fp_victim_resume, fp_dirty_xmm\n"
    "fp_victim:\n"
    "  subq $8, %rsp\n"
    "  call fp_take_main\n"
    "  addq $8, %rsp\n"
    "  movq %rsp, fp_in+120(%rip)\n"
    "  pushq fp_in+128(%rip)\n"
    "  popfq\n"
    "  pushfq\n"
    "  popq fp_in+128(%rip)\n"
    "  .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
    "  movdqu fp_in+144+16*\\n(%rip), %xmm\\n\n"
    "  .endr\n"
    "  fp_gprs fp_load\n"
    "  movq fp_in(%rip), %rax\n"
    "  syscall\n"
    "fp_victim_ret:\n"
    "  movq $1, fp_out+136(%rip)\n"
    "  jmp 1f\n"
    "fp_victim_resume:\n"
    "  movq $2, fp_out+136(%rip)\n"
    "1:pushfq\n"
    "  popq fp_out+128(%rip)\n"
    "  fp_gprs fp_store\n"
    "  fp_store rax, 0\n"
    "  fp_store rcx, 16\n"
    "  fp_store r11, 80\n"
    "  fp_store rsp, 120\n"
    "  .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
    "  movdqu %xmm\\n, fp_out+144+16*\\n(%rip)\n"
    "  .endr\n"
    "  pushq $0x202\n"
    "  popfq\n"
    "  andq $-16, %rsp\n"
    "  call fp_victim_done\n"
    "fp_dirty_xmm:\n"
    "  .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
    "  pcmpeqd %xmm\\n, %xmm\\n\n"
    "  .endr\n"
    "  ret\n");

static volatile uint64_t victim_done;

/* A helper's first step: main becomes its pager and, with exc_to_main, its exception
 * handler (else it has none). The test gives it main's own back (kt_main_handlers). */
void fp_take_main(void)
{
    struct l4_exregs x = { .control = l4_tid_lthread(l4_myself()) | L4_EXREGS_SET_PAGER |
                                      L4_EXREGS_SET_EXCH,
                           .pager = kt_main, .exc_handler = exc_to_main ? kt_main : L4_NILTHREAD };
    l4_lthread_ex_regs(&x);
}

void fp_victim_done(void)
{
    victim_done = 1;
    l4_msg_t m = { { 0 } };
    if (victim_report)
        l4_send(kt_main, l4_msgtag(DONE, 0, 0), &m, NEVER);
    kt_park();
}

/* fp_in with a value of its own in each register, rax = rax, the flags VICTIM_FLAGS. */
static void victim_setup(uint64_t rax)
{
    uint64_t *w = (uint64_t *)&fp_in;
    for (unsigned i = 0; i < sizeof(fp_in) / 8; i++)
        w[i] = 0x5a5a000000000000ULL | (i + 1) * 0x10101ULL;
    fp_in.rax = rax;
    fp_in.flags = VICTIM_FLAGS;
    memset(&fp_out, 0, sizeof(fp_out));
    victim_done = 0;
}

static int victim_finished(void) { return victim_done != 0; }

/* fp_out against want, register by register (rax, rcx and r11 too if `all`). */
static int regs_match(const struct regs *want, int all)
{
    const uint64_t *w = (const uint64_t *)want, *o = (const uint64_t *)&fp_out;
    for (unsigned i = 0; i <= __builtin_offsetof(struct regs, flags) / 8; i++) {
        int syscall_reg = i == 0 || i == 2 || i == 10;        /* rax rcx r11 */
        if ((all || !syscall_reg) && w[i] != o[i])
            KT_FAIL("register word %u is %lx, not %lx", i, o[i], w[i]);
    }
    if (memcmp(want->xmm, fp_out.xmm, sizeof(fp_out.xmm)))
        KT_FAIL("an xmm register changed");
    return 0;
}

KTEST("fastpath", "ex_regs_reads_a_caller_waiting_for_its_reply_and_cancel_keeps_its_registers",
      fp_cancel)
{
    l4_threadid_t p = fp_begin(2, receive_once);
    KT_ASSERT(!l4_tid_is_nil(p));
    dirty_xmm = 1;
    victim_setup(L4_SYS_IPC);
    fp_in.rdi = p;
    fp_in.rsi = l4_msgtag(0x77, 8, 0);
    fp_in.r10 = l4_ipc_control(CALL, NEVER, NEVER);
    l4_threadid_t v = kt_spawn(HANDLED_SLOT, fp_victim);
    KT_ASSERT(wait_count(&seen.n, 1));
    KT_EQ(seen.res, l4_msgtag(0x77, 8, 0));
    KT_EQ(seen.from, v);
    const uint64_t mr[8] = { fp_in.rdx, fp_in.rbx, fp_in.r8, fp_in.r9,
                             fp_in.r12, fp_in.r13, fp_in.r14, fp_in.r15 };
    for (unsigned i = 0; i < 8; i++)
        KT_EQ(seen.w[i], mr[i]);
    /* Waiting for p's reply: ip (just past its syscall), sp and flags as it called. */
    struct l4_exregs x = { .control = HANDLED_SLOT };
    KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
    KT_EQ(x.state & 0xff, L4_TSTATE_RECEIVING);
    KT_EQ(x.ip, (uint64_t)fp_victim_ret);
    KT_EQ(x.sp, fp_in.rsp);
    KT_EQ(x.flags, fp_in.flags);
    x = (struct l4_exregs){ .control = HANDLED_SLOT | L4_EXREGS_CANCEL };
    KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
    KT_ASSERT(kt_wait_until(victim_finished, 100));
    kt_main_handlers(HANDLED_SLOT);
    KT_EQ(fp_out.where, 1);
    KT_EQ(fp_out.rax, RECV_ERR(L4_ERR_CANCELLED));
    return regs_match(&fp_in, 0);       /* rdi, rsi, r10 and the words too: nothing came */
}

/* ---- page faults: main as the pager of a helper of its own task ---- */

#define AREA 0x0000500000000000ULL      /* nothing of root's is mapped here */
#define KMSG_WORDS 24                   /* the most a kernel-made call takes back (k/thread.h) */
static uint64_t src[2][512] __attribute__((aligned(8192)));   /* the pages main maps */
#define SRC0 0x50c0ULL
#define SRC1 0x50c1ULL

static volatile uint64_t touch[4];
/* Touches touch[0..3] in order (0 ends the list; bit 0 set: writes the address there
 * first), then reports to main each word it read. */
static void toucher(void)
{
    fp_take_main();
    l4_msg_t m = { { 0 } };
    for (unsigned i = 0; i < 4 && touch[i]; i++) {
        volatile uint64_t *p = (volatile uint64_t *)(touch[i] & ~1ULL);
        if (touch[i] & 1)
            *p = touch[i];
        m.w[i] = *p;
    }
    l4_send(kt_main, l4_msgtag(DONE, 4, 0), &m, NEVER);
    kt_park();
}

/* The message main has in hand, as the pager. */
struct pf {
    uint64_t res;
    l4_threadid_t from;
    l4_msg_t m;
};

/* main's src pages hold SRC0 and SRC1, and no mapping made from them is left. */
static void src_reset(void)
{
    l4_fpage_unmap(l4_fpage((uint64_t)src, 13, L4_FPAGE_RWX), 0, 0, 0);
    src[0][0] = SRC0;
    src[1][0] = SRC1;
}

/* Starts the toucher on the addresses given. */
static void pf_start(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    src_reset();
    touch[0] = a, touch[1] = b, touch[2] = c, touch[3] = d;
    start_below(HANDLED_SLOT, toucher);
}

/* The first fault. The toucher waits in it now: main comes down to its priority, so that
 * a fast path may take the replies (a partner below a ready thread is not its to take). */
static void pf_wait(struct pf *p)
{
    p->from = L4_NILTHREAD;
    p->res = l4_receive(&p->from, &p->m, NEVER);
    kt_set_prio(kt_main, KT_PRIO);
}

/* main answers with u untyped words and the t words of items[], and waits for the next. */
static uint64_t pf_reply(struct pf *p, unsigned u, unsigned t, const uint64_t *items)
{
    for (unsigned i = 0; i < t; i++)
        p->m.w[u + i] = items[i];
    p->res = l4_reply_wait(&p->from, l4_msgtag(0, u, t), &p->m, NEVER);
    return p->res;
}

static uint64_t pf_map(struct pf *p, l4_fpage_t f, uint64_t hot)
{
    const uint64_t item[2] = { f, hot };
    return pf_reply(p, 0, 2, item);
}

/* Whether p holds the toucher's fault of `access` at addr: 0, or 1 with a FAIL line. */
static int pf_expect(const struct pf *p, uint64_t addr, unsigned access)
{
    if (p->res != l4_msgtag(L4_LABEL_PAGEFAULT | access, 2, 0) || p->m.w[0] != addr ||
        p->from != kt_slot_id(HANDLED_SLOT))
        KT_FAIL("result %lx word %lx from %lx, not a fault (access %u) at %lx",
                p->res, p->m.w[0], p->from, access, addr);
    return 0;
}
#define EXPECT_FAULT(p, addr, access) do { if (pf_expect(p, addr, access)) return 1; } while (0)

/* Whether p holds the toucher's report of the words a..d. */
static int pf_done(const struct pf *p, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    KT_EQ(p->res, l4_msgtag(DONE, 4, 0));
    const uint64_t want[4] = { a, b, c, d };
    for (unsigned i = 0; i < 4; i++)
        KT_EQ(p->m.w[i], want[i]);
    return 0;
}

/* The end of a fault test: the mappings gone, the helper's handlers main's again. */
static int pf_end(void)
{
    l4_fpage_unmap(l4_fpage((uint64_t)src, 13, L4_FPAGE_RWX), 0, 0, 0);
    kt_main_handlers(HANDLED_SLOT);
    return 0;
}

KTEST("fastpath", "a_fault_reply_without_write_rights_makes_the_write_fault_again", fp_pf_rights)
{
    fp_begin(0, 0);
    const uint64_t x = AREA;
    struct pf p;
    pf_start(x | 1, 0, 0, 0);
    pf_wait(&p);
    EXPECT_FAULT(&p, x, L4_FPAGE_W);
    uint64_t ip = p.m.w[1];
    pf_map(&p, l4_fpage((uint64_t)src[0], 12, L4_FPAGE_R), x);
    EXPECT_FAULT(&p, x, L4_FPAGE_W);
    KT_EQ(p.m.w[1], ip);                        /* the same instruction, again */
    pf_map(&p, l4_fpage((uint64_t)src[0], 12, L4_FPAGE_RW), x);
    if (pf_done(&p, x | 1, 0, 0, 0))
        return 1;
    KT_EQ(src[0][0], x | 1);                    /* written into main's page */
    return pf_end();
}

KTEST("fastpath", "a_grant_in_a_fault_reply_moves_the_page", fp_pf_grant)
{
    fp_begin(0, 0);
    const uint64_t g = AREA + 0x10000, x = AREA + 0x20000;
    struct pf p;
    pf_start(g, x, g, 0);
    pf_wait(&p);
    EXPECT_FAULT(&p, g, L4_FPAGE_R);
    pf_map(&p, l4_fpage((uint64_t)src[0], 12, L4_FPAGE_RW), g);     /* one main can grant */
    EXPECT_FAULT(&p, x, L4_FPAGE_R);
    pf_map(&p, l4_fpage(g, 12, L4_FPAGE_RW) | L4_ITEM_GRANT, x);
    EXPECT_FAULT(&p, g, L4_FPAGE_R);            /* g went with the grant */
    pf_map(&p, l4_fpage((uint64_t)src[0], 12, L4_FPAGE_RW), g);
    if (pf_done(&p, SRC0, SRC0, SRC0, 0))
        return 1;
    return pf_end();
}

KTEST("fastpath", "fault_replies_that_map_nothing_repeat_the_fault_and_bad_ones_fail", fp_pf_nothing)
{
    fp_begin(0, 0);
    const uint64_t x = AREA + 0x30000;
    struct pf p;
    pf_start(x, 0, 0, 0);
    pf_wait(&p);
    EXPECT_FAULT(&p, x, L4_FPAGE_R);
    pf_map(&p, l4_fpage(AREA + 0x40000, 12, L4_FPAGE_RW), x);        /* main has nothing there */
    EXPECT_FAULT(&p, x, L4_FPAGE_R);
    pf_map(&p, l4_fpage((uint64_t)src[0], 12, L4_FPAGE_RW), L4_UTCB_BASE);  /* kernel-managed */
    EXPECT_FAULT(&p, x, L4_FPAGE_R);
    pf_reply(&p, KMSG_WORDS, 0, 0);             /* words only: the thread just retries */
    EXPECT_FAULT(&p, x, L4_FPAGE_R);
    /* Replies the kernel refuses: the pager's send fails, the thread waits on. */
    KT_EQ(pf_map(&p, l4_fpage(L4_USER_END, 12, L4_FPAGE_RW), x), SEND_ERR(L4_ERR_MAP_FAILED));
    KT_EQ(pf_reply(&p, KMSG_WORDS + 1, 0, 0), SEND_ERR(L4_ERR_MSG_TOO_LONG));
    KT_EQ(kt_state(p.from) & 0xff, L4_TSTATE_RECEIVING);
    pf_map(&p, l4_fpage((uint64_t)src[0], 12, L4_FPAGE_RW), x);
    if (pf_done(&p, SRC0, 0, 0, 0))
        return 1;
    return pf_end();
}

KTEST("fastpath", "fault_replies_with_two_items_or_an_8k_page_map_it_all", fp_pf_longer)
{
    fp_begin(0, 0);
    const uint64_t x = AREA + 0x100000, y = AREA + 0x200000;
    struct pf p;
    pf_start(x, x + 4096, y, y + 4096);
    pf_wait(&p);
    EXPECT_FAULT(&p, x, L4_FPAGE_R);
    const uint64_t two[4] = { l4_fpage((uint64_t)src[0], 12, L4_FPAGE_R), x,
                              l4_fpage((uint64_t)src[1], 12, L4_FPAGE_R), x + 4096 };
    pf_reply(&p, 1, 4, two);                    /* an untyped word, then two items */
    EXPECT_FAULT(&p, y, L4_FPAGE_R);            /* x + 4096 came with x */
    pf_map(&p, l4_fpage((uint64_t)src, 13, L4_FPAGE_R), y);
    if (pf_done(&p, SRC0, SRC1, SRC0, SRC1))
        return 1;
    return pf_end();
}

KTEST("fastpath", "a_pager_taking_fewer_words_than_a_fault_stops_the_thread", fp_pf_narrow)
{
    fp_begin(0, 0);
    const uint64_t x = AREA + 0x300000;
    pf_start(x, 0, 0, 0);
    l4_utcb()->rcv_max_words = 1;               /* also too few for the stop notice */
    l4_threadid_t f = L4_NILTHREAD;
    l4_msg_t m;
    uint64_t r = l4_receive(&f, &m, l4_timeout_from_us(50000));
    l4_utcb()->rcv_max_words = 0;
    KT_EQ(r, RECV_ERR(L4_ERR_TIMEOUT));
    if (kt_expect_stopped(HANDLED_SLOT, 14, x))
        return 1;
    return pf_end();
}

/* A receiver (main its pager) that answers with the word at its receive window's base. */
static void window_reader(void)
{
    fp_take_main();
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    uint64_t r = l4_receive(&from, &m, NEVER);
    note(r, from, &m);
    m.w[0] = *(volatile uint64_t *)l4_fpage_base(l4_utcb()->rcv_window);
    l4_reply_wait(&from, l4_msgtag(0, 1, 0), &m, NEVER);
    kt_park();
}

KTEST("fastpath", "a_call_with_a_map_item_maps_through_the_receivers_window_or_fails", fp_map_call)
{
    l4_threadid_t t = fp_begin(HANDLED_SLOT, window_reader);
    KT_ASSERT(!l4_tid_is_nil(t));
    src_reset();
    struct l4_utcb *u = (struct l4_utcb *)l4_utcb_addr(HANDLED_SLOT);
    u->rcv_window = L4_FPAGE_NIL;
    l4_msg_t m = { { l4_fpage((uint64_t)src[0], 12, L4_FPAGE_R), 0 } };
    KT_EQ(l4_call(t, l4_msgtag(0, 0, 2), &m, NEVER, NEVER), SEND_ERR(L4_ERR_MAP_FAILED));
    KT_EQ(kt_state(t) & 0xff, L4_TSTATE_RECEIVING);
    KT_EQ(seen.n, 0);
    u->rcv_window = l4_fpage(AREA + 0x400000, 12, 0);
    KT_EQ(l4_call(t, l4_msgtag(0, 0, 2), &m, NEVER, NEVER), l4_msgtag(0, 1, 0));
    KT_EQ(m.w[0], SRC0);                        /* read at its window, not a fault */
    KT_EQ(seen.res, l4_msgtag(0, 0, 2));
    u->rcv_window = L4_FPAGE_NIL;
    return pf_end();
}

/* ---- exceptions: main as the handler of fp_victim's foreign system call ---- */

#define FOREIGN 0x5eedULL

/* Starts fp_victim making a foreign call and waits for its short message: words in w. */
static uint64_t exc_start(l4_threadid_t *from, uint64_t *w)
{
    victim_setup(FOREIGN);
    exc_to_main = victim_report = 1;
    start_below(HANDLED_SLOT, fp_victim);
    l4_msg_t m;
    *from = L4_NILTHREAD;
    uint64_t r = l4_receive(from, &m, NEVER);
    kt_set_prio(kt_main, KT_PRIO);              /* as pf_wait */
    for (unsigned i = 0; i < L4_EXS_WORDS; i++)
        w[i] = i < L4_MSG_REG_WORDS ? m.w[i] : l4_utcb()->mr[i];
    return r;
}

/* main answers with u words labelled `label`, the first L4_EXC_WORDS from w, and waits
 * for the next message: its words (the full set's worth) back in w. */
static uint64_t exc_answer(l4_threadid_t *from, uint64_t *w, uint32_t label, unsigned u)
{
    l4_msg_t m;
    memcpy(m.w, w, sizeof(m.w));
    for (unsigned i = L4_MSG_REG_WORDS; i < L4_EXC_WORDS; i++)
        l4_utcb()->mr[i] = w[i];
    uint64_t r = l4_reply_wait(from, l4_msgtag(label, u, 0), &m, NEVER);
    for (unsigned i = 0; i < L4_EXC_WORDS; i++)
        w[i] = i < L4_MSG_REG_WORDS ? m.w[i] : l4_utcb()->mr[i];
    return r;
}
static uint64_t exc_reply(l4_threadid_t *from, const uint64_t *w, unsigned u)
{
    uint64_t c[L4_EXC_WORDS];
    memcpy(c, w, sizeof(c));
    return exc_answer(from, c, 0, u);
}

/* The short message against what fp_victim had loaded when it made the call. */
static int exc_short_ok(const uint64_t *w)
{
    const uint64_t want[L4_EXS_WORDS] = {
        [L4_EXS_VECTOR] = L4_EXC_SYSCALL, [L4_EXS_NR] = FOREIGN, [L4_EXS_RIP] = (uint64_t)fp_victim_ret,
        [L4_EXS_ARG0] = fp_in.rdi, [L4_EXS_ARG1] = fp_in.rsi, [L4_EXS_ARG2] = fp_in.rdx,
        [L4_EXS_ARG3] = fp_in.r10, [L4_EXS_ARG4] = fp_in.r8, [L4_EXS_ARG5] = fp_in.r9,
    };
    for (unsigned i = 0; i < L4_EXS_WORDS; i++)
        if (w[i] != want[i])
            KT_FAIL("short exception word %u is %lx, not %lx", i, w[i], want[i]);
    return 0;
}

/* The exception's words against what fp_victim had loaded when it made the call. */
static int exc_words_ok(const uint64_t *w)
{
    struct l4_exregs x = { .control = HANDLED_SLOT };
    KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
    const uint64_t ret = (uint64_t)fp_victim_ret;
    const uint64_t want[L4_EXC_WORDS] = {
        [L4_EXC_VECTOR] = L4_EXC_SYSCALL, [L4_EXC_ERROR] = 0, [L4_EXC_ADDR] = FOREIGN,
        [L4_EXC_RIP] = ret, [L4_EXC_RFLAGS] = fp_in.flags, [L4_EXC_RSP] = fp_in.rsp,
        [L4_EXC_RAX] = FOREIGN, [L4_EXC_RBX] = fp_in.rbx, [L4_EXC_RCX] = ret,
        [L4_EXC_RDX] = fp_in.rdx, [L4_EXC_RSI] = fp_in.rsi, [L4_EXC_RDI] = fp_in.rdi,
        [L4_EXC_RBP] = fp_in.rbp, [L4_EXC_R8] = fp_in.r8, [L4_EXC_R9] = fp_in.r9,
        [L4_EXC_R10] = fp_in.r10, [L4_EXC_R11] = fp_in.flags, [L4_EXC_R12] = fp_in.r12,
        [L4_EXC_R13] = fp_in.r13, [L4_EXC_R14] = fp_in.r14, [L4_EXC_R15] = fp_in.r15,
        [L4_EXC_FS] = x.fs_base, [L4_EXC_GS] = l4_utcb_addr(HANDLED_SLOT),
    };
    for (unsigned i = 0; i < L4_EXC_WORDS; i++)
        if (w[i] != want[i])
            KT_FAIL("exception word %u is %lx, not %lx", i, w[i], want[i]);
    return 0;
}

/* fp_victim came back past its foreign call with RAX = rax, every other register as it
 * loaded them but RCX and R11, which `syscall` set. */
static int back_from_syscall(uint64_t rax)
{
    struct regs want = fp_in;
    want.rax = rax;
    want.rcx = (uint64_t)fp_victim_ret;
    want.r11 = fp_in.flags;
    return regs_match(&want, 1);
}

KTEST("fastpath", "a_foreign_call_sends_the_short_message_and_a_short_reply_sets_rax_and_fs",
      fp_exc_short)
{
    fp_begin(0, 0);
    l4_threadid_t from;
    uint64_t w[L4_EXC_WORDS] = { 0 };
    KT_EQ(exc_start(&from, w), l4_msgtag(L4_LABEL_EXCEPTION, L4_EXS_WORDS, 0));
    KT_EQ(from, kt_slot_id(HANDLED_SLOT));
    if (exc_short_ok(w))
        return 1;
    const uint64_t fs = (uint64_t)&fp_out + 8;      /* any user address will do */
    w[L4_EXR_RAX] = 0xfeed;
    w[L4_EXR_FS] = fs;
    KT_EQ(exc_answer(&from, w, 0, L4_EXR_WORDS), l4_msgtag(DONE, 0, 0));
    kt_main_handlers(HANDLED_SLOT);
    KT_EQ(fp_out.where, 1);
    struct l4_exregs x = { .control = HANDLED_SLOT };
    KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
    KT_EQ(x.fs_base, fs);
    return back_from_syscall(0xfeed);
}

KTEST("fastpath", "an_exception_handler_gets_all_23_words_on_request_and_its_full_reply_sets_them",
      fp_exc_full)
{
    fp_begin(0, 0);
    l4_threadid_t from;
    uint64_t w[L4_EXC_WORDS] = { 0 };
    KT_EQ(exc_start(&from, w), l4_msgtag(L4_LABEL_EXCEPTION, L4_EXS_WORDS, 0));
    KT_EQ(exc_answer(&from, w, L4_LABEL_EXC_FULL, 0), l4_msgtag(L4_LABEL_EXCEPTION, L4_EXC_WORDS, 0));
    KT_EQ(from, kt_slot_id(HANDLED_SLOT));
    if (exc_words_ok(w))
        return 1;
    struct regs want = fp_in;
    w[L4_EXC_RIP] = (uint64_t)fp_victim_resume;
    w[L4_EXC_RSP] = want.rsp = fp_in.rsp - 64;
    w[L4_EXC_RFLAGS] = 0x3041;                  /* CF ZF, and IOPL 3, which is dropped */
    want.flags = 0x243;
    w[L4_EXC_RAX] = want.rax = 0xfeed;
    w[L4_EXC_RBX] = want.rbx = 0xbeef;
    w[L4_EXC_RCX] = want.rcx = 0xc0c0;
    w[L4_EXC_RBP] = want.rbp = 0xb0b0;
    w[L4_EXC_R11] = want.r11 = 0x1111;
    w[L4_EXC_R15] = want.r15 = 0xf15;
    KT_EQ(exc_reply(&from, w, L4_EXC_WORDS), l4_msgtag(DONE, 0, 0));
    kt_main_handlers(HANDLED_SLOT);
    KT_EQ(fp_out.where, 2);
    return regs_match(&want, 1);
}

KTEST("fastpath", "exception_replies_leaving_user_space_or_of_no_valid_length_are_refused",
      fp_exc_refused)
{
    fp_begin(0, 0);
    l4_threadid_t from;
    uint64_t w[L4_EXC_WORDS] = { 0 }, bad[L4_EXC_WORDS];
    KT_EQ(exc_start(&from, w), l4_msgtag(L4_LABEL_EXCEPTION, L4_EXS_WORDS, 0));
    /* to the short message: FS outside user space, lengths between short and full, a
     * request for the full set with words, too many words */
    memcpy(bad, w, sizeof(bad));
    bad[L4_EXR_FS] = L4_USER_END;
    KT_EQ(exc_reply(&from, bad, L4_EXR_WORDS), SEND_ERR(L4_ERR_INVALID));
    KT_EQ(exc_reply(&from, w, L4_EXR_WORDS + 1), SEND_ERR(L4_ERR_INVALID));
    KT_EQ(exc_reply(&from, w, L4_EXC_WORDS - 1), SEND_ERR(L4_ERR_INVALID));
    KT_EQ(exc_answer(&from, bad, L4_LABEL_EXC_FULL, 1), SEND_ERR(L4_ERR_INVALID));
    KT_EQ(exc_reply(&from, w, KMSG_WORDS + 1), SEND_ERR(L4_ERR_MSG_TOO_LONG));
    KT_EQ(from, kt_slot_id(HANDLED_SLOT));
    /* to the full set: RIP, RSP, FS or GS outside user space */
    KT_EQ(exc_answer(&from, w, L4_LABEL_EXC_FULL, 0), l4_msgtag(L4_LABEL_EXCEPTION, L4_EXC_WORDS, 0));
    static const unsigned addr_words[] = { L4_EXC_RIP, L4_EXC_RSP, L4_EXC_FS, L4_EXC_GS };
    for (unsigned i = 0; i < N_OF(addr_words); i++) {
        memcpy(bad, w, sizeof(bad));
        bad[addr_words[i]] = L4_USER_END;
        KT_EQ(exc_reply(&from, bad, L4_EXC_WORDS), SEND_ERR(L4_ERR_INVALID));
        KT_EQ(from, kt_slot_id(HANDLED_SLOT));
    }
    KT_EQ(kt_state(from) & 0xff, L4_TSTATE_RECEIVING);  /* still waiting for an answer */
    /* An empty reply resumes it as it was, past its system call. */
    KT_EQ(exc_reply(&from, w, 0), l4_msgtag(DONE, 0, 0));
    kt_main_handlers(HANDLED_SLOT);
    KT_EQ(fp_out.where, 1);
    return back_from_syscall(FOREIGN);
}

KTEST("fastpath", "a_foreign_call_cancelled_while_its_handler_has_it_runs_on_unchanged",
      fp_exc_cancel)
{
    fp_begin(0, 0);
    l4_threadid_t from;
    uint64_t w[L4_EXC_WORDS] = { 0 };
    KT_EQ(exc_start(&from, w), l4_msgtag(L4_LABEL_EXCEPTION, L4_EXS_WORDS, 0));
    struct l4_exregs x = { .control = HANDLED_SLOT };
    KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
    KT_EQ(x.state & 0xff, L4_TSTATE_RECEIVING);     /* waiting for main's answer */
    KT_EQ(x.ip, (uint64_t)fp_victim_ret);
    x = (struct l4_exregs){ .control = HANDLED_SLOT | L4_EXREGS_CANCEL };
    KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
    l4_msg_t m;
    l4_threadid_t f = from;
    KT_EQ(l4_receive(&f, &m, NEVER), l4_msgtag(DONE, 0, 0));
    kt_main_handlers(HANDLED_SLOT);
    KT_EQ(fp_out.where, 1);
    return back_from_syscall(FOREIGN);              /* no answer: RAX is the number */
}
