/* sys_id_nearest.c — which thread an IPC to a given id would reach (l4/syscalls.h). */
#include <k/syscall.h>
#include <l4/errors.h>
#include <l4/syscalls.h>

void sys_id_nearest(struct tcb *self, struct trapframe *tf)
{
    l4_threadid_t dest = tf->rdi;
    if (l4_tid_is_nil(dest)) {
        tf->rdi = self->id;
        tf->rsi = L4_NEAREST_SAME_CLAN;
        tf->rax = L4_OK;
        return;
    }
    if (!thread_lookup(dest)) {
        tf->rax = L4_ERR_NO_PARTNER;
        return;
    }
    /* Clans and chiefs come with issue 5; until then every task is in one clan. */
    tf->rsi = L4_NEAREST_SAME_CLAN;
    tf->rax = L4_OK;
}
