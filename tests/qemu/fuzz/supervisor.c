/*
 * supervisor.c — the fuzz task's main thread (lthread 0, priority 50 = the task's MCP):
 * waits for root's start message, runs the CPU probes (cpu.c) and sends root their
 * verdict, starts the workers, then every couple of milliseconds restarts the ones that
 * stopped, cancels the ones stuck in IPC, and reports the counts to root. It is the only
 * thread here the workers leave alone (gen.c).
 */
#include "task.h"

#define SLEEP_US       2000u
#define STALL_ROUNDS   5u      /* ~10 ms without a new call: cancel it, restore its priority */

struct fuzz_worker fuzz_workers[FUZZ_WORKERS + 1];
l4_threadid_t fuzz_ids[FUZZ_WORKERS + 1];
volatile uint64_t fuzz_calls;
volatile uint64_t fuzz_violations;
struct fuzz_violation fuzz_first_violation;
volatile uint64_t fuzz_outcomes[L4_SYS_COUNT][L4_ERR__COUNT + 1];

static char stacks[FUZZ_WORKERS + 1][FUZZ_STACK] __attribute__((aligned(16)));
static uint64_t restarts, cancels;
static uint64_t seen_calls[FUZZ_WORKERS + 1];
static unsigned stalled[FUZZ_WORKERS + 1];
static uint64_t kpool_start, kpool_end;     /* free pool pages before the workers, at the end */
static int finished;

static uint64_t parse_u64(const char *p)
{
    uint64_t v = 0;
    unsigned base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        base = 16, p += 2;
    for (;; p++) {
        unsigned d = *p >= '0' && *p <= '9' ? (unsigned)(*p - '0')
                   : (*p | 0x20) >= 'a' && (*p | 0x20) <= 'f' ? (unsigned)((*p | 0x20) - 'a' + 10)
                   : 99;
        if (d >= base)
            return v;
        v = v * base + d;
    }
}

static uint64_t read_seed(void)
{
    char v[24];
    return rt_cmdline_get("seed", v, sizeof(v)) ? FUZZ_DEFAULT_SEED : parse_u64(v);
}

/* Root's start message names root (its sender) and the number of calls to make. */
static l4_threadid_t wait_start(uint64_t *target)
{
    /* The start message also carries port 0x80 and a line (I/O and interrupt items land
     * by their own numbers; any window consents). No memory item comes with it. */
    l4_utcb()->rcv_window = L4_FPAGE_WHOLE;
    for (;;) {
        l4_threadid_t from = L4_NILTHREAD;
        l4_msg_t m;
        uint64_t r = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
        if (!l4_ipc_error(r) && l4_msgtag_label(l4_ipc_tag(r)) == FUZZ_LABEL_START) {
            l4_utcb()->rcv_window = L4_FPAGE_NIL;
            *target = m.w[0];
            return from;
        }
    }
}

/* Every lthread a worker's ex_regs could create exists from the start, halted (and, if a
 * worker restarts it, stopped by the fault at address 0), so that the run's kernel
 * memory is only what the calls take and give back: the pool check at the end is exact. */
static void precreate_lthreads(void)
{
    for (unsigned lt = FUZZ_WORKERS + 1; lt < L4_THREADS_PER_TASK; lt++) {
        struct l4_exregs x = { .control = lt | L4_EXREGS_SET_IP | L4_EXREGS_SET_SP | L4_EXREGS_HALT };
        l4_lthread_ex_regs(&x);
    }
}

/* The end of the run: no thread but this one may call anything any more. */
static void halt_all(void)
{
    for (unsigned lt = 1; lt < L4_THREADS_PER_TASK; lt++) {
        struct l4_exregs x = { .control = lt | L4_EXREGS_HALT | L4_EXREGS_CANCEL };
        l4_lthread_ex_regs(&x);
    }
}

static void finish(void)
{
    halt_all();
    space_cleanup();
    kpool_end = rt_kip->kpool_free;
    finished = 1;
    printf("fuzz: cleanup done: kernel pool %lu free pages, was %lu; %lu refusals\n",
           kpool_end, kpool_start, rt_kip->kpool_failures);
}

/* Priority and slice as at the start: a sibling's thread_schedule may have changed them. */
static void worker_params(unsigned slot)
{
    struct l4_sched p = { .thread = fuzz_ids[slot], .set = L4_SCHED_SET_PRIO | L4_SCHED_SET_SLICE,
        .prio = FUZZ_WORKER_PRIO - (slot == FUZZ_WORKERS ? 10 : 0), .slice_us = 10000 };
    l4_thread_schedule(&p);
}

/* Creates or restarts a worker at its entry with a fresh stack and sane flags (DF, TF
 * and AC clear), cancelling whatever IPC it was in. */
static void worker_start(unsigned slot)
{
    struct l4_exregs x = { .control = slot | L4_EXREGS_SET_IP | L4_EXREGS_SET_SP |
                                      L4_EXREGS_SET_FLAGS | L4_EXREGS_CANCEL,
        .ip = (uint64_t)worker_entry, .sp = (uint64_t)stacks[slot] + FUZZ_STACK - 8 };
    uint64_t err = l4_lthread_ex_regs(&x);
    if (err) {
        printf("fuzz: cannot start worker %u: error %lu\n", slot, err);
        return;
    }
    fuzz_ids[slot] = x.control;
    worker_params(slot);
}

