/*
 * cpu.c — the CPU half of the hostile suite, supervisor side (the design is in cpu.h).
 * The supervisor creates the victim task, then per pass a prober task, and is pager and
 * exception handler of both. For the prober it records each exception (vector, error
 * code, fault address, RIP) and resumes it at the probe's resume label; on each "done" it
 * judges the probe against its expected outcome and audits the victim. A probe that
 * neither faults nor finishes within HANG_TICKS, or faults again and again, is a hang:
 * it counts as wrong and the prober is replaced by a new one starting at the next probe.
 *
 * Returned to root (fuzz.h, FUZZ_C_*): probes judged and expected, wrong outcomes, broken
 * invariants, hangs, and the kernel pool's free pages before the children and after them.
 */
#include "task.h"
#include "cpu.h"
#include <l4/fault.h>
#include <l4/layout.h>
#include <l4/thread.h>
#include <l4/utcb.h>

_Static_assert(L4_SYS_THREAD_SWITCH == 0x4c340003, "probes.S and victim.S write it as a number");
_Static_assert(L4_KIP_ADDR == 0x7ffffff00000ULL, "probes.S writes it as a number");
_Static_assert(L4_UTCB_BASE == 0x7fffff000000ULL, "probes.S and victim.S write it as a number");
_Static_assert(__builtin_offsetof(struct cpu_shared, spinner) == 8, "probes.S reads cpu_shared+8");

#define CHILD_PRIO     40u      /* the prober and the spinner: they take turns */
#define AUDITOR_PRIO   45u      /* answers at once, below the supervisor (50) */
#define CHILD_SLICE_US 1000u
#define HANG_TICKS     500u     /* 0.5 s without an exception or "done" from the prober */
#define STORM          16u      /* exceptions for one probe: resuming it does not help */
#define STALL_AUDITS   32u      /* audits in a row without a spinner round */
#define MAX_PRINTS     40u      /* detail lines for wrong outcomes and broken invariants */

struct cpu_shared cpu_shared;
uint64_t cpu_forged_ldt[512] __attribute__((aligned(4096)));
uint64_t prober_fs_cell[2] __attribute__((aligned(16))) = { PROBER_FS_MAGIC, 0 };
uint64_t prober_gs_cell[2] __attribute__((aligned(16))) = { PROBER_GS_MAGIC, 0 };
static char prober_stack[16384] __attribute__((aligned(16)));
static char victim_stack[16384] __attribute__((aligned(16)));
extern char cpu_gate_target[];

/* The invariants: what the auditor checks, then what the spinner checks (by what it
 * found, VW_* of cpu.h), then the supervisor's own observations. */
enum broken { B_SILENT, B_WORDS, B_UTCB, B_BASES, B_OWNSEG, B_REGS, B_FPU, B_SEGREAD,
              B_SELECTORS, B_FAULT, B_STALL, B_REPLY, B__COUNT };
static const char *const broken_name[B__COUNT] = { "auditor silent", "ipc words",
    "utcb words", "ex_regs fs/gs base", "auditor %fs:0/%gs:0", "spinner gprs/flags",
    "spinner fpu/sse/avx", "spinner %fs:0/%gs:0", "spinner selectors", "victim faulted",
    "spinner stalled", "exception reply refused" };
static const char *const class_name[CPU_C_COUNT] = { "seg.ds   ", "seg.es   ", "seg.fs   ",
    "seg.gs   ", "seg.ss   ", "seg.misc ", "far.lcall", "far.ljmp ", "far.lret ", "iretq    ",
    "int.n    ", "trap     ", "entry    ", "priv     ", "io       ", "cr       ", "dr       ",
    "msr      ", "mem      ", "flags    ", "sse      ", "x87      ", "xsave    " };

/* What the handler saw for the probe being run (rbp: the stub's frame). */
struct outcome { unsigned count; uint64_t vector, error, addr, rip, rbp; };

static struct {
    l4_threadid_t prober, auditor, spinner;
    unsigned prober_task, victim_task;
    uint64_t cur, n, last_event, nonce, last_rounds, last_spin_bad;
    unsigned stalled;
    int ready, ended;
    struct outcome seen;
} run;

static struct {
    uint64_t ok[CPU_C_COUNT], variant[CPU_C_COUNT], wrong[CPU_C_COUNT];
    uint64_t vectors[34];       /* 0..31, 32 a foreign system call, 33 none */
    uint64_t judged, wrong_total, hangs, audits, rounds, broken[B__COUNT], broken_total;
    unsigned prints_wrong, prints_broken, prints_variant;
} st;

