/* sys_id_nearest.c — which thread an IPC to a given id would reach first (l4/syscalls.h,
 * l4/clan.h): the destination itself, the member of the caller's clan holding it, or the
 * caller's chief. */
#include <k/clan.h>
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
    const struct tcb *d = thread_lookup(dest);
    if (!d) {
        tf->rax = L4_ERR_NO_PARTNER;
        return;
    }
    unsigned type;
    const struct task *hop = clan_first_hop(self->task, d->task, &type);
    const struct tcb *first = type == L4_NEAREST_SAME_CLAN ? d : hop ? hop->threads[0] : NULL;
    if (!first) {
        tf->rax = L4_ERR_NO_PARTNER;       /* the chief has no first thread to take it */
        return;
    }
    tf->rdi = first->id;
    tf->rsi = type;
    tf->rax = L4_OK;
}
