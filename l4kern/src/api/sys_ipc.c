/*
 * sys_ipc.c — decode and validate an ipc call (l4/ipc.h), then run it (kernel/ipc.c).
 */
#include <k/config.h>
#include <k/fastpath.h>
#include <k/ipc.h>
#include <k/syscall.h>
#include <l4/utcb.h>

static unsigned validate(const struct ipc_op *op)
{
    if (op->flags & ~L4_IPC_FLAGS_VALID)
        return L4_ERR_INVALID;
    if (!(op->flags & L4_IPC_SEND))
        return L4_OK;
    if (op->tag & L4_TAG_RESERVED)
        return L4_ERR_INVALID;
    unsigned u = l4_msgtag_u(op->tag), t = l4_msgtag_t_words(op->tag);
    if (u + t > L4_MSG_MAX_WORDS)
        return L4_ERR_MSG_TOO_LONG;
    if (t & 1)
        return L4_ERR_INVALID;         /* map and grant items are two words each */
    return L4_OK;
}

void sys_ipc(struct tcb *self, struct trapframe *tf)
{
    if (L4_CONFIG_FASTPATH && fastpath_ipc(self, tf))
        return;
    struct ipc_op op = {
        .partner = tf->rdi,
        .tag = tf->rsi,
        .flags = (unsigned)(tf->r10 >> 32),
        .snd_to = (l4_timeout_t)(tf->r10 & 0xffff),
        .rcv_to = (l4_timeout_t)((tf->r10 >> 16) & 0xffff),
    };
    unsigned err = validate(&op);
    if (err) {
        tf->rax = ipc_result(err, 0);
        return;
    }
    tf->rax = ipc_do(self, &op);
}
