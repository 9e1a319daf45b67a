/* sys_thread_switch.c — yield, or donate the rest of the time slice (l4/thread.h). */
#include <k/sched.h>
#include <k/syscall.h>
#include <arch/sysregs.h>
#include <l4/errors.h>

enum l4_error sys_thread_switch(struct tcb *self, struct trapframe *tf)
{
    (void)self;
    l4_threadid_t dest = sysregs_switch_in(tf);
    if (l4_tid_is_nil(dest))
        sched_yield();
    else
        sched_donate(thread_lookup(dest));
    return L4_OK;
}
