/* peer.c — the second task of ./ellfour bench: answers every call at once. Its receive
 * window takes the one-page map items of map_unmap_page (bench/guest/space.c). A call
 * labelled BENCH_LABEL_SSE (ipc_call_inter_task_sse) is answered with the sums of its two
 * words so far, kept in an XMM register across every wait (bench/common/sse.h). */
#include "bench.h"
#include "../common/sse.h"

#define PEER_WINDOW 0x40000000ULL

int main(void)
{
    l4_utcb()->rcv_window = l4_fpage(PEER_WINDOW, 12, 0);
    bench_v2di acc = { 0, 0 };
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    uint64_t res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;) {
        if (l4_msgtag_label(l4_ipc_tag(res)) == BENCH_LABEL_SSE)
            acc = bench_sse_add(acc, m.w);
        BENCH_SSE_HOLD(acc);
        res = l4_reply_wait(&from, l4_msgtag(0, 2, 0), &m, L4_TIMEOUT_NEVER);
        BENCH_SSE_HOLD(acc);
    }
}
