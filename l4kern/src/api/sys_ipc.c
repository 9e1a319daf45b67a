/*
 * sys_ipc.c — decode and validate an ipc call (l4/ipc.h), then run it: a closed receive
 * from an interrupt id goes to kernel/irq.c, everything else to kernel/ipc.c. The result
 * word is the call's answer; a malformed call is refused before either phase.
 */
#include <k/ipc.h>
#include <k/irq.h>
#include <k/syscall.h>
#include <arch/sysregs.h>
#include <l4/utcb.h>

static enum l4_error validate(const struct ipc_op *op)
{
    if (op->flags & ~L4_IPC_FLAGS_VALID)
        return reject(L4_ERR_INVALID, "control: unknown flag bits");
    if (!(op->flags & L4_IPC_SEND))
        return L4_OK;
    if (op->tag & L4_TAG_RESERVED)
        return reject(L4_ERR_INVALID, "tag: reserved bits set");
    unsigned u = l4_msgtag_u(op->tag), t = l4_msgtag_t_words(op->tag);
    if (u + t > L4_MSG_MAX_WORDS)
        return reject(L4_ERR_MSG_TOO_LONG, "tag: more words than a message holds");
    if (t & 1)
        return reject(L4_ERR_INVALID, "tag: odd typed words (items are two words each)");
    return L4_OK;
}

/* The general path: everything the fastpath (entered before the dispatcher, entry.S)
 * does not take, and the whole of ipc without it. */
enum l4_error sys_ipc(struct tcb *self, struct trapframe *tf)
{
    struct sysregs_ipc in = sysregs_ipc_in(tf);
    struct ipc_op op = {
        .partner = in.partner,
        .tag = in.tag,
        .flags = l4_ipc_control_flags(in.control),
        .snd_to = l4_ipc_control_snd(in.control),
        .rcv_to = l4_ipc_control_rcv(in.control),
    };
    enum l4_error err = validate(&op);
    if (err)
        return err;
    if (l4_is_irq_id(op.partner) && !(op.flags & L4_IPC_OPEN))
        sysregs_ipc_result(tf, irq_ipc(self, &op));
    else
        sysregs_ipc_result(tf, ipc_do(self, &op));
    return L4_OK;
}
