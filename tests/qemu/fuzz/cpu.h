/*
 * cpu.h — the CPU half of the hostile suite: what the supervisor (cpu.c), the prober task
 * (prober.c, probes.S) and the victim task (victim.c, victim.S) share. Included by C and
 * by assembly, so the constants are plain numbers.
 *
 * The prober is a child task that runs every probe of probes.S in turn: one instruction
 * (or a short sequence) a user task can make the CPU execute. The supervisor is its
 * exception handler: it records the vector, error code and address of each exception,
 * resumes the prober at the probe's resume label, and on each probe's "done" system call
 * compares what it saw with the probe's expected outcome and audits the victim. The
 * victim is a second child task whose spinner keeps known values in every general
 * register, in xmm/ymm, MXCSR, the x87 control word and st(0), its segment selectors and
 * known FS and GS bases (the same as the prober's on every other probe), and checks them
 * every round (%fs:0 and %gs:0 read cells it owns); the prober switches to it after each
 * probe. Its auditor answers the supervisor's audits from an IPC wait: the audit's words,
 * its UTCB and the spinner's, and both threads' FS and GS bases read with lthread_ex_regs
 * (which reaches only the caller's own task, hence an auditor inside the victim).
 */
#ifndef FUZZ_CPU_H
#define FUZZ_CPU_H

/* Probe classes: the rows of the per-class table. */
#define CPU_C_SEG_DS   0
#define CPU_C_SEG_ES   1
#define CPU_C_SEG_FS   2
#define CPU_C_SEG_GS   3
#define CPU_C_SEG_SS   4
#define CPU_C_SEG_MISC 5     /* lss/lfs/lgs, pop fs/gs, mov to cs, push/pop of legacy sregs */
#define CPU_C_LCALL    6
#define CPU_C_LJMP     7
#define CPU_C_LRET     8
#define CPU_C_IRET     9
#define CPU_C_INT      10    /* int $n, n = 0..255 */
#define CPU_C_TRAP     11    /* int3, icebp, into, ud2, #DE, single step */
#define CPU_C_ENTRY    12    /* syscall/sysenter/sysexit/sysret/swapgs/int 0x80 */
#define CPU_C_PRIV     13    /* cli sti hlt lgdt lidt lldt ltr invlpg wbinvd ... */
#define CPU_C_IO       14
#define CPU_C_CR       15
#define CPU_C_DR       16
#define CPU_C_MSR      17
#define CPU_C_MEM      18    /* non-canonical, kernel, KIP, unmapped, NX, read-only */
#define CPU_C_FLAGS    19    /* DF, AC, NT, IOPL, VM left for the kernel and the victim */
#define CPU_C_SSE      20
#define CPU_C_X87      21
#define CPU_C_XSAVE    22    /* fxrstor/xrstor of bad areas, AVX state */
#define CPU_C_COUNT    23

/* Expected vectors besides 0..31. */
#define CPU_V_SYSCALL  0x100    /* L4_EXC_SYSCALL: a foreign system call */
#define CPU_V_NONE     0xffff   /* no exception: the probe reaches its resume label itself */
#define CPU_V_VENDOR   0xfffe   /* sysenter/sysexit in 64-bit mode: #GP on Intel, #UD else */
#define CPU_V_AVX      0xfffd   /* none with AVX, #UD without */
#define CPU_E_ANY      0xffffffff

/* Probe flags. */
#define CPU_F_ANYRIP   1        /* the exception may come from outside the stub (a jump target) */
#define CPU_F_ADDR     2        /* the fault-address word must equal the probe's argument */
/* Known deviations of QEMU's TCG (7.2) from the SDM: each probe with one of these flags
 * also passes with the emulator's outcome, counted apart ("variant") so a run shows how
 * much it relied on them. None of them depends on the kernel. */
#define CPU_F_QSMAP    4        /* far call/ret and iretq access the stack as supervisor: with
                                   SMAP a #PF (P=1, U=0) on the probe's own stack frame */
