/*
 * l4/thread.h — lthread_ex_regs, thread_switch and thread_schedule: their control words,
 * thread states and register ABI.
 *
 * lthread_ex_regs (rax = L4_SYS_LTHREAD_EX_REGS) acts on a thread of the caller's task:
 *   in   rdi  control: [6..0] lthread number, plus L4_EXREGS_* bits below
 *        rsi  ip    rdx  sp    r10  rflags   r8  FS base   r9  GS base
 *        r12  pager           r13  exception handler
 *   out  rax  enum l4_error
 *        rdi  the thread's global id
 *        rsi rdx r10 r8 r9 r12 r13  the values before the call (read-only if no SET bit)
 *        r14  state word: [7..0] enum l4_thread_state, [15..8] vector of the last
 *             exception that stopped it, bit 16 set if such an exception is recorded
 *        r15  fault address of that exception: CR2 for a page fault, the number for a
 *             foreign system call (l4/fault.h), else 0
 * Creating: SET_IP|SET_SP on an lthread that does not exist yet creates it with the
 * caller's priority, time slice, pager and exception handler (SET_PAGER/SET_EXCH override).
 * Restarting: SET_IP|SET_SP on a stopped thread makes it runnable again.
 * Errors: INVALID (unknown bits, lthread out of range, non-canonical ip/sp/FS/GS base,
 * creating without both ip and sp), NO_PARTNER (reading a thread that does not exist),
 * NO_MEMORY (kernel pool exhausted while creating).
 *
 * thread_switch (rax = L4_SYS_THREAD_SWITCH): rdi = nil to yield; else a thread to donate
 * the rest of the time slice to (if it is ready; otherwise a plain yield). rax = L4_OK.
 *
 * thread_schedule (rax = L4_SYS_THREAD_SCHEDULE): read and set a thread's parameters.
 *   in   rdi  thread id    rsi  L4_SCHED_SET_* bits    rdx  priority   r10  time slice (µs)
 *   out  rax  enum l4_error    rdx  old priority   r10  old time slice (µs)
 *        r8  state word (as r14 of ex_regs)   r9  consumed time (µs)   r12  IPC partner
 * Errors: NO_PARTNER (no such thread), PERMISSION (setting a priority above the caller's
 * task's maximum controlled priority, or changing a thread whose priority is above it),
 * INVALID (priority > 255, time slice 0 or above L4_SCHED_MAX_SLICE_US, unknown bits).
 */
#ifndef L4_THREAD_H
#define L4_THREAD_H

#include <l4/types.h>

#define L4_EXREGS_LTHREAD_MASK 0x7fULL
#define L4_EXREGS_SET_IP     (1ULL << 8)
#define L4_EXREGS_SET_SP     (1ULL << 9)
#define L4_EXREGS_SET_FLAGS  (1ULL << 10)
#define L4_EXREGS_SET_FS     (1ULL << 11)
#define L4_EXREGS_SET_GS     (1ULL << 12)
#define L4_EXREGS_SET_PAGER  (1ULL << 13)
#define L4_EXREGS_SET_EXCH   (1ULL << 14)
#define L4_EXREGS_CANCEL     (1ULL << 15)  /* abort an ongoing IPC with L4_ERR_CANCELLED */
#define L4_EXREGS_HALT       (1ULL << 16)  /* stop the thread (after any SET is applied) */
#define L4_EXREGS_VALID      (L4_EXREGS_LTHREAD_MASK | 0x1ff00ULL)

/* RFLAGS bits a user may set: CF PF AF ZF SF TF DF OF AC ID. IF is always on; IOPL, NT,
 * VM, RF, VIF, VIP are never the user's. */
#define L4_USER_RFLAGS_MASK  0x00240dd5ULL

enum l4_thread_state {
    L4_TSTATE_INVALID   = 0,   /* no such thread */
    L4_TSTATE_READY     = 1,   /* running or ready to run */
    L4_TSTATE_SENDING   = 2,   /* blocked in an IPC send phase */
    L4_TSTATE_RECEIVING = 3,   /* blocked in an IPC receive phase */
    L4_TSTATE_STOPPED   = 4,   /* halted, or stopped by an exception it could not take */
};
#define L4_STATE_FAULTED     (1u << 16)
#define L4_FAULT_BAD_SYSCALL 0xffu     /* "vector" recorded for an unknown system call */

#define L4_SCHED_SET_PRIO    0x1ULL
#define L4_SCHED_SET_SLICE   0x2ULL
#define L4_SCHED_MAX_PRIO    255u
#define L4_SCHED_MAX_SLICE_US 1000000u

#endif
