/*
 * root.c — the fuzz test's root task. A heartbeat thread above the fuzzer's MCP ticks
 * every millisecond; main starts the fuzz task's supervisor and then insists on a report
 * every few seconds of guest time, each with the heartbeat advanced since the last one.
 * Two tests: the CPU probes (the supervisor's one LABEL_CPU verdict: every probe with its
 * expected outcome, no broken invariant, no hang, the kernel pool back), and the system
 * calls (the fuzzer has made the calls it asked for, with no wrong result seen).
 */
#include "fuzz.h"
#include <l4/irq.h>

#define REPORT_TIMEOUT_US 5000000u
#define PRINT_EVERY       20000u

static volatile uint64_t beats;
static uint64_t cpu[FUZZ_C_WORDS];
static int cpu_seen;
static char heartbeat_stack[16384];

/* Anything that ends the wait (a timeout, a stray message from a fuzz worker) is a beat:
 * what counts is that this thread keeps getting the CPU. */
static void heartbeat(void)
{
    for (;;) {
        l4_threadid_t from = L4_NILTHREAD;
        l4_msg_t m;
        l4_receive(&from, &m, l4_timeout_from_us(1000));
        beats++;
    }
}

static int start_heartbeat(void)
{
    uint64_t err;
    l4_threadid_t t = rt_thread_start(1, heartbeat, heartbeat_stack, sizeof(heartbeat_stack), &err);
    struct l4_sched p = { .thread = t, .set = L4_SCHED_SET_PRIO, .prio = FUZZ_HEARTBEAT_PRIO };
    return l4_tid_is_nil(t) || l4_thread_schedule(&p) ? -1 : 0;
}

