/*
 * worker.c — a worker of the differential IPC fuzz (linked into root's image and the
 * peers'): it reports to the driver and waits for the next command in one call, makes
 * the command's IPC or cancel, and reports everything the kernel answered (ipcdiff.h).
 * A cancel that hits it between commands (in its report's send or receive phase) is
 * counted and the wait resumed: the count goes into the next report. A foreign call is
 * made from assembly that loads every register and stores every register after it, and
 * must survive any answer the fuzz sends: a full reply may change all registers but RSP
 * (kept, or the reply is refused), so the code after it finds its output through the
 * stack alone.
 */
#include "ipcdiff.h"
#include <l4/fault.h>
#include <l4/layout.h>
#include <l4/thread.h>
#include <l4/utcb.h>

l4_threadid_t ipcdiff_driver;

/* One source page per worker: what its map items give, stamped before each send. */
static uint64_t src_page[IPCDIFF_PER_TASK][SAS_PAGE_SIZE / 8] __attribute__((aligned(4096)));
static char stacks[IPCDIFF_PER_TASK][IPCDIFF_STACK] __attribute__((aligned(16)));
/* The last full set of a foreign call each worker received: what its full replies keep. */
static uint64_t last_exc[IPCDIFF_PER_TASK][L4_EXC_WORDS];

/* ipcdiff_foreign_call(in, out): in[G_RAX .. G_R15] into the registers, `syscall`, and all
 * of them (enum ipcdiff_gpr) into out[] after it. A full reply resumes it at
 * ipcdiff_foreign_resume (the RIP the call reports) or at ipcdiff_foreign_resume_alt. */
void ipcdiff_foreign_call(const uint64_t in[G_IN], uint64_t out[G_OUT]);
extern const char ipcdiff_foreign_resume[], ipcdiff_foreign_resume_alt[];
__asm__(
    ".text\n"
    ".globl ipcdiff_foreign_call\n"
    "ipcdiff_foreign_call:\n"
    "    push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "    push %rsi\n"                                    /* out, found again through rsp */
    "    mov 0(%rdi), %rax;  mov 8(%rdi), %rbx;  mov 16(%rdi), %rcx; mov 24(%rdi), %rdx\n"
    "    mov 32(%rdi), %rsi; mov 48(%rdi), %rbp; mov 56(%rdi), %r8;  mov 64(%rdi), %r9\n"
    "    mov 72(%rdi), %r10; mov 80(%rdi), %r11; mov 88(%rdi), %r12; mov 96(%rdi), %r13\n"
    "    mov 104(%rdi), %r14; mov 112(%rdi), %r15; mov 40(%rdi), %rdi\n"
    "    syscall\n"
    ".globl ipcdiff_foreign_resume\n"
    "ipcdiff_foreign_resume:\n"
    "    push %rdi; mov 8(%rsp), %rdi; movq $0, 136(%rdi); jmp 1f\n"
    ".globl ipcdiff_foreign_resume_alt\n"
    "ipcdiff_foreign_resume_alt:\n"
    "    push %rdi; mov 8(%rsp), %rdi; movq $1, 136(%rdi)\n"
    "1:  mov %rax, 0(%rdi);   mov %rbx, 8(%rdi);  mov %rcx, 16(%rdi); mov %rdx, 24(%rdi)\n"
    "    mov %rsi, 32(%rdi);  mov %rbp, 48(%rdi); mov %r8, 56(%rdi);  mov %r9, 64(%rdi)\n"
    "    mov %r10, 72(%rdi);  mov %r11, 80(%rdi); mov %r12, 88(%rdi); mov %r13, 96(%rdi)\n"
    "    mov %r14, 104(%rdi); mov %r15, 112(%rdi)\n"
    "    pushfq; pop %rax; mov %rax, 120(%rdi)\n"
    "    pop %rax; mov %rax, 40(%rdi)\n"
    "    mov %rsp, 128(%rdi)\n"
    "    pop %rsi; pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "    cld\n"
    "    ret\n");
_Static_assert(G_RFLAGS * 8 == 120 && G_RSP * 8 == 128 && G_ALT * 8 == 136, "the offsets above");

void ipcdiff_start_workers(l4_threadid_t ids[IPCDIFF_PER_TASK])
{
    for (unsigned i = 0; i < IPCDIFF_PER_TASK; i++)
        ids[i] = rt_thread_start(IPCDIFF_LT_WORKER0 + i, ipcdiff_worker, stacks[i],
                                 sizeof(stacks[i]), 0);
}

