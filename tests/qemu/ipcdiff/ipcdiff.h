/*
 * ipcdiff.h — the differential IPC fuzz: what its driver (root.c, driver.c, gen.c), its
 * workers (worker.c) and the peer tasks' agents (peer.c) share.
 *
 * Three tasks, one CPU. Root (task 2): lthread 0 the driver, 1 the quiet detector, 2 and 3
 * workers. Two peers booted from one image (tasks=ipcdiff,ipcdiff: tasks 3 and 4): lthread
 * 0 an agent, 2 and 3 workers. Every worker waits in a call to the driver (its report, then
 * the next command); a command is one IPC, one lthread_ex_regs cancel, or one foreign
 * system call (its exception handler set first: a worker, or no thread), which the worker
 * makes and then reports in full. A worker waiting in a foreign call is answered by its
 * handler's next commands, whose words the handler can shape into an answer (C_WINDOW);
 * one that was stopped (its handler could not answer) is restarted by the next cancel.
 * The driver folds every report into one transcript hash per seed, which must come out
 * the same on every kernel (ipcdiff-check compares them).
 *
 * Determinism. The kernel is not preemptible and has one CPU, so the order of events is
 * fixed by priorities alone if no two threads share one and no outcome waits on time:
 *  - priorities: driver 250 > agents 240, 241 > workers (a permutation of 100..150 per
 *    seed, two of them swapped by the driver now and then) > quiet detector 20. The
 *    driver hands out a batch of commands and then calls the detector, which runs (and
 *    answers) only when every worker has blocked;
 *  - timeouts: never and zero everywhere, except in a round of one command whose every
 *    phase has a short or zero timeout: it starts with all others blocked, nothing else can
 *    wake before it ends, and the driver waits for its report before anything else. It is
 *    never a foreign call nor an answer made for one (a request for the full set would
 *    make the caller call again while the round runs).
 */
#ifndef IPCDIFF_H
#define IPCDIFF_H

#include <native/rt.h>
#include <l4/errors.h>
#include <sas/layout.h>

#define IPCDIFF_TASKS      3u        /* root and the two peers */
#define IPCDIFF_PER_TASK   2u        /* workers per task */
#define IPCDIFF_WORKERS    (IPCDIFF_TASKS * IPCDIFF_PER_TASK)
#define IPCDIFF_LT_QUIET   1u        /* root's quiet detector */
#define IPCDIFF_LT_WORKER0 2u        /* workers are lthreads 2, 3 of every task */
#define IPCDIFF_LT_ABSENT  90u       /* an lthread no task creates */
#define IPCDIFF_STACK      8192u

#define IPCDIFF_PRIO_DRIVER 250u
#define IPCDIFF_PRIO_AGENT  240u     /* + peer index */
#define IPCDIFF_PRIO_WORKER 100u     /* + 10 * a per-seed permutation of 0..5 */
#define IPCDIFF_PRIO_QUIET  20u

/* Labels: driver -> worker, worker -> driver, driver <-> detector, driver <-> agents. */
#define IPCDIFF_LABEL_CMD    0x49434d44u   /* "ICMD" */
#define IPCDIFF_LABEL_REPORT 0x49525054u   /* "IRPT" */
#define IPCDIFF_LABEL_QUIET  0x49515554u   /* "IQUT" */
#define IPCDIFF_LABEL_SETUP  0x49535455u   /* "ISTU": agent, start your workers */
#define IPCDIFF_LABEL_CANCEL 0x4943414eu   /* "ICAN": agent, cancel your workers */