static uint64_t read_target(void)
{
    char v[24];
    uint64_t n = 0;
    if (rt_cmdline_get("calls", v, sizeof(v)))
        return FUZZ_DEFAULT_CALLS;
    for (const char *p = v; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (uint64_t)(*p - '0');
    return n ? n : FUZZ_DEFAULT_CALLS;
}

/* The fuzz task's cleanup must return every kernel page its workers' calls took. */
static int kpool_check(const uint64_t *r)
{
    printf("fuzz: kernel pool: %lu free pages before the workers, %lu after cleanup "
           "(%lu of %lu, %lu refusals)\n", r[FUZZ_R_KPOOL_START], r[FUZZ_R_KPOOL_END],
           rt_kip->kpool_free, rt_kip->kpool_total, rt_kip->kpool_failures);
    return r[FUZZ_R_KPOOL_START] != r[FUZZ_R_KPOOL_END];
}

/* Receives reports until the last one (0 if the pool check passed) or something is wrong (1). */
static int watch(l4_threadid_t sup, uint64_t *r)
{
    uint64_t last_beats = beats, next_print = PRINT_EVERY;
    for (;;) {
        l4_threadid_t from = sup;
        l4_msg_t m;
        uint64_t res = l4_receive(&from, &m, l4_timeout_from_us(REPORT_TIMEOUT_US));
        if (l4_ipc_error(res)) {
            printf("fuzz: no report within %u s (ipc error %u) after %lu calls\n",
                   REPORT_TIMEOUT_US / 1000000, l4_ipc_error(res), r[FUZZ_R_CALLS]);
            return 1;
        }
        if (l4_msgtag_label(l4_ipc_tag(res)) == FUZZ_LABEL_CPU) {
            memcpy(cpu, m.w, sizeof(cpu));
            cpu_seen = 1;
            continue;
        }
        memcpy(r, m.w, FUZZ_R_WORDS * sizeof(uint64_t));
        if (beats == last_beats) {
            printf("fuzz: missed heartbeat: still %lu at %lu calls\n", beats, r[FUZZ_R_CALLS]);
            return 1;
        }
        last_beats = beats;
        if (r[FUZZ_R_CALLS] >= next_print) {
            printf("fuzz: %lu calls, %lu restarts, %lu cancels, %lu beats\n", r[FUZZ_R_CALLS],
                   r[FUZZ_R_RESTARTS], r[FUZZ_R_CANCELS], beats);
            next_print += PRINT_EVERY;
        }
        if (r[FUZZ_R_VIOLATIONS])
            return 1;
        if (r[FUZZ_R_DONE])
            return kpool_check(r);
    }
}

static int run(void)
{
    uint64_t target = read_target(), r[FUZZ_R_WORDS] = { 0 };
    l4_threadid_t sup = rt_kip->boot_tasks[0];
    if (l4_tid_is_nil(sup) || start_heartbeat()) {
        printf("fuzz: no fuzz task (boot with tasks=fuzz@50) or no heartbeat\n");
        return 1;
    }
    /* Root holds every port and line (there is no sigma0 here): the fuzz task gets one of
     * each, so its workers can attach, detach and use them, not only be refused. */
    l4_msg_t m = { { target, l4_iofpage(0x80, 0), 0, l4_irqfpage(FUZZ_IRQ_LINE), 0 } };
    uint64_t t0 = rt_kip->ticks;
    if (l4_ipc_error(l4_send(sup, l4_msgtag(FUZZ_LABEL_START, 1, 4), &m, l4_timeout_from_us(1000000)))) {
        printf("fuzz: the supervisor %lx took no start message\n", sup);
        return 1;
    }
    int bad = watch(sup, r);
    uint64_t ms = rt_kip->ticks - t0;
    printf("fuzz: seed 0x%lx: %lu calls in %lu ms of guest time (%lu calls/s), %lu restarts, "
           "%lu cancels, %lu wrong results, %lu heartbeats\n", r[FUZZ_R_SEED], r[FUZZ_R_CALLS],
           ms, ms ? r[FUZZ_R_CALLS] * 1000 / ms : 0, r[FUZZ_R_RESTARTS], r[FUZZ_R_CANCELS],
           r[FUZZ_R_VIOLATIONS], beats);
    return bad;
}

/* The CPU probes' verdict (fuzz.h, FUZZ_C_*): 0 if they passed. */
static int cpu_verdict(void)
{
    if (!cpu_seen) {
        printf("fuzz: cpu: no verdict from the supervisor\n");
        return 1;
    }
    printf("fuzz: cpu: %lu of %lu probes judged, %lu wrong, %lu hangs, %lu broken invariants "
           "in %lu audits; kernel pool %lu free pages before, %lu after\n", cpu[FUZZ_C_JUDGED],
           cpu[FUZZ_C_EXPECTED], cpu[FUZZ_C_WRONG], cpu[FUZZ_C_HANGS], cpu[FUZZ_C_BROKEN],
           cpu[FUZZ_C_AUDITS], cpu[FUZZ_C_KPOOL_START], cpu[FUZZ_C_KPOOL_END]);
    return cpu[FUZZ_C_JUDGED] != cpu[FUZZ_C_EXPECTED] || cpu[FUZZ_C_WRONG] || cpu[FUZZ_C_HANGS] ||
           cpu[FUZZ_C_BROKEN] || cpu[FUZZ_C_KPOOL_START] != cpu[FUZZ_C_KPOOL_END];
}

int main(void)
{
    int bad = run(), cpu_bad = cpu_verdict();
    /* Each line starts with a newline: a fuzz worker's stray PUTC may precede it. */
    printf("\n%s 1 - fuzz.cpu_probes_expected_vectors_and_cross_task_invariants\n",
           cpu_bad ? "not ok" : "ok");
    printf("\n%s 2 - fuzz.hostile_task_100k_calls_with_live_heartbeat\n", bad ? "not ok" : "ok");
    printf("\nELLFOUR-KTEST-DONE tests=2 failed=%u\n", bad + cpu_bad);
    l4_kdb_exit(bad || cpu_bad ? 0x11 : 0x10);
    return 0;
}
