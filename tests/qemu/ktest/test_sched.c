/* test_sched.c — round robin by the timer, yield, donation, priorities, thread_schedule. */
#include "ktest.h"

static volatile uint64_t count[4];
static volatile uint64_t ticks_seen;

static void spinner_b(void)
{
    for (;;)
        count[2]++;
}

/* Spins without a system call; only a timer tick can let spinner_b run. When both have
 * made progress, tells main. */
static void spinner_a(void)
{
    uint64_t t0 = rt_kip->ticks;
    while (count[2] < 1000000 || count[1] < 1000000)
        count[1]++;
    ticks_seen = rt_kip->ticks - t0;
    l4_msg_t m = { { 1 } };
    l4_send(kt_main, l4_msgtag(0, 1, 0), &m, L4_TIMEOUT_NEVER);
    kt_park();
}

KTEST("sched", "equal_priority_spinners_share_the_cpu_by_timer_ticks", sched_round_robin)
{
    count[1] = count[2] = 0;
    l4_threadid_t a = kt_spawn(1, spinner_a);
    kt_spawn(2, spinner_b);
    l4_msg_t m;
    l4_threadid_t f = a;
    uint64_t r = l4_receive(&f, &m, L4_TIMEOUT_NEVER);
    KT_EQ(l4_ipc_error(r), L4_OK);
    KT_ASSERT(count[1] >= 1000000 && count[2] >= 1000000);
    KT_ASSERT(ticks_seen >= 1);        /* a tick passed while they spun: the tick switched */
    return 0;
}

static void yielder(void)
{
    unsigned me = l4_tid_lthread(l4_myself());
    for (int i = 0; i < 100; i++) {
        count[me]++;
        l4_thread_switch(L4_NILTHREAD);
    }
    kt_park();
}

static int yielders_done(void) { return count[1] == 100 && count[2] == 100; }

KTEST("sched", "yield_alternates_equal_priority_threads", sched_yield_alternates)
{
    count[1] = count[2] = 0;
    kt_spawn(1, yielder);
    kt_spawn(2, yielder);
    /* main at a lower priority: it runs only when both have finished or blocked */
    KT_EQ(kt_set_prio(kt_main, KT_PRIO - 1), L4_OK);
    KT_ASSERT(kt_wait_until(yielders_done, 1000));
    return 0;
}

static void mark_and_park(void)
{
    count[3] = 1;
    kt_park();
}

KTEST("sched", "switch_to_a_named_thread_runs_it_next", sched_donate)
{
    count[3] = 0;
    l4_threadid_t t = kt_spawn(1, mark_and_park);
    KT_EQ(l4_thread_switch(t), L4_OK);
    KT_EQ(count[3], 1);
    /* Donating to a thread that cannot run is a plain yield, not an error. */
    KT_EQ(l4_thread_switch(t), L4_OK);
    KT_EQ(l4_thread_switch(l4_tid_make(500, 3, 9)), L4_OK);
    return 0;
}

static void high_prio_receiver(void)
{
    l4_msg_t m;
    l4_threadid_t f = L4_NILTHREAD;
    l4_receive(&f, &m, L4_TIMEOUT_NEVER);
    count[3] = m.w[0];
    kt_park();
}

KTEST("sched", "a_woken_higher_priority_thread_preempts_the_sender", sched_preempt)
{
    count[3] = 0;
    l4_threadid_t t = kt_spawn(1, high_prio_receiver);
    l4_thread_switch(t);
    KT_EQ(kt_state(t) & 0xff, L4_TSTATE_RECEIVING);
    KT_EQ(kt_set_prio(t, 200), L4_OK);
    l4_msg_t m = { { 42 } };
    KT_EQ(l4_ipc_error(l4_send(t, l4_msgtag(0, 1, 0), &m, L4_TIMEOUT_NEVER)), L4_OK);
    KT_EQ(count[3], 42);                /* it ran before our send even returned */
    return 0;
}

static void lower_prio_marker(void)
{
    count[3] = 7;
    kt_park();
}

