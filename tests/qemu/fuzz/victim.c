/*
 * victim.c — the victim task of the CPU suite. Its first thread (the auditor) maps the
 * image through its pager (the supervisor), gives itself an FS base, fills its UTCB and
 * the spinner's with a pattern, starts the spinner (victim.S) with known FS and GS bases,
 * says READY, and then sits in a closed receive from the supervisor. Each audit message
 * carries words the auditor checks; it answers with what it found: its UTCB words, both
 * threads' FS and GS bases as lthread_ex_regs reports them, its own %fs:0 and %gs:0, and
 * the spinner's counters. It never changes anything another task could have changed.
 */
#include "task.h"
#include "cpu.h"
#include <l4/layout.h>
#include <l4/thread.h>
#include <l4/utcb.h>

#define AUDITOR_FS_MAGIC 0x415544464653ULL
#define UTCB_WORDS       (L4_UTCB_SIZE / 8)
#define UTCB_RCV_MAX     8u      /* the audit message has 8 words */

struct victim_share victim_share;
uint64_t victim_fs_cell[2] __attribute__((aligned(16))) = { VICTIM_FS_MAGIC, 0 };
static uint64_t auditor_fs_cell[2] __attribute__((aligned(16))) = { AUDITOR_FS_MAGIC, 0 };
static char spin_stack[4096] __attribute__((aligned(16)));

uint64_t cpu_audit_word(uint64_t nonce, unsigned i)
{
    return (nonce * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)i << 56) ^ 0x0a0d17;
}

static uint64_t utcb_word(unsigned lthread, unsigned i)
{
    return 0x7574636200000000ULL | (uint64_t)lthread << 16 | i;   /* "utcb" */
}

/* Words 1..511 of an lthread's UTCB page: a receive limit of 8, no window, the rest a
 * pattern. Word 0 (self) is the kernel's. */
static void utcb_fill(unsigned lthread)
{
    uint64_t *u = (uint64_t *)l4_utcb_addr(lthread);
    for (unsigned i = 1; i < UTCB_WORDS; i++)
        u[i] = utcb_word(lthread, i);
    u[1] = UTCB_RCV_MAX;
    u[2] = L4_FPAGE_NIL;
}

static int utcb_intact(unsigned lthread)
{
    const volatile uint64_t *u = (const uint64_t *)l4_utcb_addr(lthread);
    int ok = u[0] == l4_utcb_addr(lthread) && u[1] == UTCB_RCV_MAX && u[2] == L4_FPAGE_NIL;
    for (unsigned i = 3; i < UTCB_WORDS; i++)
        ok &= u[i] == utcb_word(lthread, i);
    return ok;
}

static int bases_are(unsigned lthread, uint64_t fs, uint64_t gs, l4_msg_t *out)
{
    struct l4_exregs x = { .control = lthread };
    if (l4_lthread_ex_regs(&x))
        return 0;
    if (lthread == 1) {
        out->w[6] = x.fs_base;
        out->w[7] = x.gs_base;
    }
    return x.fs_base == fs && x.gs_base == gs;
}

/* The audit: words 0..7 of the answer (cpu.h, AUD_*). */
static void audit(const l4_msg_t *in, l4_msg_t *out)
{
    uint64_t v = 0, nonce = in->w[0], fs0, gs0;
    for (unsigned i = 1; i < 8; i++)
        if (in->w[i] != cpu_audit_word(nonce, i))
            v |= AUD_WORDS;
    if (!utcb_intact(0) || !utcb_intact(1))
        v |= AUD_UTCB;
    if (!bases_are(1, (uint64_t)victim_fs_cell, L4_UTCB_BASE, out) ||
        !bases_are(0, (uint64_t)auditor_fs_cell, L4_UTCB_BASE, out))
        v |= AUD_BASES;
    __asm__ volatile("mov %%fs:0, %0\n\tmov %%gs:0, %1" : "=r"(fs0), "=r"(gs0));
    if (fs0 != AUDITOR_FS_MAGIC || gs0 != L4_UTCB_BASE)
        v |= AUD_OWNSEG;
    if (victim_share.bad)
        v |= AUD_SPIN;
    out->w[0] = v;
    out->w[1] = victim_share.rounds;
    out->w[2] = victim_share.bad;
    out->w[3] = victim_share.bad_what;
    out->w[4] = victim_share.bad_value;
    out->w[5] = nonce;
}

static l4_threadid_t start_spinner(void)
{
    struct l4_exregs x = { .control = 1 | L4_EXREGS_SET_IP | L4_EXREGS_SET_SP |
                                      L4_EXREGS_SET_FS | L4_EXREGS_SET_GS,
        .ip = (uint64_t)victim_spin, .sp = (uint64_t)spin_stack + sizeof(spin_stack) - 8,
        .fs_base = (uint64_t)victim_fs_cell, .gs_base = L4_UTCB_BASE };
    return l4_lthread_ex_regs(&x) ? L4_NILTHREAD : x.control;
}

void victim_entry(void)
{
    cpu_touch_image();
    struct l4_exregs self = { .control = 0 | L4_EXREGS_SET_FS, .fs_base = (uint64_t)auditor_fs_cell };
    l4_lthread_ex_regs(&self);
    utcb_fill(0);
    l4_threadid_t spinner = start_spinner();
    utcb_fill(1);
    l4_threadid_t sup = cpu_shared.supervisor;
    l4_msg_t m = { { spinner } };
    l4_send(sup, l4_msgtag(CPU_LABEL_READY, 1, 0), &m, L4_TIMEOUT_NEVER);
    for (;;) {
        l4_threadid_t from = sup;
        uint64_t r = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
        if (l4_ipc_error(r) || l4_msgtag_label(l4_ipc_tag(r)) != CPU_LABEL_AUDIT)
            continue;
        l4_msg_t out = { { 0 } };
        audit(&m, &out);
        l4_send(sup, l4_msgtag(CPU_LABEL_AUDIT, 8, 0), &out, l4_timeout_from_us(100000));
    }
}