static struct { char vendor[13]; unsigned vendor_vector; int avx; } id;
static void (*report_tick)(void);

static const struct cpu_probe *probe(uint64_t i) { return &__start_cpu_probes[i]; }

static void cpuid(uint32_t leaf, uint32_t *r)
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

/* sysenter and sysexit in 64-bit mode are #GP(0) on Intel (SYSENTER_CS is 0 here) and #UD
 * on AMD; AVX decides whether the ymm probe may run and the victim keeps ymm values. */
static void identify(void)
{
    uint32_t r[4];
    cpuid(0, r);
    memcpy(id.vendor, &r[1], 4);
    memcpy(id.vendor + 4, &r[3], 4);
    memcpy(id.vendor + 8, &r[2], 4);
    id.vendor_vector = memcmp(id.vendor, "GenuineIntel", 12) ? 6 : 13;
    cpuid(1, r);
    if ((r[2] & (1u << 27)) && (r[2] & (1u << 28))) {
        uint32_t lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        id.avx = (lo & 6) == 6;
    }
}

/* What a task would put at address 0 for a live reset-state LDT (issue 16): index 0 a
 * DPL-3 data segment, 1..2 a 64-bit call gate into kernel code, 3 DPL-3 32-bit code, 4
 * DPL-3 64-bit code. The kernel's LDT is null, so no LDT selector may ever reach these. */
static void forge_ldt(void)
{
    uint64_t gate = (uint64_t)cpu_gate_target;
    memset(cpu_forged_ldt, 0, sizeof(cpu_forged_ldt));
    cpu_forged_ldt[0] = 0x00cff3000000ffffULL;     /* accessed already: the page is read-only */
    cpu_forged_ldt[1] = (gate & 0xffff) | 0x08ULL << 16 | 0xecULL << 40 | (gate >> 16 & 0xffff) << 48;
    cpu_forged_ldt[2] = gate >> 32;
    cpu_forged_ldt[3] = 0x00cffb000000ffffULL;
    cpu_forged_ldt[4] = 0x00affb000000ffffULL;
}

static void set_prio(l4_threadid_t t, unsigned prio)
{
    struct l4_sched p = { .thread = t, .set = L4_SCHED_SET_PRIO | L4_SCHED_SET_SLICE,
                          .prio = prio, .slice_us = CHILD_SLICE_US };
    l4_thread_schedule(&p);
}