/* A command, the eight register words of a LABEL_CMD message. */
enum ipcdiff_cmd_word {
    C_OP = 0,        /* IPCDIFF_OP_* */
    C_PARTNER,       /* IPC: rdi; CANCEL: the lthread to cancel (of the worker's task);
                        FOREIGN: the exception handler set (any id) */
    C_TAG,           /* IPC: the tag sent (rsi); FOREIGN: the number (rax) */
    C_CONTROL,       /* IPC: r10 (flags and timeouts) */
    C_RCV_MAX,       /* IPC: the UTCB's rcv_max_words during the call */
    C_WINDOW,        /* IPC: 1 = the worker's receive page as rcv_window, 0 = nil;
                        bits 59..56 the map item sent if t = 2 (IPCDIFF_MAP_*),
                        bits 55..52 the answer the words are shaped into (IPCDIFF_ANS_*) */
    C_VALUE,         /* IPC: the words sent are derived from it (ipcdiff_word); FOREIGN:
                        register i (enum ipcdiff_gpr) holds ipcdiff_word(value, i) */
    C_STAMP,         /* the command's number in its seed (1, 2, ...) */
    C_WORDS
};
enum ipcdiff_op { IPCDIFF_OP_IPC = 1, IPCDIFF_OP_CANCEL = 2, IPCDIFF_OP_FOREIGN = 3 };

/* An answer to a foreign call (l4/fault.h): how the handler shapes the words it sends.
 * Short replies (u < L4_EXC_WORDS) have FS made valid or invalid; full ones are built from
 * the full set the handler received last (the driver asks only when that is the caller's
 * own): RIP, RSP and GS kept, FS in the user half, RFLAGS with some bits flipped (and
 * some the kernel masks set), the other registers new; or one of RIP, RSP, FS, GS bad. */
#define IPCDIFF_ANS_SHIFT 52
enum ipcdiff_ans {
    IPCDIFF_ANS_NONE = 0,    /* the words as they are */
    IPCDIFF_ANS_SHORT,       /* FS (word 1) in the user half */
    IPCDIFF_ANS_FULL,        /* a full reply that resumes the caller past its `syscall` */
    IPCDIFF_ANS_FULL_ALT,    /* one that resumes it at its other resume point */
    IPCDIFF_ANS_BAD_RIP,     /* a full reply with RIP outside the user half: INVALID */
    IPCDIFF_ANS_BAD_RSP,     /* ... RSP */
    IPCDIFF_ANS_BAD_FS,      /* ... FS (word 1 of a short reply): INVALID */
    IPCDIFF_ANS_BAD_GS,      /* ... GS */
};

/* The registers of a foreign call, in and out (worker.c's ipcdiff_foreign_call). */
enum ipcdiff_gpr {
    G_RAX, G_RBX, G_RCX, G_RDX, G_RSI, G_RDI, G_RBP, G_R8, G_R9, G_R10, G_R11, G_R12,
    G_R13, G_R14, G_R15,
    G_IN,                    /* registers loaded: the ones above */
    G_RFLAGS = G_IN,         /* out: right after the `syscall` */
    G_RSP,
    G_ALT,                   /* 1 if it resumed at the other resume point */
    G_OUT
};

/* The map item a worker puts at MR[u], MR[u+1] when it sends t = 2 typed words. */
#define IPCDIFF_MAP_SHIFT 56
enum ipcdiff_map {
    IPCDIFF_MAP_R = 1,       /* its source page, read-only */
    IPCDIFF_MAP_RW,          /* its source page, read-write */
    IPCDIFF_MAP_BAD,         /* a malformed flexpage (size 2^3): MAP_FAILED */
    IPCDIFF_MAP_NONE,        /* a page it has not mapped: nothing to give */
};
/* MR0 of a message carrying a real page says so, so the receiver reads the page. */
#define IPCDIFF_MR0_PAGE (1ULL << 63)

/* A report, the words of a LABEL_REPORT message (registers, then the UTCB). For an IPC:
 * the result word, rdi and rsi after the call, MR0..MR7 in registers after it, and the
 * UTCB's words 8.. up to two past the message received (the two must be the canaries the
 * worker put there). For a cancel: lthread_ex_regs' rax, rdi, rsi (ip), and in R_MR0..
 * sp, rflags, FS base, GS base, pager, exception handler, state word, fault address.
 * For a foreign call: rax, rdi, rsi, and rdx rbx r8 r9 r12 r13 r14 r15 (the IPC's MR
 * registers) after it, and as its UTCB words (enum ipcdiff_foreign_word) the rest. */
