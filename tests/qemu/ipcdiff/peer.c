/*
 * peer.c — the agent of a peer task of the differential IPC fuzz (booted twice, as tasks
 * 3 and 4, with tasks=ipcdiff,ipcdiff). Its first message, from the driver, names the
 * driver: it starts this task's workers and answers their ids. After that it waits only
 * for the driver, whose LABEL_CANCEL it answers by cancelling both workers (only a thread
 * of their own task may), with lthread_ex_regs' rax and state word for each.
 */
#include "ipcdiff.h"

static void answer(uint64_t label, l4_msg_t *m)
{
    memset(m, 0, sizeof(*m));
    if (label == IPCDIFF_LABEL_SETUP) {
        ipcdiff_start_workers(m->w);
        return;
    }
    if (label != IPCDIFF_LABEL_CANCEL)
        return;
    for (unsigned i = 0; i < IPCDIFF_PER_TASK; i++) {
        uint64_t out[11];
        ipcdiff_cancel(IPCDIFF_LT_WORKER0 + i, out);
        m->w[2 * i] = out[0];
        m->w[2 * i + 1] = out[9];
    }
}

int main(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    uint64_t res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    ipcdiff_driver = from;
    for (;;) {
        answer(l4_ipc_error(res) ? 0 : l4_msgtag_label(l4_ipc_tag(res)), &m);
        struct l4_ipc_regs r = { ipcdiff_driver, l4_msgtag(IPCDIFF_LABEL_REPORT, 8, 0),
            l4_ipc_control(L4_IPC_SEND | L4_IPC_RECV, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER), m };
        res = l4_ipc(&r);
        m = r.msg;
    }
}
