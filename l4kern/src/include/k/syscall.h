/*
 * k/syscall.h — the seven handlers and their one dispatcher (api/syscall.c).
 *
 * A handler decodes its arguments with arch/sysregs.h (the only place that knows which
 * register carries what), checks all of them, acts, writes its results back through
 * sysregs.h and returns an enum l4_error; the dispatcher writes that status for the
 * caller. ipc alone answers with a result word (l4/ipc.h): its handler writes that word
 * and returns L4_OK, or returns the error of a malformed call, which the dispatcher turns
 * into a send-phase result word.
 *
 * A handler that refuses a call says why with reject(): call, argument and reason reach
 * the kernel log when the call's bit is set in the boot-time trace mask ("trace=" on the
 * command line, docs/ABI.md); with the mask clear a rejection costs one store.
 */
#ifndef K_SYSCALL_H
#define K_SYSCALL_H

#include <k/config.h>
#include <k/thread.h>
#include <l4/errors.h>

typedef enum l4_error (*syscall_fn)(struct tcb *self, struct trapframe *tf);

enum l4_error sys_ipc(struct tcb *self, struct trapframe *tf);
enum l4_error sys_id_nearest(struct tcb *self, struct trapframe *tf);
enum l4_error sys_fpage_unmap(struct tcb *self, struct trapframe *tf);
enum l4_error sys_thread_switch(struct tcb *self, struct trapframe *tf);
enum l4_error sys_thread_schedule(struct tcb *self, struct trapframe *tf);
enum l4_error sys_lthread_ex_regs(struct tcb *self, struct trapframe *tf);
enum l4_error sys_task_new(struct tcb *self, struct trapframe *tf);

/* The entry from entry.S: the call's number decides its handler; any other number is a
 * foreign system call, for the thread's exception handler (kernel/fault.c). */
void syscall_dispatch(struct trapframe *tf);

/* Reads "trace=" from the command line: call names separated by commas, or "all". */
void syscall_trace_init(void);

/* Why the current call is refused; the dispatcher prints it if the call is traced. Call
 * reject() only for the error the handler returns. */
extern const char *syscall_reject_why;

static inline enum l4_error reject(enum l4_error e, const char *why)
{
    if (L4_CONFIG_DEBUG)
        syscall_reject_why = why;
    return e;
}

#endif
