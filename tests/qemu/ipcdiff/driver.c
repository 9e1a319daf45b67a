/*
 * driver.c — the rounds of the differential IPC fuzz. A round hands one to three commands
 * to free workers, waits until every thread below the driver has blocked (a call to the
 * quiet detector, which only then runs), and collects, worker by worker in a fixed order,
 * the reports that have arrived; workers whose commands still block are recorded as
 * pending, and each worker's state and IPC partner (thread_schedule) is folded too. Every
 * report and record goes into the seed's transcript hash. A drain (when few workers are
 * free, now and then, and to end a seed) cancels every worker, so all report (a worker
 * stopped in a foreign call is restarted by its cancel). A foreign call, or an answer to
 * one, may first swap two workers' priorities and end its round (outrank).
 */
#include "driver.h"
#include <l4/fault.h>

struct worker workers[IPCDIFF_WORKERS];
static l4_threadid_t quiet, agents[IPCDIFF_TASKS - 1];
static uint64_t hash, ops, cur_seed;
static int stuck;

static char quiet_stack[IPCDIFF_STACK] __attribute__((aligned(16)));

/* Answers the driver's call once nothing above it is ready. */
static void quiet_loop(void)
{
    l4_threadid_t from = ipcdiff_driver;
    l4_msg_t m;
    l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;)
        l4_call(ipcdiff_driver, l4_msgtag(IPCDIFF_LABEL_QUIET, 0, 0), &m, L4_TIMEOUT_NEVER,
                L4_TIMEOUT_NEVER);
}

static void wait_quiet(void)
{
    l4_msg_t m = { { 0 } };
    uint64_t res = l4_call(quiet, l4_msgtag(IPCDIFF_LABEL_QUIET, 0, 0), &m, L4_TIMEOUT_NEVER,
                           L4_TIMEOUT_NEVER);
    if (l4_ipc_error(res) || l4_msgtag_label(l4_ipc_tag(res)) != IPCDIFF_LABEL_QUIET) {
        printf("IPCDIFF-ERROR seed=%lu: the quiet detector answered %lx\n", cur_seed, res);
        stuck = 1;
    }
}

/* One record of the transcript: its kind, the worker and n words. */
static void fold_record(const char *kind, unsigned w, const uint64_t *v, unsigned n)
{
    hash = ipcdiff_fold(hash, (uint64_t)kind[0] << 8 | w);
    for (unsigned i = 0; i < n; i++)
        hash = ipcdiff_fold(hash, v[i]);
    if (!opt.verbose)
        return;
    printf("IPCDIFF-OP seed=%lu n=%lu %s w%u", cur_seed, ops, kind, w);
    for (unsigned i = 0; i < n; i++)
        printf(" %lx", v[i]);
    printf("\n");
}

/* The register words a report may fold: all eight if nothing was received (they must be
 * unchanged) or with strict=1; else those of the message received (ipcdiff.h). */
static void mask_registers(const struct worker *wk, uint64_t *r)
{
    uint64_t res = r[R_RESULT];
    unsigned flags = l4_ipc_control_flags(wk->cmd[C_CONTROL]);
    if (opt.strict || wk->cmd[C_OP] != IPCDIFF_OP_IPC || l4_ipc_error(res) ||
        !(flags & L4_IPC_RECV) || res == 0)
        return;
    unsigned got = l4_msgtag_u(l4_ipc_tag(res)) + l4_msgtag_t_words(l4_ipc_tag(res));
    for (unsigned i = got; i < L4_MSG_REG_WORDS; i++)
        r[R_MR0 + i] = 0x6d61736b6564ULL;   /* "masked" */
}

/* An exception message (a foreign call's, fault.h) worker wk received as its handler:
 * whose call it was, so that gen.c builds full replies only from the caller's own set. */
static void note_exception(struct worker *wk, const uint64_t *r)
{
    l4_msgtag_t tag = l4_ipc_tag(r[R_RESULT]);
    if (wk->cmd[C_OP] != IPCDIFF_OP_IPC || l4_ipc_error(r[R_RESULT]) || !r[R_RESULT] ||
        !(l4_ipc_control_flags(wk->cmd[C_CONTROL]) & L4_IPC_RECV) ||
        l4_msgtag_label(tag) != L4_LABEL_EXCEPTION)
        return;
    wk->exc_u = l4_msgtag_u(tag);
    wk->exc_stamp = 0;
    for (unsigned x = 0; x < IPCDIFF_WORKERS; x++)
        if (workers[x].id == r[R_PARTNER] && workers[x].busy &&
            workers[x].cmd[C_OP] == IPCDIFF_OP_FOREIGN)
            wk->exc_stamp = workers[x].cmd[C_STAMP];
}