KTEST("sched", "a_lower_priority_thread_waits_for_the_cpu", sched_lower_waits)
{
    count[3] = 0;
    l4_threadid_t t = kt_spawn(1, lower_prio_marker);
    KT_EQ(kt_set_prio(t, 50), L4_OK);
    for (int i = 0; i < 10; i++)
        l4_thread_switch(L4_NILTHREAD);
    KT_EQ(count[3], 0);                 /* never ran while we stayed ready */
    l4_msg_t m;
    l4_threadid_t f = L4_NILTHREAD;
    l4_receive(&f, &m, l4_timeout_from_us(2000));     /* now we block: it runs */
    KT_EQ(count[3], 7);
    return 0;
}

static void spin_count(void)
{
    for (;;)
        count[1]++;
}

KTEST("sched", "thread_schedule_reads_and_sets_parameters", sched_params)
{
    l4_threadid_t t = kt_spawn(1, spin_count);
    struct l4_sched s = { .thread = t, .set = L4_SCHED_SET_PRIO | L4_SCHED_SET_SLICE,
                          .prio = 90, .slice_us = 3000 };
    KT_EQ(l4_thread_schedule(&s), L4_OK);
    KT_EQ(s.prio, KT_PRIO);                     /* old values come back */
    KT_EQ(s.slice_us, 10000);
    s = (struct l4_sched){ .thread = t };
    KT_EQ(l4_thread_schedule(&s), L4_OK);
    KT_EQ(s.prio, 90);
    KT_EQ(s.slice_us, 3000);
    KT_EQ(s.state & 0xff, L4_TSTATE_READY);
    l4_msg_t m;
    l4_threadid_t f = L4_NILTHREAD;
    l4_receive(&f, &m, l4_timeout_from_us(5000));     /* let it run */
    s = (struct l4_sched){ .thread = t };
    KT_EQ(l4_thread_schedule(&s), L4_OK);
    KT_ASSERT(s.consumed_us > 0);
    return 0;
}

KTEST("sched", "thread_schedule_refuses_bad_arguments", sched_refuse)
{
    l4_threadid_t t = kt_spawn(1, spin_count);
    struct l4_sched s = { .thread = t, .set = L4_SCHED_SET_PRIO, .prio = 256 };
    KT_EQ(l4_thread_schedule(&s), L4_ERR_INVALID);
    s = (struct l4_sched){ .thread = t, .set = L4_SCHED_SET_SLICE, .slice_us = 0 };
    KT_EQ(l4_thread_schedule(&s), L4_ERR_INVALID);
    s = (struct l4_sched){ .thread = t, .set = L4_SCHED_SET_SLICE, .slice_us = 2000000 };
    KT_EQ(l4_thread_schedule(&s), L4_ERR_INVALID);
    s = (struct l4_sched){ .thread = t, .set = 0x80 };
    KT_EQ(l4_thread_schedule(&s), L4_ERR_INVALID);
    s = (struct l4_sched){ .thread = l4_tid_make(300, 1, 1) };
    KT_EQ(l4_thread_schedule(&s), L4_ERR_NO_PARTNER);
    s = (struct l4_sched){ .thread = t };
    KT_EQ(l4_thread_schedule(&s), L4_OK);
    KT_EQ(s.prio, KT_PRIO);                     /* nothing changed */
    return 0;
}

static void receiver_from_main(void)
{
    l4_msg_t m;
    l4_threadid_t f = kt_main;
    l4_receive(&f, &m, L4_TIMEOUT_NEVER);
    kt_park();
}

KTEST("sched", "thread_schedule_reports_ipc_state_and_partner", sched_state)
{
    l4_threadid_t t = kt_spawn(1, receiver_from_main);
    l4_thread_switch(t);
    struct l4_sched s = { .thread = t };
    KT_EQ(l4_thread_schedule(&s), L4_OK);
    KT_EQ(s.state & 0xff, L4_TSTATE_RECEIVING);
    KT_EQ(s.partner, kt_main);
    return 0;
}