/* What the spinner found changed (VW_* of cpu.h). */
static const char *spin_what(uint64_t w, char *buf)
{
    static const char *const gpr[15] = { "?", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
        "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
    static const char *const other[12] = { "mxcsr", "x87 control word", "x87 status word",
        "st(0)", "%fs:0", "%gs:0", "ds selector", "es selector", "fs selector", "gs selector",
        "rflags", "thread_switch's rax/rdi" };
    if (w < 15)
        return gpr[w];
    if (w >= VW_XMM && w < VW_XMM + 16)
        snprintf(buf, 24, "xmm%lu", w - VW_XMM);
    else if (w >= VW_YMM && w < VW_YMM + 16)
        snprintf(buf, 24, "ymm%lu upper half", w - VW_YMM);
    else
        return w >= VW_MXCSR && w <= VW_YIELD ? other[w - VW_MXCSR] : "?";
    return buf;
}

static void broken(enum broken kind, uint64_t a, uint64_t b)
{
    char buf[24];
    st.broken[kind]++;
    st.broken_total++;
    if (st.prints_broken++ >= MAX_PRINTS)
        return;
    printf("fuzz: cpu: BROKEN INVARIANT after probe %lu (%s, arg %lx): %s: ", run.cur,
           run.cur < run.n ? probe(run.cur)->name : "-", run.cur < run.n ? probe(run.cur)->arg : 0,
           broken_name[kind]);
    if (kind >= B_REGS && kind <= B_SELECTORS)
        printf("the spinner's %s is %lx\n", spin_what(a, buf), b);
    else
        printf("%lx, %lx\n", a, b);
}

/* Pager of both children while they fault in the image (and the prober's page 0). */
static void serve_fault(l4_threadid_t from, uint64_t addr)
{
    uint64_t page = addr & ~0xfffULL, frame = page;
    unsigned rights = L4_FPAGE_RWX;
    if (page == 0 && l4_tid_task(from) == run.prober_task) {
        frame = (uint64_t)cpu_forged_ldt;
        rights = L4_FPAGE_R;
    } else if (!cpu_image_page(page)) {
        printf("fuzz: cpu: page fault of %lx at %lx outside the image: no answer\n", from, addr);
        return;
    }
    l4_msg_t m = { { l4_fpage(frame, 12, rights), page } };
    l4_send(from, l4_msgtag(0, 0, 2), &m, l4_timeout_from_us(10000));
}

/* The reply sets every register; FS and GS bases alternate between the victim spinner's
 * own values (a kernel caching "the base loaded last" must still reload) and others. */
static void exc_reply(l4_threadid_t to, uint64_t *w)
{
    int alt = run.cur & 1;
    w[L4_EXC_FS] = alt ? (uint64_t)prober_fs_cell : (uint64_t)victim_fs_cell;
    w[L4_EXC_GS] = alt ? (uint64_t)prober_gs_cell : L4_UTCB_BASE;
    w[L4_EXC_RFLAGS] &= ~0x40500ULL;                  /* TF, DF, AC: the probe's, not ours */
    for (unsigned i = L4_MSG_REG_WORDS; i < L4_EXC_WORDS; i++)
        l4_utcb()->mr[i] = w[i];
    l4_msg_t m;
    memcpy(m.w, w, sizeof(m.w));
    uint64_t r = l4_send(to, l4_msgtag(0, L4_EXC_WORDS, 0), &m, l4_timeout_from_us(10000));
    if (l4_ipc_error(r))
        broken(B_REPLY, l4_ipc_error(r), w[L4_EXC_RIP]);
}

static unsigned expected_vector(const struct cpu_probe *p)
{
    if (p->vector == CPU_V_VENDOR)
        return id.vendor_vector;
    if (p->vector == CPU_V_AVX)
        return id.avx ? CPU_V_NONE : 6;
    return p->vector;
}

static int matches(const struct cpu_probe *p, const struct outcome *o)
{
    unsigned want = expected_vector(p);
    if (want == CPU_V_NONE)
        return o->count == 0;
    if (o->count != 1 || o->vector != want)
        return 0;
    if (p->error != CPU_E_ANY && o->error != p->error)
        return 0;
    if (!(p->flags & CPU_F_ANYRIP) && (o->rip < p->insn || o->rip > p->resume))
        return 0;
    return !(p->flags & CPU_F_ADDR) || o->addr == p->arg;
}

/* The emulator's outcome for the probes with a CPU_F_Q* flag (cpu.h). */
static int emulator_variant(const struct cpu_probe *p, const struct outcome *o)
{
    if ((p->flags & CPU_F_QSMAP) && o->count == 1 && o->vector == 14 && (o->error & 5) == 1 &&
        o->addr < o->rbp && o->addr >= o->rbp - 64)
        return 1;
    if ((p->flags & CPU_F_QIDT) && o->count == 1 && o->vector == 13 &&
        o->error == p->arg * 16 + 2)
        return 1;
    if ((p->flags & CPU_F_QUD) && o->count == 1 && o->vector == 6)
        return 1;
    if ((p->flags & CPU_F_QGP) && o->count == 1 && o->vector == 13 && o->error == 0)
        return 1;
    return (p->flags & (CPU_F_QNONE | CPU_F_QX87)) && o->count == 0;
}

static const char *vector_text(uint64_t v, char *buf)
{
    if (v == CPU_V_NONE)
        return "no exception";
    if (v == CPU_V_SYSCALL)
        return "a foreign syscall";
    snprintf(buf, 24, "vector %lu", v);
    return buf;
}

static void print_wrong(uint64_t i, const struct cpu_probe *p, const struct outcome *o)
{
    char a[24], b[24];
    printf("fuzz: cpu: WRONG probe %lu %s (arg %lx): want %s error %x%s; got %s error %lx "
           "address %lx rip %lx (%u exceptions; insn at %lx, resume at %lx)\n", i, p->name,
           p->arg, vector_text(expected_vector(p), a), p->error,
           p->flags & CPU_F_ADDR ? " at the argument" : "",
           vector_text(o->count ? o->vector : CPU_V_NONE, b), o->error, o->addr, o->rip,
           o->count, p->insn, p->resume);
}

static void judge(uint64_t i)
{
    const struct cpu_probe *p = probe(i);
    const struct outcome *o = &run.seen;
    st.judged++;
    st.vectors[!o->count ? 33 : o->vector < 32 ? o->vector : 32]++;
    if (matches(p, o)) {
        st.ok[p->cls]++;
        return;
    }
    if (emulator_variant(p, o)) {
        st.variant[p->cls]++;
        if (st.prints_variant++ < 8)
            printf("fuzz: cpu: probe %lu %s (arg %lx): the emulator's known variant (vector "
                   "%lx error %lx address %lx)\n", i, p->name, p->arg,
                   o->count ? o->vector : CPU_V_NONE, o->error, o->addr);
        return;
    }
    st.wrong[p->cls]++;
    st.wrong_total++;
    if (st.prints_wrong++ < MAX_PRINTS)
        print_wrong(i, p, o);
}

/* Which invariant the spinner's latest finding (VW_* of cpu.h) belongs to. */
static enum broken spin_kind(uint64_t what)
{
    if (what >= VW_XMM && what <= VW_ST0)
        return B_FPU;
    if (what == VW_FS0 || what == VW_GS0)
        return B_SEGREAD;
    if (what >= VW_SEL && what < VW_SEL + 4)
        return B_SELECTORS;
    return B_REGS;
}

/* The auditor's verdict bits, each a broken invariant; the spinner's when it has found
 * something new since the last audit (its count is cumulative, its what/value the latest). */
static void audit_verdict(const l4_msg_t *m, uint64_t nonce)
{
    static const unsigned bit_kind[4] = { B_WORDS, B_UTCB, B_BASES, B_OWNSEG };
    if (m->w[5] != nonce)
        broken(B_WORDS, m->w[5], nonce);
    for (unsigned b = 0; b < 4; b++)
        if (m->w[0] & (1u << b))
            broken(bit_kind[b], m->w[6], m->w[7]);
    if (m->w[2] != run.last_spin_bad) {
        broken(spin_kind(m->w[3]), m->w[3], m->w[4]);     /* what (VW_*), the value seen */
        run.last_spin_bad = m->w[2];
    }
    if (m->w[1] != run.last_rounds)
        run.stalled = 0;
    else if (++run.stalled == STALL_AUDITS)
        broken(B_STALL, m->w[1], run.stalled);
    run.last_rounds = st.rounds = m->w[1];
}

static void audit(void)
{
    uint64_t nonce = ++run.nonce * 0x100000001ULL;
    l4_msg_t m = { { nonce } };
    for (unsigned i = 1; i < 8; i++)
        m.w[i] = cpu_audit_word(nonce, i);
    st.audits++;
    uint64_t r = l4_call(run.auditor, l4_msgtag(CPU_LABEL_AUDIT, 8, 0), &m,
                         l4_timeout_from_us(100000), l4_timeout_from_us(100000));
    if (l4_ipc_error(r))
        broken(B_SILENT, l4_ipc_error(r), 0);
    else
        audit_verdict(&m, nonce);
}

static int prober_start(uint64_t first)
{
    l4_threadid_t t = L4_NILTHREAD;
    cpu_shared.first_probe = first;
    uint64_t sp = (uint64_t)prober_stack + sizeof(prober_stack) - 8;
    uint64_t e = l4_task_new(L4_TASK_ANY, (uint64_t)prober_entry, sp, fuzz_ids[0], CHILD_PRIO,
                             fuzz_ids[0], &t);
    if (e) {
        printf("fuzz: cpu: cannot create the prober: error %lu\n", e);
        return -1;
    }
    set_prio(t, CHILD_PRIO);
    run.prober = t;
    run.prober_task = l4_tid_task(t);
    run.ready = run.ended = 0;
    run.last_event = rt_kip->ticks;
    memset(&run.seen, 0, sizeof(run.seen));
    return 0;
}

/* The probe neither faulted nor finished, or kept faulting: it is wrong, and a new
 * prober carries on after it. A prober that never got ready ends the pass. */
static void hang(const char *why)
{
    struct l4_sched s = { .thread = run.prober };
    l4_thread_schedule(&s);
    st.hangs++;
    printf("fuzz: cpu: HANG at probe %lu (%s, arg %lx): %s; prober state %lx\n", run.cur,
           run.cur < run.n ? probe(run.cur)->name : "-", run.cur < run.n ? probe(run.cur)->arg : 0,
           why, s.state);
    l4_task_delete(run.prober_task);
    if (!run.ready || run.cur >= run.n) {
        run.ended = 1;
        return;
    }
    st.judged++;
    st.wrong[probe(run.cur)->cls]++;
    st.wrong_total++;
    if (run.cur + 1 >= run.n || prober_start(run.cur + 1))
        run.ended = 1;
}

static void on_done(l4_threadid_t from, uint64_t *w)
{
    uint64_t idx = w[L4_EXC_RDI];
    if (idx == CPU_END) {
        run.ended = 1;                      /* no reply: the task is deleted */
        return;
    }
    if (idx == CPU_READY) {
        run.ready = 1;
        run.cur = cpu_shared.first_probe;
    } else {
        if (idx != run.cur)
            printf("fuzz: cpu: the prober says it ran probe %lu, expected %lu\n", idx, run.cur);
        judge(run.cur);
        audit();
        run.cur = idx + 1;
    }
    memset(&run.seen, 0, sizeof(run.seen));
    exc_reply(from, w);
}

static void on_exception(l4_threadid_t from, uint64_t *w)
{
    if (w[L4_EXC_VECTOR] == L4_EXC_SYSCALL && w[L4_EXC_ADDR] == CPU_DONE_NR) {
        on_done(from, w);
        return;
    }
    struct outcome *o = &run.seen;
    if (o->count++ == 0)
        *o = (struct outcome){ 1, w[L4_EXC_VECTOR], w[L4_EXC_ERROR], w[L4_EXC_ADDR],
                               w[L4_EXC_RIP], w[L4_EXC_RBP] };
    if (!run.ready || run.cur >= run.n || o->count > STORM) {
        hang(run.ready ? "an exception storm" : "an exception before it was ready");
        return;
    }
    w[L4_EXC_RIP] = probe(run.cur)->resume;
    w[L4_EXC_RSP] = w[L4_EXC_RBP];
    exc_reply(from, w);
}

/* Anything the victim sends after READY is trouble: a fault or an exception of a thread
 * that only checks its own registers. It gets no answer. */
static void victim_trouble(uint32_t label, const l4_msg_t *m)
{
    broken(B_FAULT, label, m->w[0]);
    if (st.prints_broken <= MAX_PRINTS)
        printf("fuzz: cpu: victim message label %x: %lx %lx %lx %lx (vector, error, address, rip)\n",
               label, m->w[0], m->w[1], m->w[2], m->w[3]);
}

static void dispatch(l4_threadid_t from, uint64_t res, const l4_msg_t *m)
{
    uint32_t label = l4_msgtag_label(l4_ipc_tag(res));
    if (l4_tid_task(from) == run.victim_task) {
        victim_trouble(label, m);
        return;
    }
    if (l4_tid_task(from) != run.prober_task)
        return;
    run.last_event = rt_kip->ticks;
    if ((label & ~7u) == L4_LABEL_PAGEFAULT && !run.ready) {
        serve_fault(from, m->w[0]);
        return;
    }
    if (label == L4_LABEL_EXCEPTION && l4_msgtag_u(l4_ipc_tag(res)) == L4_EXS_WORDS) {
        /* a foreign call's short message: every probe is judged on the full set, which
         * comes as the next message */
        l4_msg_t none = { { 0 } };
        uint64_t r = l4_send(from, l4_msgtag(L4_LABEL_EXC_FULL, 0, 0), &none,
                             l4_timeout_from_us(10000));
        if (l4_ipc_error(r))
            broken(B_REPLY, l4_ipc_error(r), m->w[L4_EXS_RIP]);
        return;
    }
    if (label != L4_LABEL_EXCEPTION || l4_msgtag_u(l4_ipc_tag(res)) != L4_EXC_WORDS) {
        printf("fuzz: cpu: unexpected message label %x from the prober\n", label);
        return;
    }
    uint64_t w[L4_EXC_WORDS];
    memcpy(w, m->w, sizeof(m->w));
    for (unsigned i = L4_MSG_REG_WORDS; i < L4_EXC_WORDS; i++)
        w[i] = l4_utcb()->mr[i];
    on_exception(from, w);
}

static void run_pass(void)
{
    if (prober_start(0))
        return;
    while (!run.ended) {
        report_tick();
        l4_threadid_t from = L4_NILTHREAD;
        l4_msg_t m;
        uint64_t r = l4_receive(&from, &m, l4_timeout_from_us(2000));
        if (!l4_ipc_error(r))
            dispatch(from, r, &m);
        else if (rt_kip->ticks - run.last_event > HANG_TICKS)
            hang("no exception and no \"done\" within 0.5 s");
    }
    l4_task_delete(run.prober_task);
}

/* Creates the victim and serves its faults until its auditor says READY. */
static int victim_start(void)
{
    memset(&victim_share, 0, sizeof(victim_share));
    victim_share.avx = (uint64_t)id.avx;
    uint64_t sp = (uint64_t)victim_stack + sizeof(victim_stack) - 8, until = rt_kip->ticks + 2000;
    uint64_t e = l4_task_new(L4_TASK_ANY, (uint64_t)victim_entry, sp, fuzz_ids[0], AUDITOR_PRIO,
                             fuzz_ids[0], &run.auditor);
    if (e) {
        printf("fuzz: cpu: cannot create the victim: error %lu\n", e);
        return -1;
    }
    run.victim_task = l4_tid_task(run.auditor);
    while (rt_kip->ticks < until) {
        report_tick();
        l4_threadid_t from = L4_NILTHREAD;
        l4_msg_t m;
        uint64_t r = l4_receive(&from, &m, l4_timeout_from_us(2000));
        uint32_t label = l4_msgtag_label(l4_ipc_tag(r));
        if (l4_ipc_error(r) || l4_tid_task(from) != run.victim_task)
            continue;
        if ((label & ~7u) == L4_LABEL_PAGEFAULT) {
            serve_fault(from, m.w[0]);
        } else if (label == CPU_LABEL_READY && !l4_tid_is_nil(m.w[0])) {
            run.spinner = cpu_shared.spinner = m.w[0];
            set_prio(run.spinner, CHILD_PRIO);
            return 0;
        } else {
            victim_trouble(label, &m);
            return -1;
        }
    }
    printf("fuzz: cpu: no READY from the victim within 2 s\n");
    return -1;
}

static void print_summary(unsigned passes, uint64_t kpool_before, uint64_t kpool_after)
{
    static const char *const vname[34] = { "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD",
        "#NM", "#DF", "#09", "#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC",
        "#XM", "#VE", "#CP", "#22", "#23", "#24", "#25", "#26", "#27", "#28", "#29", "#30",
        "#31", "syscall", "none" };
    printf("fuzz: cpu: %lu probes x %u passes; per class: as the SDM says, as the emulator "
           "is known to differ, wrong:\n", run.n, passes);
    for (unsigned c = 0; c < CPU_C_COUNT; c++)
        printf("fuzz: cpu:   %s %6lu %4lu %4lu\n", class_name[c], st.ok[c], st.variant[c],
               st.wrong[c]);
    printf("fuzz: cpu: outcomes:");
    for (unsigned v = 0; v < 34; v++)
        if (st.vectors[v])
            printf(" %s %lu", vname[v], st.vectors[v]);
    printf("\nfuzz: cpu: victim: %lu audits, %lu spinner rounds; broken invariants %lu:",
           st.audits, st.rounds, st.broken_total);
    for (unsigned b = 0; b < B__COUNT; b++)
        printf(" %s %lu,", broken_name[b], st.broken[b]);
    printf("\nfuzz: cpu: %lu wrong outcomes, %lu hangs; kernel pool %lu free pages before "
           "the children, %lu after\n", st.wrong_total, st.hangs, kpool_before, kpool_after);
}

void cpu_phase(unsigned passes, void (*tick)(void), uint64_t *result)
{
    report_tick = tick;
    identify();
    forge_ldt();
    run.n = (uint64_t)(__stop_cpu_probes - __start_cpu_probes);
    cpu_shared.supervisor = fuzz_ids[0];
    printf("fuzz: cpu: %s, sysenter/sysexit expected as vector %u, avx %s; %lu probes, "
           "%u passes\n", id.vendor, id.vendor_vector, id.avx ? "yes" : "no", run.n, passes);
    uint64_t kpool_before = rt_kip->kpool_free, t0 = rt_kip->ticks;
    if (victim_start()) {
        printf("fuzz: cpu: the victim did not start\n");
        broken(B_SILENT, 0, 0);
    } else {
        for (unsigned p = 0; p < passes; p++)
            run_pass();
    }
    l4_task_delete(run.victim_task);
    uint64_t kpool_after = rt_kip->kpool_free;
    print_summary(passes, kpool_before, kpool_after);
    printf("fuzz: cpu: %lu ms of guest time\n", rt_kip->ticks - t0);
    uint64_t r[FUZZ_C_WORDS] = { st.judged, run.n * passes, st.wrong_total, st.broken_total,
                                 st.hangs, kpool_before, kpool_after, st.audits };
    memcpy(result, r, sizeof(r));
}