/* Worker w's report, just received (res, m and the UTCB): folded with its command. */
static void take_report(unsigned w, uint64_t res, const l4_msg_t *m)
{
    struct worker *wk = &workers[w];
    uint64_t r[R_WORDS];
    memcpy(r, m->w, sizeof(m->w));
    memcpy(&r[8], &l4_utcb()->mr[8], (R_WORDS - 8) * sizeof(uint64_t));
    if (l4_ipc_error(res) || l4_msgtag_label(l4_ipc_tag(res)) != IPCDIFF_LABEL_REPORT ||
        l4_msgtag_u(l4_ipc_tag(res)) != R_WORDS || r[R_STAMP] != wk->cmd[C_STAMP]) {
        printf("IPCDIFF-ERROR seed=%lu: worker %u's report: result %lx, stamp %lu for %lu\n",
               cur_seed, w, res, r[R_STAMP], wk->cmd[C_STAMP]);
        stuck = 1;
    }
    note_exception(wk, r);
    mask_registers(wk, r);
    fold_record("cmd", w, wk->cmd, C_WORDS);
    fold_record("rep", w, r, R_WORDS);
    wk->busy = 0;
    ops++;
}

/* Takes the reports that have arrived, in worker order; then every worker's state. */
static void collect(void)
{
    for (unsigned w = 0; w < IPCDIFF_WORKERS; w++) {
        if (!workers[w].busy)
            continue;
        l4_threadid_t from = workers[w].id;
        l4_msg_t m;
        uint64_t res = l4_receive(&from, &m, L4_TIMEOUT_ZERO);
        if (l4_ipc_error(res) == L4_ERR_TIMEOUT)
            fold_record("pending", w, &workers[w].cmd[C_STAMP], 1);
        else
            take_report(w, res, &m);
    }
    for (unsigned w = 0; w < IPCDIFF_WORKERS; w++) {
        struct l4_sched q = { .thread = workers[w].id };
        uint64_t v[3] = { l4_thread_schedule(&q), q.state, q.partner };
        fold_record("state", w, v, 3);
        workers[w].fresh = 0;
        workers[w].kstate = q.state & 0xff;
        workers[w].kpartner = q.partner;
    }
}

static void send_command(unsigned w)
{
    l4_msg_t m;
    memcpy(m.w, workers[w].cmd, sizeof(m.w));
    uint64_t res = l4_send(workers[w].id, l4_msgtag(IPCDIFF_LABEL_CMD, C_WORDS, 0), &m,
                           L4_TIMEOUT_NEVER);
    if (l4_ipc_error(res)) {
        printf("IPCDIFF-ERROR seed=%lu: command to worker %u: result %lx\n", cur_seed, w, res);
        stuck = 1;
    }
    workers[w].busy = 1;
    workers[w].fresh = 1;
}

static unsigned free_workers(unsigned *list)
{
    unsigned n = 0;
    for (unsigned w = 0; w < IPCDIFF_WORKERS; w++)
        if (!workers[w].busy)
            list[n++] = w;
    return n;
}

static void set_worker_prio(unsigned w, unsigned prio)
{
    struct l4_sched q = { .thread = workers[w].id, .set = L4_SCHED_SET_PRIO, .prio = prio };
    uint64_t v[2] = { l4_thread_schedule(&q), prio };
    workers[w].prio = prio;
    fold_record("prio", w, v, 2);
}

/* The fastpath takes a foreign call, or an answer to one, only if the partner is at least
 * as urgent as every thread ready, the running one included (fastpath.c, sched.c): with
 * fixed priorities a call and its short reply would take it together only if caller and
 * handler were equally urgent, which workers never are. So the driver may make the
 * partner the more urgent first (and end the round with that command). */
static void outrank(unsigned w, l4_threadid_t partner)
{
    for (unsigned x = 0; x < IPCDIFF_WORKERS; x++)
        if (workers[x].id == partner && x != w && workers[x].prio < workers[w].prio) {
            unsigned p = workers[x].prio;
            set_worker_prio(x, workers[w].prio);
            set_worker_prio(w, p);
        }
}

/* One round: up to three commands (one if timed), quiet, collect. */
static void run_round(uint64_t *s, uint64_t *stamp)
{
    unsigned list[IPCDIFF_WORKERS], n = free_workers(list);
    int timed = rng_below(s, 100) < 6;
    unsigned k = timed ? 1 : 1 + (unsigned)rng_below(s, 3), timed_w = 0;
    for (unsigned j = 0; j < k && n; j++) {
        unsigned i = (unsigned)rng_below(s, n), w = list[i];
        list[i] = list[--n];
        if (gen_command(s, w, ++*stamp, timed, workers[w].cmd) && rng_below(s, 4)) {
            outrank(w, workers[w].cmd[C_PARTNER]);
            k = j == 0 ? 1 : k;
        }
        send_command(w);
        timed_w = w;
    }
    wait_quiet();
    if (timed && workers[timed_w].busy) {   /* it ends by itself: wait for it first */
        l4_threadid_t from = workers[timed_w].id;
        l4_msg_t m;
        take_report(timed_w, l4_receive(&from, &m, L4_TIMEOUT_NEVER), &m);
    }
    collect();
}