void ipcdiff_cancel(unsigned lt, uint64_t out[11])
{
    struct l4_exregs x = { .control = lt | L4_EXREGS_CANCEL };
    out[0] = l4_lthread_ex_regs(&x);
    out[1] = x.control; out[2] = x.ip; out[3] = x.sp; out[4] = x.flags; out[5] = x.fs_base;
    out[6] = x.gs_base; out[7] = x.pager; out[8] = x.exc_handler; out[9] = x.state;
    out[10] = x.fault_addr;
    if (out[0] == L4_OK && (x.state & 0xff) == L4_TSTATE_STOPPED) {
        struct l4_exregs y = { .control = lt | L4_EXREGS_SET_IP | L4_EXREGS_SET_SP,
                               .ip = x.ip, .sp = x.sp };
        l4_lthread_ex_regs(&y);
    }
}

/* Sends the report in r[] and waits for the driver's next command, in *cmd. */
static void report_and_wait(uint64_t r[R_WORDS], uint64_t *aside, l4_msg_t *cmd)
{
    struct l4_utcb *u = l4_utcb();
    for (;;) {
        r[R_ASIDE] = *aside;
        memcpy(&u->mr[8], &r[8], (R_WORDS - 8) * sizeof(uint64_t));
        u->rcv_max_words = 0;
        struct l4_ipc_regs c = { ipcdiff_driver, l4_msgtag(IPCDIFF_LABEL_REPORT, R_WORDS, 0),
            l4_ipc_control(L4_IPC_SEND | L4_IPC_RECV, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER), {{0}} };
        memcpy(c.msg.w, r, sizeof(c.msg.w));
        uint64_t res = l4_ipc(&c);
        if (l4_ipc_error(res) && !l4_ipc_failed_in_receive(res)) {
            ++*aside;                   /* cancelled before the driver took it: again */
            continue;
        }
        *aside = 0;
        while (l4_ipc_error(res)) {     /* cancelled while waiting for the command */
            ++*aside;
            c.partner = ipcdiff_driver;
            c.control = l4_ipc_control(L4_IPC_RECV, 0, L4_TIMEOUT_NEVER);
            res = l4_ipc(&c);
        }
        *cmd = c.msg;
        return;
    }
}

/* A full reply built from the last full set received (IPCDIFF_ANS_*): RIP, RSP and GS as
 * they were, RFLAGS with status bits flipped and bits the kernel masks set. */
static void shape_full(uint64_t ans, uint64_t v, const uint64_t *e, uint64_t *mw)
{
    uint64_t alt = (uint64_t)(ipcdiff_foreign_resume_alt - ipcdiff_foreign_resume);
    mw[L4_EXC_RIP] = e[L4_EXC_RIP] + (ans == IPCDIFF_ANS_FULL_ALT ? alt : 0);
    mw[L4_EXC_RSP] = e[L4_EXC_RSP];
    mw[L4_EXC_RFLAGS] = (e[L4_EXC_RFLAGS] ^ (v & 0x2008d5ULL)) | (v >> 8 & 0x37000ULL);
    mw[L4_EXC_FS] &= L4_USER_END - 1;
    mw[L4_EXC_GS] = e[L4_EXC_GS];
    uint64_t bad = v & 1 ? L4_USER_END + (v >> 40) : 0xffffffff80000000ULL + (v >> 50);
    if (ans == IPCDIFF_ANS_BAD_RIP)
        mw[L4_EXC_RIP] = bad;
    else if (ans == IPCDIFF_ANS_BAD_RSP)
        mw[L4_EXC_RSP] = bad;
    else if (ans == IPCDIFF_ANS_BAD_FS)
        mw[L4_EXC_FS] = bad;
    else if (ans == IPCDIFF_ANS_BAD_GS)
        mw[L4_EXC_GS] = bad;
}

/* The words of an answer to a foreign call, as the command asks (IPCDIFF_ANS_*). */
static void shape_answer(const uint64_t *cmd, unsigned me, uint64_t *mw)
{
    uint64_t ans = cmd[C_WINDOW] >> IPCDIFF_ANS_SHIFT & 0xf;
    if (ans == IPCDIFF_ANS_NONE)
        return;
    if (l4_msgtag_u(cmd[C_TAG]) >= L4_EXC_WORDS) {
        shape_full(ans, cmd[C_VALUE], last_exc[me], mw);
        return;
    }
    if (ans == IPCDIFF_ANS_BAD_FS)
        mw[L4_EXR_FS] |= L4_USER_END;
    else
        mw[L4_EXR_FS] &= L4_USER_END - 1;
}

