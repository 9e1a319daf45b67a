/*
 * sas/proto/root.h — what the root task's children say to it. Root is the pager and
 * exception handler of every boot program it starts (task_new); the same thread takes:
 *
 *   ROOT_EXIT   MR0 = exit code (0..255): the task is done. Root logs
 *               "root: task N 'name' exited with code C", deletes the task and returns
 *               its frames to sigma0. There is no reply: the caller ceases to exist.
 *   page faults inside the program's ELF segments: root maps a page of its own with the
 *               segment's bytes (zeros past the file part) and the segment's rights.
 *   anything a task cannot survive (a fault outside its segments, a write to read-only
 *   memory, an exception, an unknown system call) ends it as ROOT_EXIT would, with code
 *   ROOT_EXIT_FAULT for a page fault and ROOT_EXIT_EXCEPTION + vector for an exception
 *   (L4_FAULT_BAD_SYSCALL's 255 for a foreign `syscall`), as a shell reports signals.
 * Any other label from a child is answered with label SAS_ENOTSUP and no words.
 */
#ifndef SAS_PROTO_ROOT_H
#define SAS_PROTO_ROOT_H

#include <l4/syscalls.h>

#define ROOT_EXIT            0x524f0001u
#define ROOT_EXIT_FAULT      139u          /* 128 + SIGSEGV */
#define ROOT_EXIT_EXCEPTION  256u          /* + vector: 256..511 */

/* Ends the calling task with `code`: tells its pager (root) and waits to be deleted. */
static inline __attribute__((noreturn)) void root_exit(unsigned code)
{
    struct l4_exregs x = { .control = 0 };
    l4_lthread_ex_regs(&x);
    for (;;) {
        l4_msg_t m = { { code } };
        l4_call(x.pager, l4_msgtag(ROOT_EXIT, 1, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    }
}

#endif
