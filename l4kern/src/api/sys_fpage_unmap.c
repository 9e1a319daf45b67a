/*
 * sys_fpage_unmap.c — recursive revocation with accessed/dirty reporting (l4/fpage.h).
 * The A/D bits are written to the caller's UTCB, which the kernel reaches through its own
 * mapping of the frame.
 */
#include <k/lib.h>
#include <k/space.h>
#include <k/irq.h>
#include <k/syscall.h>
#include <arch/sysregs.h>
#include <l4/errors.h>

/* The one task the call is limited to, if L4_UNMAP_ONE_TASK asks for one; 0 or INVALID. */
static enum l4_error only_task(const struct sysregs_unmap *in, struct task **only)
{
    *only = NULL;
    if (!(in->flags & L4_UNMAP_ONE_TASK))
        return L4_OK;
    *only = in->task < MAX_TASKS_LIVE ? tasks[in->task] : NULL;
    return *only ? L4_OK : reject(L4_ERR_INVALID, "task: no such task");
}

enum l4_error sys_fpage_unmap(struct tcb *self, struct trapframe *tf)
{
    struct sysregs_unmap in = sysregs_unmap_in(tf);
    struct task *only;
    if (in.flags & ~L4_UNMAP_FLAGS)
        return reject(L4_ERR_INVALID, "flags: unknown bits");
    if (!l4_iofpage_valid(in.fpage) && !l4_fpage_valid(in.fpage))
        return reject(L4_ERR_INVALID, "fpage: neither a memory nor an I/O flexpage");
    enum l4_error err = only_task(&in, &only);
    if (err)
        return err;
    if (l4_iofpage_valid(in.fpage)) {
        io_revoke(self->task, in.fpage, in.flags, only);
        sysregs_unmap_out(tf, 1u << ((in.fpage >> 4) & 0x3f));
        return L4_OK;
    }
    uint64_t covered = 0;
    uint64_t *bits = self->utcb->mr;
    memset(bits, 0, L4_UNMAP_MAX_PAGES / 4);
    err = space_unmap(self->task, in.fpage, in.flags, only, &covered, bits);
    sysregs_unmap_out(tf, covered);
    return err;
}
