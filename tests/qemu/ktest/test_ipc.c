/* test_ipc.c — the ipc system call: every shape, every error, timeouts and cancel. */
#include "ktest.h"

static volatile uint64_t shared[8];

static uint64_t recv_from(l4_threadid_t from, l4_msg_t *m, l4_timeout_t to, l4_threadid_t *src)
{
    l4_threadid_t f = from;
    uint64_t r = l4_receive(&f, m, to);
    if (src)
        *src = f;
    return r;
}

static void echo_server(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    uint64_t r = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;) {
        for (unsigned i = 0; i < 8; i++)
            m.w[i] += 1;
        uint32_t label = l4_msgtag_label(l4_ipc_tag(r)) + 1;
        r = l4_reply_wait(&from, l4_msgtag(label, l4_msgtag_u(l4_ipc_tag(r)), 0), &m,
                          L4_TIMEOUT_NEVER);
        if (l4_ipc_error(r))
            kt_park();
    }
}

KTEST("ipc", "call_and_reply_carry_eight_words_and_label", ipc_call_reply)
{
    l4_threadid_t srv = kt_spawn(1, echo_server);
    for (uint64_t round = 0; round < 100; round++) {
        l4_msg_t m;
        for (unsigned i = 0; i < 8; i++)
            m.w[i] = round * 100 + i;
        uint64_t r = l4_call(srv, l4_msgtag(0x1234, 8, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
        KT_EQ(l4_ipc_error(r), L4_OK);
        KT_EQ(l4_msgtag_u(l4_ipc_tag(r)), 8);
        KT_EQ(l4_msgtag_label(l4_ipc_tag(r)), 0x1235);
        for (unsigned i = 0; i < 8; i++)
            KT_EQ(m.w[i], round * 100 + i + 1);
    }
    return 0;
}

static void send_words_to_main(void)
{
    l4_msg_t m = { { 11, 22, 33, 44, 55, 66, 77, 88 } };
    shared[0] = l4_send(kt_main, l4_msgtag(7, 8, 0), &m, L4_TIMEOUT_NEVER);
    kt_park();
}

KTEST("ipc", "send_then_closed_receive_reports_sender", ipc_send_receive)
{
    shared[0] = 99;
    l4_threadid_t a = kt_spawn(1, send_words_to_main);
    l4_msg_t m;
    l4_threadid_t src;
    uint64_t r = recv_from(a, &m, L4_TIMEOUT_NEVER, &src);
    KT_EQ(l4_ipc_error(r), L4_OK);
    KT_EQ(src, a);
    KT_EQ(l4_msgtag_label(l4_ipc_tag(r)), 7);
    for (unsigned i = 0; i < 8; i++)
        KT_EQ(m.w[i], 11 * (i + 1));
    l4_thread_switch(a);                      /* let the sender see its result */
    KT_EQ(shared[0], 0);
    return 0;
}

static void sender_one(void)
{
    l4_msg_t m = { { 1 } };
    l4_send(kt_main, l4_msgtag(1, 1, 0), &m, L4_TIMEOUT_NEVER);
    kt_park();
}
static void sender_two(void)
{
    l4_msg_t m = { { 2 } };
    l4_send(kt_main, l4_msgtag(2, 1, 0), &m, L4_TIMEOUT_NEVER);
    kt_park();
}

static int both_sending(void)
{
    return (kt_state(kt_slot_id(1)) & 0xff) == L4_TSTATE_SENDING &&
           (kt_state(kt_slot_id(2)) & 0xff) == L4_TSTATE_SENDING;
}

KTEST("ipc", "open_receive_takes_senders_in_fifo_order", ipc_open_fifo)
{
    l4_threadid_t a = kt_spawn(1, sender_one);
    l4_thread_switch(a);                      /* a queues first */
    l4_threadid_t b = kt_spawn(2, sender_two);
    KT_ASSERT(kt_wait_until(both_sending, 100));
    l4_msg_t m;
    l4_threadid_t src;
    KT_EQ(l4_ipc_error(recv_from(L4_NILTHREAD, &m, L4_TIMEOUT_NEVER, &src)), L4_OK);
    KT_EQ(src, a);
    KT_EQ(m.w[0], 1);
    KT_EQ(l4_ipc_error(recv_from(L4_NILTHREAD, &m, L4_TIMEOUT_NEVER, &src)), L4_OK);
    KT_EQ(src, b);
    KT_EQ(m.w[0], 2);
    return 0;
}

KTEST("ipc", "closed_receive_skips_other_senders", ipc_closed_filters)
{
    kt_spawn(1, sender_one);
    l4_threadid_t b = kt_spawn(2, sender_two);
    KT_ASSERT(kt_wait_until(both_sending, 100));
    l4_msg_t m;
    l4_threadid_t src;
    KT_EQ(l4_ipc_error(recv_from(b, &m, L4_TIMEOUT_NEVER, &src)), L4_OK);
    KT_EQ(src, b);
    KT_EQ(m.w[0], 2);
    /* The first sender is still queued and still sending. */
    KT_EQ(kt_state(kt_slot_id(1)) & 0xff, L4_TSTATE_SENDING);
    return 0;
}

KTEST("ipc", "zero_receive_timeout_returns_at_once", ipc_zero_rcv_timeout)
{
    l4_msg_t m;
    uint64_t t0 = rt_kip->ticks;
    uint64_t r = recv_from(L4_NILTHREAD, &m, L4_TIMEOUT_ZERO, 0);
    KT_EQ(l4_ipc_error(r), L4_ERR_TIMEOUT);
    KT_ASSERT(l4_ipc_failed_in_receive(r));
    KT_ASSERT(rt_kip->ticks - t0 <= 1);
    return 0;
}

static void idle_receiver(void)
{
    l4_msg_t m;
    l4_threadid_t f = kt_main;     /* waits only for main, so others cannot reach it */
    shared[1] = l4_receive(&f, &m, L4_TIMEOUT_NEVER);
    kt_park();
}

KTEST("ipc", "zero_send_timeout_fails_when_no_receiver_waits", ipc_zero_snd_timeout)
{
    l4_threadid_t a = kt_spawn(1, sender_one);      /* busy sending to us, not receiving */
    l4_thread_switch(a);
    l4_msg_t m = { { 5 } };
    uint64_t r = l4_send(a, l4_msgtag(0, 1, 0), &m, L4_TIMEOUT_ZERO);
    KT_EQ(l4_ipc_error(r), L4_ERR_TIMEOUT);
    KT_ASSERT(!l4_ipc_failed_in_receive(r));
    /* A receiver waiting for someone else does not accept us either. */
    kt_halt_all();
    l4_threadid_t b = kt_spawn(2, idle_receiver);
    l4_thread_switch(b);
    KT_EQ(kt_state(b) & 0xff, L4_TSTATE_RECEIVING);
    return 0;
}

KTEST("ipc", "nil_stale_and_absent_partners_are_refused", ipc_no_partner)
{
    l4_msg_t m = { { 0 } };
    l4_threadid_t a = kt_spawn(1, idle_receiver);
    l4_threadid_t stale = l4_tid_make(l4_tid_task(a), l4_tid_lthread(a), l4_tid_version(a) + 1);
    l4_threadid_t absent_task = l4_tid_make(999, 0, 1);
    l4_threadid_t absent_thread = l4_tid_make(l4_tid_task(a), 100, 1);
    l4_threadid_t bad[] = { L4_NILTHREAD, stale, absent_task, absent_thread, ~0ULL };
    for (unsigned i = 0; i < 5; i++) {
        uint64_t r = l4_send(bad[i], l4_msgtag(0, 1, 0), &m, L4_TIMEOUT_NEVER);
        KT_EQ(l4_ipc_error(r), L4_ERR_NO_PARTNER);
        KT_ASSERT(!l4_ipc_failed_in_receive(r));
        if (i == 0)
            continue;       /* nil as a receive source means "any" in l4_receive */
        r = recv_from(bad[i], &m, L4_TIMEOUT_NEVER, 0);
        KT_EQ(l4_ipc_error(r), L4_ERR_NO_PARTNER);
        KT_ASSERT(l4_ipc_failed_in_receive(r));
    }
    return 0;
}

KTEST("ipc", "sending_to_oneself_is_a_deadlock_error", ipc_self)
{
    l4_msg_t m = { { 0 } };
    uint64_t r = l4_call(kt_main, l4_msgtag(0, 1, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    KT_EQ(l4_ipc_error(r), L4_ERR_DEADLOCK);
    return 0;
}

KTEST("ipc", "malformed_descriptors_are_refused", ipc_bad_desc)
{
    l4_threadid_t a = kt_spawn(1, idle_receiver);
    l4_thread_switch(a);
    l4_msg_t m = { { 0 } };
    KT_EQ(l4_ipc_error(l4_send(a, l4_msgtag(0, 65, 0), &m, L4_TIMEOUT_ZERO)), L4_ERR_MSG_TOO_LONG);
    KT_EQ(l4_ipc_error(l4_send(a, l4_msgtag(0, 0, 1), &m, L4_TIMEOUT_ZERO)), L4_ERR_INVALID);
    KT_EQ(l4_ipc_error(l4_send(a, l4_msgtag(0, 63, 2), &m, L4_TIMEOUT_ZERO)), L4_ERR_MSG_TOO_LONG);
    /* A map item to a receiver with no receive window fails the send phase. */
    KT_EQ(l4_ipc_error(l4_send(a, l4_msgtag(0, 0, 2), &m, L4_TIMEOUT_ZERO)), L4_ERR_MAP_FAILED);
    KT_EQ(l4_ipc_error(l4_send(a, 1ULL << 60, &m, L4_TIMEOUT_ZERO)), L4_ERR_INVALID);
    struct l4_ipc_regs r = { a, 0, l4_ipc_control(0x80, 0, 0), m };
    KT_EQ(l4_ipc_error(l4_ipc(&r)), L4_ERR_INVALID);
    /* The receiver saw none of it. */
    KT_EQ(kt_state(a) & 0xff, L4_TSTATE_RECEIVING);
    return 0;
}

static void blocked_forever(void)
{
    l4_msg_t m;
    l4_threadid_t f = L4_NILTHREAD;
    shared[2] = l4_receive(&f, &m, L4_TIMEOUT_NEVER);
    shared[3] = 1;
    kt_park();
}

static void late_partner(void)
{
    l4_msg_t m = { { 0xabc } };
    l4_send(kt_main, l4_msgtag(0, 1, 0), &m, L4_TIMEOUT_NEVER);
    kt_park();
}

static int other_sender_queued(void) { return (kt_state(kt_slot_id(2)) & 0xff) == L4_TSTATE_SENDING; }

/* main waits (infinite) for thread 1; thread 2 sends first and must not wake main. */
KTEST("ipc", "infinite_wait_is_woken_only_by_its_partner", ipc_infinite_partner_only)
{
    l4_threadid_t partner = kt_spawn(1, late_partner);
    KT_EQ(kt_set_prio(partner, KT_PRIO - 10), L4_OK);   /* runs only when main blocks */
    l4_threadid_t other = kt_spawn(2, sender_two);
    l4_thread_switch(other);
    KT_ASSERT(other_sender_queued());
    l4_msg_t m;
    l4_threadid_t src;
    uint64_t r = recv_from(partner, &m, L4_TIMEOUT_NEVER, &src);
    KT_EQ(l4_ipc_error(r), L4_OK);
    KT_EQ(src, partner);
    KT_EQ(m.w[0], 0xabc);
    KT_ASSERT(other_sender_queued());
    return 0;
}

KTEST("ipc", "ex_regs_cancel_aborts_a_blocked_receive", ipc_cancel)
{
    shared[2] = 0;
    shared[3] = 0;
    l4_threadid_t a = kt_spawn(1, blocked_forever);
    l4_thread_switch(a);
    KT_EQ(kt_state(a) & 0xff, L4_TSTATE_RECEIVING);
    struct l4_exregs x = { .control = 1 | L4_EXREGS_CANCEL };
    KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
    l4_thread_switch(a);
    KT_EQ(shared[3], 1);
    KT_EQ(l4_ipc_error(shared[2]), L4_ERR_CANCELLED);
    KT_ASSERT(l4_ipc_failed_in_receive(shared[2]));
    return 0;
}

KTEST("ipc", "relative_receive_timeout_never_wakes_early", ipc_relative_timeout)
{
    l4_msg_t m;
    const uint64_t us = 3000;
    uint64_t t0 = rt_rdtsc();
    uint64_t r = recv_from(L4_NILTHREAD, &m, l4_timeout_from_us(us), 0);
    uint64_t elapsed = rt_rdtsc() - t0;
    KT_EQ(l4_ipc_error(r), L4_ERR_TIMEOUT);
    KT_ASSERT(l4_ipc_failed_in_receive(r));
    KT_ASSERT(elapsed >= us * (rt_kip->tsc_hz / 1000000));
    return 0;
}

/* Under -icount (exact guest time) the wake-up must also come within one tick. */
KTEST("timing", "relative_timeout_wakes_within_one_tick", timing_relative_timeout)
{
    l4_msg_t m;
    const uint64_t tick = rt_kip->tsc_hz / rt_kip->timer_hz;
    for (uint64_t us = 1500; us <= 20000; us += 3700) {
        uint64_t t0 = rt_rdtsc();
        uint64_t r = recv_from(L4_NILTHREAD, &m, l4_timeout_from_us(us), 0);
        uint64_t elapsed = rt_rdtsc() - t0, want = us * (rt_kip->tsc_hz / 1000000);
        KT_EQ(l4_ipc_error(r), L4_ERR_TIMEOUT);
        KT_ASSERT(elapsed >= want);
        if (elapsed > want + tick + tick / 10)
            KT_FAIL("woke %lu cycles after a %lu-cycle deadline (tick %lu)", elapsed - want, want, tick);
    }
    return 0;
}

/* ---- message area (UTCB): messages longer than the registers ---- */

static void long_echo_server(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    uint64_t r = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;) {
        unsigned u = l4_msgtag_u(l4_ipc_tag(r));
        for (unsigned i = 8; i < u; i++)
            l4_utcb()->mr[i] += 1000;
        r = l4_reply_wait(&from, l4_msgtag(0, u, 0), &m, L4_TIMEOUT_NEVER);
    }
}

KTEST("ipc", "sixty_four_word_messages_travel_through_the_utcb", ipc_long_msg)
{
    l4_threadid_t srv = kt_spawn(1, long_echo_server);
    struct l4_utcb *me = l4_utcb();
    for (unsigned i = 8; i < L4_MSG_MAX_WORDS; i++)
        me->mr[i] = i * 3;
    l4_msg_t m = { { 1, 2, 3, 4, 5, 6, 7, 8 } };
    uint64_t r = l4_call(srv, l4_msgtag(0, L4_MSG_MAX_WORDS, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    KT_EQ(l4_ipc_error(r), L4_OK);
    KT_EQ(l4_msgtag_u(l4_ipc_tag(r)), L4_MSG_MAX_WORDS);
    KT_EQ(m.w[7], 8);
    for (unsigned i = 8; i < L4_MSG_MAX_WORDS; i++)
        KT_EQ(me->mr[i], i * 3 + 1000);
    KT_EQ(l4_ipc_error(l4_send(srv, l4_msgtag(0, L4_MSG_MAX_WORDS + 1, 0), &m, L4_TIMEOUT_NEVER)),
          L4_ERR_MSG_TOO_LONG);
    return 0;
}

static void limited_receiver(void)
{
    l4_utcb()->rcv_max_words = 10;
    l4_threadid_t f = L4_NILTHREAD;
    l4_msg_t m;
    uint64_t r = l4_receive(&f, &m, L4_TIMEOUT_NEVER);
    shared[4] = l4_msgtag_u(l4_ipc_tag(r));
    shared[5] = l4_utcb()->mr[9];
    kt_park();
}

KTEST("ipc", "a_message_longer_than_the_receiver_accepts_is_refused", ipc_rcv_limit)
{
    shared[4] = shared[5] = 0;
    l4_threadid_t t = kt_spawn(1, limited_receiver);
    l4_thread_switch(t);
    KT_EQ(kt_state(t) & 0xff, L4_TSTATE_RECEIVING);
    l4_msg_t m = { { 0 } };
    l4_utcb()->mr[9] = 0x99;
    uint64_t r = l4_send(t, l4_msgtag(0, 11, 0), &m, L4_TIMEOUT_NEVER);
    KT_EQ(l4_ipc_error(r), L4_ERR_MSG_TOO_LONG);
    KT_ASSERT(!l4_ipc_failed_in_receive(r));
    KT_EQ(kt_state(t) & 0xff, L4_TSTATE_RECEIVING);       /* undisturbed */
    KT_EQ(l4_ipc_error(l4_send(t, l4_msgtag(0, 10, 0), &m, L4_TIMEOUT_NEVER)), L4_OK);
    l4_thread_switch(t);
    KT_EQ(shared[4], 10);
    KT_EQ(shared[5], 0x99);
    return 0;
}

static void long_sender(void)
{
    l4_msg_t m = { { 0 } };
    shared[6] = l4_send(kt_main, l4_msgtag(0, 20, 0), &m, L4_TIMEOUT_NEVER);
    kt_park();
}

KTEST("ipc", "a_queued_message_too_long_fails_for_its_sender_only", ipc_queued_too_long)
{
    shared[6] = ~0ULL;
    l4_threadid_t t = kt_spawn(1, long_sender);
    l4_thread_switch(t);
    KT_EQ(kt_state(t) & 0xff, L4_TSTATE_SENDING);
    l4_utcb()->rcv_max_words = 10;
    l4_msg_t m;
    l4_threadid_t f = L4_NILTHREAD;
    uint64_t r = l4_receive(&f, &m, L4_TIMEOUT_ZERO);
    l4_utcb()->rcv_max_words = 0;
    KT_EQ(l4_ipc_error(r), L4_ERR_TIMEOUT);                /* nothing acceptable waited */
    l4_thread_switch(t);
    KT_EQ(l4_ipc_error(shared[6]), L4_ERR_MSG_TOO_LONG);
    KT_ASSERT(!l4_ipc_failed_in_receive(shared[6]));
    return 0;
}

static void report_utcb(void)
{
    shared[7] = (uint64_t)l4_utcb();
    kt_park();
}

KTEST("ipc", "each_thread_finds_its_own_utcb_through_gs", ipc_utcb_gs)
{
    KT_EQ((uint64_t)l4_utcb(), l4_utcb_addr(0));
    shared[7] = 0;
    l4_threadid_t t = kt_spawn(3, report_utcb);
    l4_thread_switch(t);
    KT_EQ(shared[7], l4_utcb_addr(3));
    KT_EQ(l4_utcb()->self, l4_utcb_addr(0));
    return 0;
}
