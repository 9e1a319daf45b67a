/*
 * runner.c — the test root task's main: selects tests by the "suite=" command-line value
 * ("all", or a comma-separated list), runs each, halts its helper threads, reports.
 */
#include "ktest.h"

#define EXIT_PASS 0x10
#define EXIT_FAIL 0x11

extern const struct ktest __start_ktests[], __stop_ktests[];
l4_threadid_t kt_main;
static char stacks[KT_SLOTS + 1][16384] __attribute__((aligned(16)));
static l4_threadid_t slot_ids[KT_SLOTS + 1];

l4_threadid_t kt_slot_id(unsigned slot) { return slot_ids[slot]; }

l4_threadid_t kt_spawn(unsigned slot, void (*fn)(void))
{
    struct l4_exregs x = {
        .control = slot | L4_EXREGS_SET_IP | L4_EXREGS_SET_SP | L4_EXREGS_CANCEL,
        .ip = (uint64_t)fn,
        .sp = (uint64_t)stacks[slot] + sizeof(stacks[slot]) - 8,
    };
    if (slot == 0 || slot > KT_SLOTS || l4_lthread_ex_regs(&x))
        return L4_NILTHREAD;
    /* The UTCB outlives a restart: clear what an earlier test may have left there. */
    ((struct l4_utcb *)l4_utcb_addr(slot))->rcv_max_words = 0;
    slot_ids[slot] = x.control;
    kt_set_prio(x.control, KT_PRIO);
    return x.control;
}

void kt_halt_all(void)
{
    for (unsigned s = 1; s <= KT_SLOTS; s++) {
        struct l4_exregs x = { .control = s | L4_EXREGS_HALT };
        l4_lthread_ex_regs(&x);
    }
}

volatile uint64_t kt_survived;

int kt_expect_stop(void (*fn)(void), unsigned vector, uint64_t fault_addr)
{
    kt_survived = 0;
    l4_threadid_t t = kt_spawn(1, fn);
    for (int i = 0; i < 3; i++)
        l4_thread_switch(t);
    if (kt_expect_stopped(1, vector, fault_addr))
        return 1;
    KT_EQ(kt_survived, 0);
    return 0;
}

int kt_expect_stopped(unsigned slot, unsigned vector, uint64_t fault_addr)
{
    struct l4_exregs x = { .control = slot };
    KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
    KT_EQ(x.state & 0xff, L4_TSTATE_STOPPED);
    KT_ASSERT(x.state & L4_STATE_FAULTED);
    KT_EQ((x.state >> 8) & 0xff, vector);
    if (fault_addr)
        KT_EQ(x.fault_addr, fault_addr);
    return 0;
}

void kt_main_handlers(unsigned slot)
{
    struct l4_exregs m = { .control = 0 };
    l4_lthread_ex_regs(&m);
    struct l4_exregs x = { .control = slot | L4_EXREGS_SET_PAGER | L4_EXREGS_SET_EXCH,
                           .pager = m.pager, .exc_handler = m.exc_handler };
    l4_lthread_ex_regs(&x);
}

uint64_t kt_state(l4_threadid_t t)
{
    struct l4_sched s = { .thread = t };
    return l4_thread_schedule(&s) ? 0 : s.state;
}

int kt_set_prio(l4_threadid_t t, unsigned prio)
{
    struct l4_sched s = { .thread = t, .set = L4_SCHED_SET_PRIO, .prio = prio };
    return (int)l4_thread_schedule(&s);
}

void kt_park(void)
{
    for (;;) {
        struct l4_exregs x = { .control = l4_tid_lthread(l4_myself()) | L4_EXREGS_HALT };
        l4_lthread_ex_regs(&x);
    }
}

int kt_wait_until(int (*cond)(void), uint64_t ticks)
{
    uint64_t end = rt_kip->ticks + ticks;
    while (!cond()) {
        if (rt_kip->ticks >= end)
            return 0;
        l4_thread_switch(L4_NILTHREAD);
    }
    return 1;
}

static int selected(const char *suite, const char *list)
{
    if (!strncmp(list, "all", 4))
        return 1;
    size_t n = strlen(suite);
    for (const char *p = list; *p;) {
        if (!strncmp(p, suite, n) && (p[n] == ',' || p[n] == 0))
            return 1;
        while (*p && *p != ',')
            p++;
        if (*p == ',')
            p++;
    }
    return 0;
}

int main(void)
{
    char list[128] = "all";
    rt_cmdline_get("suite", list, sizeof(list));
    kt_main = l4_myself();
    printf("ktest: suites '%s'\n", list);
    unsigned n = 0, failed = 0;
    for (const struct ktest *t = __start_ktests; t < __stop_ktests; t++) {
        if (!selected(t->suite, list))
            continue;
        n++;
        printf("Starting test %u: %s.%s\n", n, t->suite, t->name);
        int r = t->fn();
        kt_halt_all();
        kt_set_prio(kt_main, KT_PRIO);
        printf("%s %u - %s.%s\n", r ? "not ok" : "ok", n, t->suite, t->name);
        failed += r != 0;
    }
    printf("ELLFOUR-KTEST-DONE tests=%u failed=%u\n", n, failed);
    l4_kdb_exit(n > 0 && failed == 0 ? EXIT_PASS : EXIT_FAIL);
    return 0;
}
