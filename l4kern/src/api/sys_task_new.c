/* sys_task_new.c — numbered in the ABI; task creation from user level arrives with the
 * address-space issue. Until then the call reports that this kernel lacks it. */
#include <k/syscall.h>
#include <l4/errors.h>

void sys_task_new(struct tcb *self, struct trapframe *tf)
{
    (void)self;
    tf->rax = L4_ERR_UNSUPPORTED;
}
