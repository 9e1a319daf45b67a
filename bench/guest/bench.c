/*
 * bench.c — the guest side of ./ellfour bench, booted as the root task under
 * -icount shift=0,sleep=off, where a TSC delta is an exact count of guest instructions.
 * Each operation is timed one iteration at a time; the cost of the two rdtsc reads
 * themselves (measured the same way) is subtracted. Prints one line per operation:
 *   BENCH <name> <median> <p90> <iterations>
 * and ends with "BENCH-DONE" and the success exit code. The address-space operations are
 * in space.c.
 */
#include "bench.h"
#include <l4/kdebug.h>

uint64_t samples[MAX_ITERS];
unsigned iters = 10000;
uint64_t overhead;
static char server_stack[16384] __attribute__((aligned(16)));

static void shell_sort(uint64_t *a, unsigned n)
{
    static const unsigned gaps[] = { 1750, 701, 301, 132, 57, 23, 10, 4, 1 };
    for (unsigned g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++)
        for (unsigned i = gaps[g]; i < n; i++) {
            uint64_t v = a[i];
            unsigned j = i;
            for (; j >= gaps[g] && a[j - gaps[g]] > v; j -= gaps[g])
                a[j] = a[j - gaps[g]];
            a[j] = v;
        }
}

void report(const char *name)
{
    shell_sort(samples, iters);
    printf("BENCH %s %lu %lu %u\n", name, samples[iters / 2], samples[iters * 9 / 10], iters);
}

static void echo_server(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;)
        l4_reply_wait(&from, l4_msgtag(0, 2, 0), &m, L4_TIMEOUT_NEVER);
}

static void measure_overhead(void)
{
    overhead = 0;
    for (unsigned i = 0; i < iters; i++) {
        uint64_t t0 = rt_rdtsc();
        samples[i] = rt_rdtsc() - t0;
    }
    shell_sort(samples, iters);
    overhead = samples[iters / 2];
}

int main(void)
{
    char v[16];
    if (!rt_cmdline_get("iters", v, sizeof(v))) {
        iters = 0;
        for (char *p = v; *p >= '0' && *p <= '9'; p++)
            iters = iters * 10 + (unsigned)(*p - '0');
        if (iters < 10 || iters > MAX_ITERS)
            iters = 10000;
    }
    measure_overhead();
    printf("BENCH-INFO rdtsc_overhead %lu tsc_hz %lu\n", overhead, rt_kip->tsc_hz);

    MEASURE("syscall_id_nearest", l4_id_nearest(L4_NILTHREAD, 0, 0));

    l4_threadid_t srv = rt_thread_start(1, echo_server, server_stack, sizeof(server_stack), 0);
    l4_msg_t m = { { 1, 2 } };
    MEASURE("ipc_call_intra_task", l4_call(srv, l4_msgtag(0, 2, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER));

    l4_threadid_t peer = rt_kip->boot_tasks[0];
    if (!l4_tid_is_nil(peer))
        MEASURE("ipc_call_inter_task", l4_call(peer, l4_msgtag(0, 2, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER));
    else
        printf("BENCH-INFO ipc_call_inter_task skipped: no second task (boot with tasks=bench_peer)\n");
    bench_space(peer);

    printf("BENCH-DONE\n");
    l4_kdb_exit(0x10);
    return 0;
}