static void supervise(unsigned slot)
{
    struct l4_sched p = { .thread = fuzz_ids[slot] };
    if (l4_thread_schedule(&p))
        return;
    unsigned state = p.state & 0xff;
    if (state == L4_TSTATE_STOPPED) {
        worker_start(slot);
        restarts++;
        stalled[slot] = 0;
        return;
    }
    uint64_t c = fuzz_workers[slot].calls;
    if (c != seen_calls[slot]) {
        seen_calls[slot] = c;
        stalled[slot] = 0;
        return;
    }
    if (++stalled[slot] < STALL_ROUNDS)
        return;
    stalled[slot] = 0;
    if (state == L4_TSTATE_SENDING || state == L4_TSTATE_RECEIVING) {
        struct l4_exregs x = { .control = slot | L4_EXREGS_CANCEL };
        l4_lthread_ex_regs(&x);
        cancels++;
    }
    worker_params(slot);      /* ready but starved: a sibling may have lowered it */
}

static void print_violation(void)
{
    static int printed;
    const struct fuzz_violation *v = &fuzz_first_violation;
    if (printed || !fuzz_violations)
        return;
    printed = 1;
    printf("fuzz: ABI violation at call %lu: syscall %lx (%lx, %lx) returned %lx, want %lx\n",
           v->call, v->nr, v->arg0, v->arg1, v->got, v->want);
}

static void print_outcomes(void)
{
    static const char *const name[L4_SYS_COUNT] = { "ipc            ", "id_nearest     ",
        "fpage_unmap    ", "thread_switch  ", "thread_schedule", "lthread_ex_regs",
        "task_new       " };
    printf("fuzz: results per call, by error code 0..%u and out of range:\n", L4_ERR__COUNT - 1);
    for (unsigned n = 0; n < L4_SYS_COUNT; n++) {
        printf("fuzz:   %s", name[n]);
        for (unsigned e = 0; e <= L4_ERR__COUNT; e++)
            printf(" %6lu", fuzz_outcomes[n][e]);
        printf("\n");
    }
}

static void report(l4_threadid_t root, uint64_t seed)
{
    l4_msg_t m = { { fuzz_calls, restarts, cancels, fuzz_violations, seed, (uint64_t)finished,
                     kpool_start, kpool_end } };
    l4_send(root, l4_msgtag(FUZZ_LABEL_REPORT, FUZZ_R_WORDS, 0), &m, l4_timeout_from_us(100000));
}

/* A report to root if one is due: root wants one every few seconds, with its heartbeat
 * advanced, whatever the fuzz task is doing. */
static l4_threadid_t root_id;
static uint64_t run_seed, next_report;

static void report_if_due(void)
{
    if (rt_kip->ticks < next_report)
        return;
    report(root_id, run_seed);
    next_report = rt_kip->ticks + FUZZ_REPORT_TICKS;
}

/* The CPU probes (cpu.c) come first, while no worker runs: the workers delete tasks and
 * unmap pages of this image, which would pull the probes' children from under them. */
static void cpu_probes(void)
{
    char v[8];
    unsigned passes = rt_cmdline_get("cpu_passes", v, sizeof(v)) ? FUZZ_DEFAULT_CPU_PASSES
                                                                   : (unsigned)parse_u64(v);
    uint64_t r[FUZZ_C_WORDS] = { 0 };
    if (passes)
        cpu_phase(passes, report_if_due, r);
    l4_msg_t m;
    memcpy(m.w, r, sizeof(r));
    l4_send(root_id, l4_msgtag(FUZZ_LABEL_CPU, FUZZ_C_WORDS, 0), &m, l4_timeout_from_us(1000000));
}

int main(void)
{
    fuzz_ids[0] = l4_myself();
    uint64_t seed = read_seed(), target;
    printf("fuzz: supervisor %lx, seed 0x%lx (replay: append seed=0x%lx)\n", fuzz_ids[0], seed, seed);
    l4_threadid_t root = wait_start(&target);
    root_id = root;
    run_seed = seed;
    next_report = rt_kip->ticks + FUZZ_REPORT_TICKS;
    cpu_probes();
    printf("fuzz: started by %lx for %lu calls, %u workers\n", root, target, FUZZ_WORKERS);
    precreate_lthreads();
    for (unsigned slot = 1; slot <= FUZZ_WORKERS; slot++) {
        fuzz_workers[slot].rng = rng_seed(seed, slot);
        worker_start(slot);
    }
    kpool_start = rt_kip->kpool_free;   /* the workers have not run yet: we are above them */
    next_report = rt_kip->ticks + FUZZ_REPORT_TICKS;
    unsigned done = 0;
    for (;;) {
        l4_threadid_t from = L4_NILTHREAD;    /* open: a worker's message ends the nap early */
        l4_msg_t m;
        l4_receive(&from, &m, l4_timeout_from_us(SLEEP_US));
        for (unsigned slot = 1; slot <= FUZZ_WORKERS && !finished; slot++)
            supervise(slot);
        print_violation();
        if (rt_kip->ticks >= next_report) {
            if (fuzz_calls >= target && !done++) {
                finish();
                print_outcomes();       /* root ends the run on this report */
            }
            report(root, seed);
            next_report = rt_kip->ticks + FUZZ_REPORT_TICKS;
        }
    }
}
