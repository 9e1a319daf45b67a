/*
 * bench.c — the guest side of ./ellfour bench, booted as the root task under
 * -icount shift=0,sleep=off, where a TSC delta is an exact count of guest instructions.
 * The measuring loop and statistics are bench/common/measure.h, shared with the Linux
 * side (bench/linux/init.c). Prints one line per operation:
 *   BENCH <name> <median> <p90> <iterations>
 * and ends with "BENCH-DONE" and the success exit code. The address-space operations are
 * in space.c.
 */
#include "bench.h"
#include "../common/sse.h"
#include <l4/kdebug.h>

static char server_stack[16384] __attribute__((aligned(16)));
static char zero_page[4096] __attribute__((aligned(4096)));

static void echo_server(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;)
        l4_reply_wait(&from, l4_msgtag(0, 2, 0), &m, L4_TIMEOUT_NEVER);
}

/*
 * ipc_cross_clan: a member of this task's clan calls the peer, which is outside the clan;
 * the kernel redirects the call to this task's first thread (the member's chief), which
 * answers in the peer's name with a deceiving reply-and-wait (l4/clan.h). Two IPCs, as in
 * ipc_call_inter_task, the same-clan round trip. The chief is also the member's pager
 * (this image, 1:1), and the member times itself into the shared samples.
 */
static char member_stack[16384] __attribute__((aligned(16)));
static l4_threadid_t clan_peer, clan_chief;

static void clan_member(void)
{
    l4_msg_t m = { { 1, 2 } };
    unsigned warm = iters / 10;
    for (unsigned i = 0; i < warm + iters; i++) {
        uint64_t t0 = rt_rdtsc();
        l4_call(clan_peer, l4_msgtag(0, 2, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
        uint64_t d = rt_rdtsc() - t0;
        if (i >= warm)
            samples[i - warm] = d > overhead ? d - overhead : 0;
    }
    for (;;)
        l4_send(clan_chief, l4_msgtag(0, 0, 0), &m, L4_TIMEOUT_NEVER);   /* done */
}

/* One answer of the chief: in the peer's name to a redirected call, a 1:1 page to a fault. */
static unsigned chief_answer(uint64_t res, l4_threadid_t intended, l4_msg_t *m)
{
    if (res & L4_RES_REDIRECTED) {
        l4_utcb()->virtual_sender = intended;
        return L4_IPC_DECEIT;
    }
    uint64_t addr = m->w[0] & ~0xfffULL;
    m->w[0] = l4_fpage(addr, 12, L4_FPAGE_RWX);
    m->w[1] = addr;
    return 0;
}

static void bench_cross_clan(l4_threadid_t peer)
{
    l4_threadid_t member, intended = L4_NILTHREAD;
    clan_peer = peer;
    clan_chief = l4_myself();
    uint64_t sp = (uint64_t)member_stack + sizeof(member_stack) - 8;
    if (l4_task_new(L4_TASK_ANY, (uint64_t)clan_member, sp, clan_chief, 255, L4_NILTHREAD, &member)) {
        printf("BENCH-INFO ipc_cross_clan skipped: task_new failed\n");
        return;
    }
    struct l4_ipc_regs r = { L4_NILTHREAD, 0, l4_ipc_control(L4_IPC_RECV | L4_IPC_OPEN, 0, L4_TIMEOUT_NEVER), {{0}} };
    uint64_t res = l4_ipc_chief(&r, &intended);
    while ((res & L4_RES_REDIRECTED) || (l4_msgtag_label(l4_ipc_tag(res)) & ~7u) == L4_LABEL_PAGEFAULT) {
        unsigned deceit = chief_answer(res, intended, &r.msg);
        r.tag = deceit ? l4_msgtag(0, 2, 0) : l4_msgtag(0, 0, 2);
        r.control = l4_ipc_control(L4_IPC_SEND | L4_IPC_RECV | L4_IPC_OPEN | deceit,
                                   L4_TIMEOUT_ZERO, L4_TIMEOUT_NEVER);
        res = l4_ipc_chief(&r, &intended);
    }
    report("ipc_cross_clan");
    l4_task_delete(l4_tid_task(member));
}

/*
 * ipc_call_inter_task_sse: ipc_call_inter_task with live XMM state on both sides
 * (bench/common/sse.h): the caller holds a value in an XMM register across each call and
 * checks it after, the peer keeps its sums in one across its reply-and-wait. A lost round
 * (either value changed: the kernel did not save or restore the state) fails the run.
 */
static struct bench_sse sse;

static void sse_call(l4_threadid_t peer)
{
    l4_msg_t m = { { 0 } };
    bench_v2di held = bench_sse_begin(&sse, m.w);
    BENCH_SSE_HOLD(held);
    l4_call(peer, l4_msgtag(BENCH_LABEL_SSE, 2, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    BENCH_SSE_HOLD(held);
    bench_sse_end(&sse, held, m.w);
}

static int bench_sse_call(l4_threadid_t peer)
{
    MEASURE("ipc_call_inter_task_sse", sse_call(peer));
    if (!sse.lost)
        return 0;
    printf("BENCH-ERROR ipc_call_inter_task_sse: XMM state lost in %lu of %lu rounds\n",
           sse.lost, sse.round);
    return -1;
}

int main(void)
{
    char v[16];
    if (!rt_cmdline_get("iters", v, sizeof(v)))
        iters = bench_parse_iters(v, 10000);
    measure_overhead();
    printf("BENCH-INFO rdtsc_overhead %lu tsc_hz %lu\n", overhead, rt_kip->tsc_hz);

    MEASURE("syscall_id_nearest", l4_id_nearest(L4_NILTHREAD, 0, 0));
    MEASURE("zero_page_4k", bench_zero_page(zero_page));

    l4_threadid_t srv = rt_thread_start(1, echo_server, server_stack, sizeof(server_stack), 0);
    l4_msg_t m = { { 1, 2 } };
    MEASURE("ipc_call_intra_task", l4_call(srv, l4_msgtag(0, 2, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER));

    l4_threadid_t peer = rt_kip->boot_tasks[0];
    if (!l4_tid_is_nil(peer))
        MEASURE("ipc_call_inter_task", l4_call(peer, l4_msgtag(0, 2, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER));
    else
        printf("BENCH-INFO ipc_call_inter_task skipped: no second task (boot with tasks=bench_peer)\n");
    if (!l4_tid_is_nil(peer))
        bench_cross_clan(peer);
    bench_space(peer);
    /* Last: after it the peer's XMM state is never initial again. */
    int lost = !l4_tid_is_nil(peer) && bench_sse_call(peer);

    printf("BENCH-DONE\n");
    l4_kdb_exit(lost ? 0x11 : 0x10);
    return 0;
}
