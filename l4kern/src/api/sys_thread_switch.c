/* sys_thread_switch.c — yield, or donate the rest of the time slice (l4/thread.h). */
#include <k/sched.h>
#include <k/syscall.h>
#include <l4/errors.h>

void sys_thread_switch(struct tcb *self, struct trapframe *tf)
{
    (void)self;
    l4_threadid_t dest = tf->rdi;
    tf->rax = L4_OK;
    if (l4_tid_is_nil(dest))
        sched_yield();
    else
        sched_donate(thread_lookup(dest));
}