/* The words of the message: registers (all eight loaded), the UTCB, the map item at u and
 * u + 1, then canaries in the UTCB words the message does not use. */
static void load_message(const uint64_t *cmd, unsigned me, struct l4_ipc_regs *c)
{
    struct l4_utcb *u = l4_utcb();
    uint64_t mw[L4_MSG_MAX_WORDS];
    unsigned n = l4_msgtag_u(cmd[C_TAG]), t = l4_msgtag_t_words(cmd[C_TAG]);
    unsigned map = (unsigned)(cmd[C_WINDOW] >> IPCDIFF_MAP_SHIFT) & 0xf;
    for (unsigned i = 0; i < L4_MSG_MAX_WORDS; i++)
        mw[i] = ipcdiff_word(cmd[C_VALUE], i);
    if (t == 2 && n + 1 < L4_MSG_MAX_WORDS) {   /* an answer's item lands on a receive page */
        uint64_t hot = cmd[C_WINDOW] >> IPCDIFF_ANS_SHIFT & 0xf
            ? IPCDIFF_RCV_PAGE(l4_tid_lthread(cmd[C_PARTNER])) : cmd[C_VALUE] << 12;
        uint64_t page = (uint64_t)src_page[me];
        mw[n] = map == IPCDIFF_MAP_BAD ? (page | (3u << 4) | L4_FPAGE_R)
              : map == IPCDIFF_MAP_NONE ? l4_fpage(IPCDIFF_UNMAPPED, 12, L4_FPAGE_R)
              : l4_fpage(page, 12, map == IPCDIFF_MAP_RW ? L4_FPAGE_RW : L4_FPAGE_R);
        mw[n + 1] = hot;
        if (n && (map == IPCDIFF_MAP_R || map == IPCDIFF_MAP_RW))
            mw[0] |= IPCDIFF_MR0_PAGE;
    }
    shape_answer(cmd, me, mw);
    memcpy(c->msg.w, mw, sizeof(c->msg.w));
    unsigned used = n + t < L4_MSG_MAX_WORDS ? n + t : L4_MSG_MAX_WORDS;
    for (unsigned i = 8; i < L4_MSG_MAX_WORDS; i++)
        u->mr[i] = i < used ? mw[i] : ipcdiff_canary(cmd[C_STAMP], i);
    src_page[me][0] = cmd[C_STAMP] * 0x10001ULL ^ l4_myself();
}

/* The UTCB words after the IPC: up to two past what was received (at least 8, 9). */
static void capture_utcb(uint64_t res, unsigned flags, uint64_t r[R_WORDS])
{
    const struct l4_utcb *u = l4_utcb();
    unsigned got = 0;
    if (!l4_ipc_error(res) && (flags & L4_IPC_RECV))
        got = l4_msgtag_u(l4_ipc_tag(res)) + l4_msgtag_t_words(l4_ipc_tag(res));
    unsigned end = got < 8 ? 10 : got + 2 > L4_MSG_MAX_WORDS ? L4_MSG_MAX_WORDS : got + 2;
    uint64_t h = 0;
    for (unsigned i = 8; i < end; i++) {
        h = ipcdiff_fold(h, u->mr[i]);
        if (i - 8 < IPCDIFF_REPORT_UTCB)
            r[R_UTCB + i - 8] = u->mr[i];
    }
    r[R_UTCB_N] = end - 8;
    r[R_UTCB_HASH] = h;
}

/* Word 0 of the receive page, if a real page arrived in this call's receive phase. */
static uint64_t read_page(uint64_t res, unsigned flags, const l4_msg_t *m, unsigned me)
{
    l4_msgtag_t tag = l4_ipc_tag(res);
    if (l4_ipc_error(res) || !(flags & L4_IPC_RECV) || l4_msgtag_t_words(tag) != 2 ||
        !l4_msgtag_u(tag) || !(m->w[0] & IPCDIFF_MR0_PAGE))
        return IPCDIFF_NO_PAGE;
    return *(volatile uint64_t *)IPCDIFF_RCV_PAGE(IPCDIFF_LT_WORKER0 + me);
}

