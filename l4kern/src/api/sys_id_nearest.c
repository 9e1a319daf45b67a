/* sys_id_nearest.c — which thread an IPC to a given id would reach first (l4/syscalls.h,
 * l4/clan.h): the destination itself, the member of the caller's clan holding it, or the
 * caller's chief. */
#include <k/clan.h>
#include <k/syscall.h>
#include <arch/sysregs.h>
#include <l4/errors.h>
#include <l4/syscalls.h>

/* A destination other than nil: out of line, so asking for one's own id saves no register. */
static __attribute__((noinline)) enum l4_error nearest(struct tcb *self, struct trapframe *tf,
                                                       l4_threadid_t dest)
{
    const struct tcb *d = thread_lookup(dest);
    if (!d)
        return reject(L4_ERR_NO_PARTNER, "destination: no such thread");
    unsigned type;
    const struct task *hop = clan_first_hop(self->task, d->task, &type);
    const struct tcb *first = type == L4_NEAREST_SAME_CLAN ? d : hop ? hop->threads[0] : NULL;
    if (!first)
        return reject(L4_ERR_NO_PARTNER, "destination: its first hop has no lthread 0");
    sysregs_nearest_out(tf, first->id, type);
    return L4_OK;
}

enum l4_error sys_id_nearest(struct tcb *self, struct trapframe *tf)
{
    l4_threadid_t dest = sysregs_nearest_in(tf);
    if (!l4_tid_is_nil(dest))
        return nearest(self, tf, dest);
    sysregs_nearest_out(tf, self->id, L4_NEAREST_SAME_CLAN);
    return L4_OK;
}