/* Cancels every worker: root's here, each peer's through its agent. */
static void drain(void)
{
    for (unsigned i = 0; i < IPCDIFF_PER_TASK; i++) {
        uint64_t out[11];
        ipcdiff_cancel(IPCDIFF_LT_WORKER0 + i, out);
        fold_record("drain", i, out, 11);
    }
    for (unsigned a = 0; a < IPCDIFF_TASKS - 1; a++) {
        l4_msg_t m = { { 0 } };
        uint64_t res = l4_call(agents[a], l4_msgtag(IPCDIFF_LABEL_CANCEL, 0, 0), &m,
                               L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
        m.w[7] = res;
        fold_record("drain", IPCDIFF_PER_TASK * (a + 1), m.w, 8);
    }
    wait_quiet();
    collect();
    for (unsigned w = 0; w < IPCDIFF_WORKERS; w++)
        if (workers[w].busy) {
            printf("IPCDIFF-ERROR seed=%lu: worker %u still blocked after its cancel "
                   "(command %lu)\n", cur_seed, w, workers[w].cmd[C_STAMP]);
            stuck = 1;
        }
}

/* The workers' priorities for this seed: a permutation of 100, 110, ..., 150. */
static void set_priorities(uint64_t *s)
{
    unsigned p[IPCDIFF_WORKERS];
    for (unsigned i = 0; i < IPCDIFF_WORKERS; i++)
        p[i] = i;
    for (unsigned i = IPCDIFF_WORKERS - 1; i > 0; i--) {
        unsigned j = (unsigned)rng_below(s, i + 1), t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
    for (unsigned w = 0; w < IPCDIFF_WORKERS; w++)
        set_worker_prio(w, IPCDIFF_PRIO_WORKER + 10 * p[w]);
}

int driver_run_seed(uint64_t seed)
{
    uint64_t s = rng_seed(seed), stamp = 0;
    unsigned list[IPCDIFF_WORKERS];
    cur_seed = seed;
    hash = 0xcbf29ce484222325ULL;
    ops = 0;
    set_priorities(&s);
    while (ops < opt.ops && !stuck) {
        if (!free_workers(list) || rng_below(&s, 100) < 2)
            drain();
        else
            run_round(&s, &stamp);
    }
    drain();
    printf("IPCDIFF seed=%lu hash=%016lx ops=%lu\n", seed, hash, ops);
    return stuck ? -1 : 0;
}

static int set_prio(l4_threadid_t t, unsigned prio)
{
    struct l4_sched q = { .thread = t, .set = L4_SCHED_SET_PRIO, .prio = prio };
    return l4_tid_is_nil(t) || l4_thread_schedule(&q) ? -1 : 0;
}

/* Each worker's first report (stamp 0) says it waits for commands. */
static int hello(unsigned w)
{
    l4_threadid_t from = workers[w].id;
    l4_msg_t m;
    uint64_t res = l4_receive(&from, &m, l4_timeout_from_us(1000000));
    return l4_ipc_error(res) || m.w[R_STAMP] != 0 ? -1 : 0;
}

/* The peers' agents start their workers and answer their ids. */
static int setup_peer(unsigned a)
{
    agents[a] = rt_kip->boot_tasks[a];
    l4_msg_t m = { { 0 } };
    if (set_prio(agents[a], IPCDIFF_PRIO_AGENT + a) ||
        l4_ipc_error(l4_call(agents[a], l4_msgtag(IPCDIFF_LABEL_SETUP, 0, 0), &m,
                             l4_timeout_from_us(1000000), l4_timeout_from_us(1000000))))
        return -1;
    for (unsigned i = 0; i < IPCDIFF_PER_TASK; i++)
        workers[IPCDIFF_PER_TASK * (a + 1) + i].id = m.w[i];
    return 0;
}

int driver_setup(void)
{
    uint64_t err;
    l4_threadid_t ids[IPCDIFF_PER_TASK];
    ipcdiff_driver = l4_myself();
    quiet = rt_thread_start(IPCDIFF_LT_QUIET, quiet_loop, quiet_stack, sizeof(quiet_stack), &err);
    if (set_prio(ipcdiff_driver, IPCDIFF_PRIO_DRIVER) || set_prio(quiet, IPCDIFF_PRIO_QUIET)) {
        printf("IPCDIFF-ERROR: no quiet detector (error %lu)\n", err);
        return -1;
    }
    ipcdiff_start_workers(ids);
    for (unsigned i = 0; i < IPCDIFF_PER_TASK; i++)
        workers[i].id = ids[i];
    for (unsigned a = 0; a < IPCDIFF_TASKS - 1; a++)
        if (setup_peer(a)) {
            printf("IPCDIFF-ERROR: no peer task %u (boot with tasks=ipcdiff,ipcdiff)\n", a + 3);
            return -1;
        }
    for (unsigned w = 0; w < IPCDIFF_WORKERS; w++)
        if (set_prio(workers[w].id, IPCDIFF_PRIO_WORKER) || hello(w)) {
            printf("IPCDIFF-ERROR: worker %u (%lx) did not start\n", w, workers[w].id);
            return -1;
        }
    return 0;
}