#define CPU_F_QIDT     8        /* int $n through a DPL-0 gate: #GP(n * 16 + 2), not n * 8 + 2 */
#define CPU_F_QUD      16       /* icebp (0xf1) decoded as invalid: #UD */
#define CPU_F_QNONE    32       /* no fault: MXCSR reserved bits unchecked (ldmxcsr, fxrstor,
                                   xrstor), no SIMD floating-point exceptions (#XM) */
#define CPU_F_QGP      64       /* a non-canonical stack access is #GP(0), not #SS(0) */
#define CPU_F_QX87     128      /* no x87 stack faults: an overflowing push raises nothing */

/* The prober's "done" call: a foreign system call with this number, rdi = probe index. */
#define CPU_DONE_NR    0x43505544   /* "CPUD": no L4 call, no Linux one */
#define CPU_READY      0xffffffffffffffff
#define CPU_END        0xfffffffffffffffe

/* Values the victim keeps; the prober's own cells hold other ones. */
#define VICTIM_MXCSR   0xff80       /* all masked, round toward zero, flush to zero */
#define VICTIM_FCW     0x0e7f       /* all masked, double precision, round toward zero */
#define VICTIM_FSW     0x3800       /* one value on the stack, no flags */
#define VICTIM_FS_MAGIC  0x5649435449464653   /* "SFFITCIV" */
#define PROBER_FS_MAGIC  0x50524f4245524653
#define PROBER_GS_MAGIC  0x50524f4245524753

/* What the spinner found wrong last (victim_share.bad_what). */
#define VW_GPR     0x00     /* + register number: rbx rcx rdx rsi rdi rbp r8..r15 = 1..14 */
#define VW_XMM     0x10     /* + n */
#define VW_YMM     0x20     /* + n: the upper half */
#define VW_MXCSR   0x30
#define VW_FCW     0x31
#define VW_FSW     0x32
#define VW_ST0     0x33
#define VW_FS0     0x34     /* %fs:0 */
#define VW_GS0     0x35     /* %gs:0 */
#define VW_SEL     0x36     /* + 0..3: ds es fs gs selector */
#define VW_FLAGS   0x3a
#define VW_YIELD   0x3b     /* thread_switch returned an error or changed rdi */

/* struct victim_share, as offsets for victim.S. */
#define VS_ROUNDS    0
#define VS_BAD       8
#define VS_BAD_WHAT  16
#define VS_BAD_VALUE 24
#define VS_SEL       32     /* 4 words: ds es fs gs as the spinner found them at its start */
#define VS_AVX       64
#define VS_SPILL     72     /* 16 bytes of scratch */

#ifndef __ASSEMBLER__

#include <stdint.h>
#include <l4/types.h>

/* One entry per probe, emitted by the PROBE macro of probes.S into section cpu_probes. */
struct cpu_probe {
    uint64_t start;      /* the stub: called with the trampoline cpu_probe_call */
    uint64_t insn;       /* the instruction under test */
    uint64_t resume;     /* where the handler resumes the prober after an exception */
    const char *name;
    uint64_t arg;        /* selector, vector number, port, address... (printed; CPU_F_ADDR) */
    uint16_t cls, vector;
    uint32_t error;
    uint64_t flags;
};
_Static_assert(sizeof(struct cpu_probe) == 56, "probes.S emits 56-byte entries");

extern const struct cpu_probe __start_cpu_probes[], __stop_cpu_probes[];

/* The spinner's report, in the victim's memory (a page of this image it maps). */
struct victim_share {
    volatile uint64_t rounds, bad, bad_what, bad_value;
    uint64_t sel[4];
    uint64_t avx;
    uint64_t spill[2];
};
_Static_assert(__builtin_offsetof(struct victim_share, sel) == VS_SEL, "victim.S offsets");
_Static_assert(__builtin_offsetof(struct victim_share, avx) == VS_AVX, "victim.S offsets");
_Static_assert(__builtin_offsetof(struct victim_share, spill) == VS_SPILL, "victim.S offsets");

/* What the supervisor tells the children before it creates them. */
struct cpu_shared {
    l4_threadid_t supervisor;
    l4_threadid_t spinner;      /* the prober switches to it after every probe */
    uint64_t first_probe;       /* where a (re)started prober begins */
};

extern struct cpu_shared cpu_shared;
extern struct victim_share victim_share;
extern uint64_t victim_fs_cell[2], prober_fs_cell[2], prober_gs_cell[2];
extern uint64_t cpu_forged_ldt[512];

/* Auditor verdict bits (word 0 of its answer). */
#define AUD_WORDS   0x01    /* the audit message's words were not what the supervisor sent */
#define AUD_UTCB    0x02    /* a word of the auditor's or spinner's UTCB changed */
#define AUD_BASES   0x04    /* lthread_ex_regs shows another FS/GS base for a victim thread */
#define AUD_OWNSEG  0x08    /* the auditor's own %fs:0 or %gs:0 read another value */
#define AUD_SPIN    0x10    /* the spinner found one of its registers changed */

#define CPU_LABEL_AUDIT 0x41554454u   /* "AUDT" */
#define CPU_LABEL_READY 0x52454459u   /* "REDY" */

void prober_entry(void);                   /* prober.c: the prober task's first thread */
void cpu_touch_image(void);                /* prober.c: fault in every page of this image */
int cpu_image_page(uint64_t page);         /* prober.c: whether the image has this page */
void victim_entry(void);                   /* victim.c: the victim task's first thread */
void victim_spin(void);                    /* victim.S: the spinner, never returns */
void cpu_probe_call(uint64_t stub);        /* probes.S: calls a stub, keeps callee-saved regs */
uint64_t cpu_audit_word(uint64_t nonce, unsigned i);

#endif
#endif
