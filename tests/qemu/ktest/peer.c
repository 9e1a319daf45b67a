/*
 * peer.c — a second task for the in-guest tests, booted with "tasks=ktest_peer@50": it
 * waits for root's request, tries what a task with MCP 50 may and may not do, and replies
 * with what the kernel answered. (It has no test framework of its own: root judges.)
 */
#include <native/rt.h>
#include <l4/kdebug.h>

static char stack[8192] __attribute__((aligned(16)));

static void idle_thread(void)
{
    for (;;)
        l4_thread_switch(L4_NILTHREAD);
}

static uint64_t set_prio(l4_threadid_t t, unsigned prio)
{
    struct l4_sched s = { .thread = t, .set = L4_SCHED_SET_PRIO, .prio = prio };
    return l4_thread_schedule(&s);
}

int main(void)
{
    l4_threadid_t root = L4_NILTHREAD;
    l4_msg_t m;
    l4_receive(&root, &m, L4_TIMEOUT_NEVER);
    struct l4_sched me = { .thread = l4_myself() };
    l4_thread_schedule(&me);
    l4_threadid_t helper = rt_thread_start(1, idle_thread, stack, sizeof(stack), 0);
    m.w[0] = me.prio;                              /* started at min(default, MCP) */
    m.w[1] = set_prio(l4_myself(), 51);            /* above MCP: refused */
    m.w[2] = set_prio(l4_myself(), 50);            /* at MCP: allowed */
    m.w[3] = set_prio(helper, 60);                 /* above MCP for another thread */
    m.w[4] = set_prio(root, 10);                   /* root runs above our MCP */
    m.w[5] = set_prio(helper, 20);
    l4_kdb_exit(0x11);                             /* refused: only root may end the run */
    m.w[6] = 0x600d;
    l4_send(root, l4_msgtag(0, 7, 0), &m, L4_TIMEOUT_NEVER);
    for (;;)
        l4_receive(&root, &m, L4_TIMEOUT_NEVER);
}
