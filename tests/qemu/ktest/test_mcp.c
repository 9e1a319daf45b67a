/* test_mcp.c — maximum controlled priority, seen from a task booted with MCP 50. */
#include "ktest.h"

KTEST("mcp", "a_task_cannot_raise_any_priority_above_its_mcp", mcp_limits)
{
    l4_threadid_t peer = rt_kip->boot_tasks[0];
    KT_ASSERT(!l4_tid_is_nil(peer));
    l4_msg_t m = { { 0 } };
    KT_EQ(l4_ipc_error(l4_send(peer, l4_msgtag(0, 1, 0), &m, L4_TIMEOUT_NEVER)), L4_OK);
    l4_threadid_t from = peer;
    KT_EQ(l4_ipc_error(l4_receive(&from, &m, l4_timeout_from_us(1000000))), L4_OK);
    KT_EQ(m.w[0], 50);
    KT_EQ(m.w[1], L4_ERR_PERMISSION);
    KT_EQ(m.w[2], L4_OK);
    KT_EQ(m.w[3], L4_ERR_PERMISSION);
    KT_EQ(m.w[4], L4_ERR_PERMISSION);
    KT_EQ(m.w[5], L4_OK);
    KT_EQ(m.w[6], 0x600d);                      /* its kdebug exit was refused */
    struct l4_sched s = { .thread = kt_main };
    KT_EQ(l4_thread_schedule(&s), L4_OK);
    KT_EQ(s.prio, KT_PRIO);                     /* root untouched */
    return 0;
}
