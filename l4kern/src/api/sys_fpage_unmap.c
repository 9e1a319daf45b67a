/*
 * sys_fpage_unmap.c — recursive revocation with accessed/dirty reporting (l4/fpage.h).
 * The A/D bits are written to the caller's UTCB, which the kernel reaches through its own
 * mapping of the frame.
 */
#include <k/lib.h>
#include <k/space.h>
#include <k/irq.h>
#include <k/syscall.h>
#include <l4/errors.h>

void sys_fpage_unmap(struct tcb *self, struct trapframe *tf)
{
    l4_fpage_t f = tf->rdi;
    uint64_t flags = tf->rsi;
    struct task *only = NULL;
    if (l4_iofpage_valid(f) && !(flags & ~L4_UNMAP_FLAGS)) {
        only = (flags & L4_UNMAP_ONE_TASK) && tf->rdx < MAX_TASKS_LIVE ? tasks[tf->rdx] : NULL;
        if ((flags & L4_UNMAP_ONE_TASK) && !only) {
            tf->rax = L4_ERR_INVALID;
            return;
        }
        io_revoke(self->task, f, flags, only);
        tf->rax = L4_OK;
        tf->rdi = 1u << ((f >> 4) & 0x3f);
        return;
    }
    if (!l4_fpage_valid(f) || (flags & ~L4_UNMAP_FLAGS)) {
        tf->rax = L4_ERR_INVALID;
        return;
    }
    if (flags & L4_UNMAP_ONE_TASK) {
        only = tf->rdx < MAX_TASKS_LIVE ? tasks[tf->rdx] : NULL;
        if (!only) {
            tf->rax = L4_ERR_INVALID;
            return;
        }
    }
    uint64_t covered = 0;
    uint64_t *bits = self->utcb->mr;
    memset(bits, 0, L4_UNMAP_MAX_PAGES / 4);
    tf->rax = space_unmap(self->task, f, flags, only, &covered, bits);
    tf->rdi = covered;
}