enum ipcdiff_report_word {
    R_STAMP = 0,     /* the command's C_STAMP; 0 in a worker's first report */
    R_RESULT,
    R_PARTNER,
    R_RSI,
    R_MR0,           /* 8 words */
    R_ASIDE = R_MR0 + 8,   /* cancels that hit the worker between commands, since its last report */
    R_PAGE,          /* word 0 of its receive page, if a real page arrived; else IPCDIFF_NO_PAGE */
    R_UTCB_N,        /* UTCB words captured: mr[8 .. 8 + n) */
    R_UTCB_HASH,     /* ipcdiff_fold over all of them */
    R_UTCB,          /* the first IPCDIFF_REPORT_UTCB of them */
    R_WORDS = R_UTCB + 16
};
#define IPCDIFF_REPORT_UTCB 16u
enum ipcdiff_foreign_word {
    F_RCX, F_R11, F_R10, F_RBP, F_RFLAGS, F_RSP, F_ALT,
    F_FS, F_GS,              /* the FS and GS base after it (lthread_ex_regs) */
    F_SET, F_OLD_EXCH,       /* setting the handler: rax, and the handler it had */
    F_WORDS
};
_Static_assert(F_WORDS <= IPCDIFF_REPORT_UTCB, "a foreign call's report fits R_UTCB");
#define IPCDIFF_NO_PAGE     0x6e6f7061676521ULL
_Static_assert(R_WORDS <= 64, "a report fits one message");

/* The receive window pages (one per lthread) and a page no task maps. */
#define IPCDIFF_RCV_PAGE(lt) (SAS_WIN_IPCDIFF_RCV_BASE + (uint64_t)(lt) * SAS_PAGE_SIZE)
#define IPCDIFF_UNMAPPED     (SAS_WIN_IPCDIFF_RCV_BASE + SAS_WIN_IPCDIFF_RCV_SIZE - SAS_PAGE_SIZE)
_Static_assert(IPCDIFF_RCV_PAGE(128) <= IPCDIFF_UNMAPPED, "receive pages below the unmapped one");

/* Word i a sender puts in its message for value v (MR0's top bit is IPCDIFF_MR0_PAGE). */
static inline uint64_t ipcdiff_word(uint64_t v, unsigned i)
{
    uint64_t w = (v + i * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)i << 56);
    return i == 0 ? w & ~IPCDIFF_MR0_PAGE : w;
}
/* What a worker leaves in UTCB word i (8..63) before an IPC, beyond what it sends. */
static inline uint64_t ipcdiff_canary(uint64_t stamp, unsigned i)
{
    return 0xca0a000000000000ULL ^ (stamp << 8) ^ i;
}
/* The transcript's hash step. */
static inline uint64_t ipcdiff_fold(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x100000001b3ULL;
    return h ^ (h >> 29);
}

/* worker.c (in both images) */
extern l4_threadid_t ipcdiff_driver;   /* set before any worker starts */
void ipcdiff_worker(void);
/* lthread_ex_regs CANCEL on lthread lt of this task: out[0..10] as a cancel report's
 * R_RESULT .. R_MR0 + 7 (rax, id, ip, sp, rflags, FS, GS, pager, exc handler, state, fault).
 * A thread it finds stopped (a foreign call no handler could answer) is restarted where it
 * stopped, past its `syscall`, as if the call had been cancelled. */
void ipcdiff_cancel(unsigned lt, uint64_t out[11]);
/* Starts this task's workers (lthreads 2, 3); ids[] gets their ids (nil on failure). */
void ipcdiff_start_workers(l4_threadid_t ids[IPCDIFF_PER_TASK]);

#endif
