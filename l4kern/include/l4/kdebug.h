/*
 * l4/kdebug.h — the kernel-debugger trap, in L4's style: `int3` followed by
 * `cmpb $OP, %al`. It is not a system call: the kernel recognises it by the two bytes
 * after the int3 (0x3c OP); a plain int3 remains an ordinary breakpoint exception. On
 * return the cmpb executes harmlessly (it changes only the flags). Every user pointer the
 * kernel reads here is checked against the caller's address space first.
 *
 *   L4_KDB_PUTC   rdi = character
 *   L4_KDB_PUTS   rdi = pointer, rsi = length (at most L4_KDB_MAX_STRING bytes are shown)
 *   L4_KDB_ENTER  rdi = pointer, rsi = length: logs "kdb enter: <text>" and the caller's
 *                 registers, then continues (there is no interactive debugger)
 *   L4_KDB_EXIT   rdi = code: ends the emulation with isa-debug-exit code `code` (1..127).
 *                 Only the root task may do this; others get a log line and continue.
 * Output goes to the kernel's own debug port, interleaved with the kernel log.
 */
#ifndef L4_KDEBUG_H
#define L4_KDEBUG_H

#include <l4/types.h>

#define L4_KDB_PUTC   0
#define L4_KDB_PUTS   1
#define L4_KDB_ENTER  2
#define L4_KDB_EXIT   3
#define L4_KDB_CMP_OPCODE 0x3c    /* cmpb $imm8, %al */
#define L4_KDB_MAX_STRING 4096

#ifndef L4_KERNEL
#define L4_KDB_TRAP_(op, a, b) \
    __asm__ volatile("int3\n\tcmpb %[o], %%al" \
                     : : [o] "i"(op), "D"(a), "S"(b) : "cc", "memory")

static inline void l4_kdb_putc(int c) { L4_KDB_TRAP_(L4_KDB_PUTC, (l4_word_t)c, 0); }
static inline void l4_kdb_puts(const char *s, l4_word_t len)
{
    L4_KDB_TRAP_(L4_KDB_PUTS, s, len);
}
static inline void l4_kdb_enter(const char *s, l4_word_t len)
{
    L4_KDB_TRAP_(L4_KDB_ENTER, s, len);
}
static inline void l4_kdb_exit(unsigned code) { L4_KDB_TRAP_(L4_KDB_EXIT, (l4_word_t)code, 0); }
#endif

#endif
