/*
 * fuzz.h — the protocol between the fuzz root task (root.c) and the hostile fuzz task's
 * supervisor (supervisor.c), and the limits both sides share.
 *
 * Root sends LABEL_START to the supervisor (the first thread of boot task 3) with MR0 =
 * the number of calls to make; the supervisor learns root's id from that message. From
 * then on the supervisor sends LABEL_REPORT messages, the words below, to root only.
 * Before the system calls it runs the CPU probes (cpu.h) and sends one LABEL_CPU message
 * with their verdict (FUZZ_C_*).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <native/rt.h>
#include <l4/errors.h>
#include <l4/kdebug.h>

#define FUZZ_LABEL_START  0x46535452u   /* "FSTR" */
#define FUZZ_LABEL_REPORT 0x46525054u   /* "FRPT" */
#define FUZZ_LABEL_CPU    0x46435055u   /* "FCPU" */

/* Words of a report, MR0..MR7. The last report has FUZZ_R_DONE set: by then the fuzz task
 * has halted its workers and deleted what they created, and gives the kernel pool's free
 * pages before the workers started and after that cleanup (they must be equal). */
enum fuzz_report_word {
    FUZZ_R_CALLS = 0,     /* calls the workers have begun */
    FUZZ_R_RESTARTS,      /* stopped workers the supervisor restarted */
    FUZZ_R_CANCELS,       /* workers it cancelled out of a long IPC */
    FUZZ_R_VIOLATIONS,    /* results that contradict the ABI (wrong error codes) */
    FUZZ_R_SEED,
    FUZZ_R_DONE,
    FUZZ_R_KPOOL_START,
    FUZZ_R_KPOOL_END,
    FUZZ_R_WORDS
};

/* Words of the LABEL_CPU message. The CPU probes pass if every probe was judged, none was
 * wrong or hung, no invariant broke and the kernel pool got its pages back. */
enum fuzz_cpu_word {
    FUZZ_C_JUDGED = 0,    /* probes judged */
    FUZZ_C_EXPECTED,      /* probes in the table x passes */
    FUZZ_C_WRONG,         /* outcomes other than the expected vector/error/address */
    FUZZ_C_BROKEN,        /* cross-task invariants found broken */
    FUZZ_C_HANGS,         /* probes that neither faulted nor finished */
    FUZZ_C_KPOOL_START,   /* free pool pages before the children were created */
    FUZZ_C_KPOOL_END,     /* and after they were deleted */
    FUZZ_C_AUDITS,        /* victim audits */
    FUZZ_C_WORDS
};

#define FUZZ_DEFAULT_CALLS  100000u
#define FUZZ_DEFAULT_CPU_PASSES 2u      /* cpu_passes= on the command line: 0 skips them */
#define FUZZ_DEFAULT_SEED   0x5eed0001ULL
#define FUZZ_REPORT_TICKS   50u         /* supervisor: a report at least every 50 ms */
#define FUZZ_HEARTBEAT_PRIO 200u        /* root's heartbeat: above the fuzzer's MCP */
#define FUZZ_IRQ_LINE       12u         /* a line root hands the fuzz task (PS/2 mouse: quiet) */

_Static_assert(FUZZ_R_WORDS <= 8, "a report travels in registers");
_Static_assert(FUZZ_C_WORDS <= 8, "the CPU verdict travels in registers");

#endif
