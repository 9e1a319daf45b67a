/* sys_fpage_unmap.c — numbered in the ABI; the mapping database arrives with the
 * address-space issue. Until then the call reports that this kernel lacks it. */
#include <k/syscall.h>
#include <l4/errors.h>

void sys_fpage_unmap(struct tcb *self, struct trapframe *tf)
{
    (void)self;
    tf->rax = L4_ERR_UNSUPPORTED;
}
