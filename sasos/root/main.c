/*
 * root/main.c — the root task, part 1: the first user program. Until sigma0 and task
 * creation exist (the address-space issue), it shows the kernel working: it reads the
 * kernel info page, starts a second thread and exchanges messages with it.
 */
#include <native/rt.h>
#include <l4/kdebug.h>

#define LABEL_ECHO 0x45434830u   /* "ECH0" */

static char server_stack[16384];

/* Answers each message with its words incremented by one. */
static void echo_server(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    uint64_t res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;) {
        if (l4_ipc_error(res)) {
            from = L4_NILTHREAD;
            res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
            continue;
        }
        unsigned u = l4_msgtag_u(l4_ipc_tag(res));
        for (unsigned i = 0; i < u; i++)
            m.w[i]++;
        res = l4_reply_wait(&from, l4_msgtag(LABEL_ECHO, u, 0), &m, L4_TIMEOUT_NEVER);
    }
}

static void show_kip(void)
{
    const volatile struct l4_kip *k = rt_kip;
    printf("root: kernel info page v%x: TSC %lu kHz, timer %lu Hz, boot time %lu\n",
           k->api_version, k->tsc_hz / 1000, k->timer_hz, k->boot_time);
    printf("root: kernel pool %lu of %lu pages free; boot archive %lu bytes\n",
           k->kpool_free, k->kpool_total, k->boot_archive_size);
}

/* Under test (a "suite=" on the command line) the demo reports in the runner's format
 * and ends the run: success only if every reply was right. */
static void finish_if_tested(unsigned bad)
{
    char suite[16];
    if (rt_cmdline_get("suite", suite, sizeof(suite)))
        return;
    printf("%s 1 - root.echo_demo\n", bad ? "not ok" : "ok");
    printf("ELLFOUR-KTEST-DONE tests=1 failed=%u\n", bad ? 1 : 0);
    l4_kdb_exit(bad ? 0x11 : 0x10);
}

int main(void)
{
    printf("root: hello from the root task, thread %lx\n", l4_myself());
    show_kip();
    uint64_t err;
    l4_threadid_t server = rt_thread_start(1, echo_server, server_stack, sizeof(server_stack), &err);
    if (l4_tid_is_nil(server)) {
        printf("root: cannot start the echo thread (error %lu)\n", err);
        return 1;
    }
    unsigned bad = 0;
    for (unsigned i = 1; i <= 3; i++) {
        l4_msg_t m = { { i, i * 10, i * 100 } };
        uint64_t res = l4_call(server, l4_msgtag(LABEL_ECHO, 3, 0), &m, L4_TIMEOUT_NEVER,
                               L4_TIMEOUT_NEVER);
        bad += l4_ipc_error(res) || m.w[0] != i + 1 || m.w[1] != i * 10 + 1 || m.w[2] != i * 100 + 1;
        printf("root: call %u -> error %u, reply (%lu, %lu, %lu) from %lx\n", i,
               l4_ipc_error(res), m.w[0], m.w[1], m.w[2], server);
    }
    uint64_t t0 = rt_rdtsc();
    for (unsigned i = 0; i < 1000; i++) {
        l4_msg_t m = { { i } };
        l4_call(server, l4_msgtag(LABEL_ECHO, 1, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    }
    printf("root: 1000 round trips, %lu TSC cycles each on average\n", (rt_rdtsc() - t0) / 1000);
    finish_if_tested(bad);
    printf("root: done; the system idles (quit QEMU with Ctrl-A X)\n");
    l4_threadid_t none = l4_myself();     /* wait for a message from ourselves: forever */
    l4_msg_t m;
    for (;;) {
        none = L4_NILTHREAD;
        l4_receive(&none, &m, L4_TIMEOUT_NEVER);
    }
}