static void do_ipc(const uint64_t *cmd, unsigned me, uint64_t r[R_WORDS])
{
    struct l4_utcb *u = l4_utcb();
    struct l4_ipc_regs c = { cmd[C_PARTNER], cmd[C_TAG], cmd[C_CONTROL], {{0}} };
    unsigned flags = l4_ipc_control_flags(cmd[C_CONTROL]);
    load_message(cmd, me, &c);
    u->rcv_max_words = cmd[C_RCV_MAX];
    u->rcv_window = cmd[C_WINDOW] & 1 ? l4_fpage(IPCDIFF_RCV_PAGE(IPCDIFF_LT_WORKER0 + me), 12, 0)
                                      : L4_FPAGE_NIL;
    uint64_t rsi;
    r[R_RESULT] = l4_ipc_trap(&c, &rsi);
    r[R_PARTNER] = c.partner;
    r[R_RSI] = rsi;
    memcpy(&r[R_MR0], c.msg.w, sizeof(c.msg.w));
    l4_msgtag_t tag = l4_ipc_tag(r[R_RESULT]);
    if (!l4_ipc_error(r[R_RESULT]) && (flags & L4_IPC_RECV) && r[R_RESULT] &&
        l4_msgtag_label(tag) == L4_LABEL_EXCEPTION && l4_msgtag_u(tag) == L4_EXC_WORDS) {
        memcpy(last_exc[me], c.msg.w, sizeof(c.msg.w));
        memcpy(&last_exc[me][8], &u->mr[8], (L4_EXC_WORDS - 8) * sizeof(uint64_t));
    }
    r[R_PAGE] = read_page(r[R_RESULT], flags, &c.msg, me);
    capture_utcb(r[R_RESULT], flags, r);
    u->rcv_window = L4_FPAGE_NIL;
}

/* Sets the worker's exception handler, makes the foreign call, reports every register. */
static void do_foreign(const uint64_t *cmd, unsigned me, uint64_t r[R_WORDS])
{
    unsigned lt = IPCDIFF_LT_WORKER0 + me;
    struct l4_exregs x = { .control = lt | L4_EXREGS_SET_EXCH, .exc_handler = cmd[C_PARTNER] };
    uint64_t set = l4_lthread_ex_regs(&x), in[G_IN], g[G_OUT];
    for (unsigned i = 0; i < G_IN; i++)
        in[i] = ipcdiff_word(cmd[C_VALUE], i);
    in[G_RAX] = cmd[C_TAG];
    ipcdiff_foreign_call(in, g);
    struct l4_exregs q = { .control = lt };
    l4_lthread_ex_regs(&q);
    static const unsigned regs[] = { G_RAX, G_RDI, G_RSI, G_RDX, G_RBX, G_R8, G_R9, G_R12,
                                     G_R13, G_R14, G_R15 };
    for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
        r[R_RESULT + i] = g[regs[i]];
    uint64_t f[F_WORDS] = { [F_RCX] = g[G_RCX], [F_R11] = g[G_R11], [F_R10] = g[G_R10],
        [F_RBP] = g[G_RBP], [F_RFLAGS] = g[G_RFLAGS], [F_RSP] = g[G_RSP], [F_ALT] = g[G_ALT],
        [F_FS] = q.fs_base, [F_GS] = q.gs_base, [F_SET] = set, [F_OLD_EXCH] = x.exc_handler };
    uint64_t h = 0;
    for (unsigned i = 0; i < F_WORDS; i++) {
        h = ipcdiff_fold(h, f[i]);
        r[R_UTCB + i] = f[i];
    }
    r[R_UTCB_N] = F_WORDS;
    r[R_UTCB_HASH] = h;
}

void ipcdiff_worker(void)
{
    unsigned me = l4_tid_lthread(l4_myself()) - IPCDIFF_LT_WORKER0;
    uint64_t r[R_WORDS] = { 0 }, aside = 0;
    for (;;) {
        l4_msg_t m;
        report_and_wait(r, &aside, &m);
        memset(r, 0, sizeof(r));
        r[R_STAMP] = m.w[C_STAMP];
        r[R_PAGE] = IPCDIFF_NO_PAGE;
        if (m.w[C_OP] == IPCDIFF_OP_CANCEL)
            ipcdiff_cancel((unsigned)m.w[C_PARTNER], &r[R_RESULT]);
        else if (m.w[C_OP] == IPCDIFF_OP_IPC)
            do_ipc(m.w, me, r);
        else if (m.w[C_OP] == IPCDIFF_OP_FOREIGN)
            do_foreign(m.w, me, r);
        else
            r[R_RESULT] = ~0ULL;        /* not a command: the driver will say so */
    }
}
