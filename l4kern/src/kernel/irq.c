/*
 * irq.c — device interrupts as IPC (l4/irq.h). A line has an owner task, at most one
 * attached handler thread, and one pending bit. The line stays masked except while its
 * handler waits, so a level-triggered device cannot storm the kernel and an edge is never
 * lost: it is kept pending until the handler asks again.
 */
#include <k/cpu.h>
#include <k/irq.h>
#include <k/sched.h>
#include <k/x86.h>
#include <arch/sysregs.h>
#include <l4/fault.h>

struct irq_line {
    unsigned owner;              /* task number */
    struct tcb *handler;
    uint8_t pending;
};

static struct irq_line lines[L4_IRQ_LINES];
static unsigned boot_owner;

void irq_init(unsigned owner_task)
{
    boot_owner = owner_task;
    for (unsigned i = 0; i < L4_IRQ_LINES; i++)
        lines[i] = (struct irq_line){ .owner = owner_task };
    ioapic_init();
}

static int waiting_for(const struct tcb *t, unsigned line)
{
    return t->state == L4_TSTATE_RECEIVING && !(t->ipc_flags & L4_IPC_OPEN) &&
           t->partner == l4_irq_id(line) && !t->kcall;
}

/* Hands the interrupt to the handler as a message from the line's id. */
static void deliver(struct tcb *h, unsigned line)
{
    h->ipc_rcv_tag = l4_msgtag(L4_LABEL_IRQ, 0, 0);
    sysregs_ipc_from(h->tf, l4_irq_id(line));
}

void irq_fire(unsigned line)
{
    ioapic_mask(line, 1);
    apic_eoi();
    struct irq_line *l = &lines[line];
    struct tcb *h = l->handler;
    if (h && waiting_for(h, line)) {
        deliver(h, line);
        timeout_disarm(h);
        h->ipc_err = L4_OK;
        sched_ready(h);
    } else {
        l->pending = 1;
    }
}

static uint64_t detach(struct tcb *self, unsigned line)
{
    struct irq_line *l = &lines[line];
    if (l->handler != self)
        return ipc_result(L4_ERR_PERMISSION, 0);
    ioapic_mask(line, 1);
    l->handler = NULL;
    l->pending = 0;
    return 0;
}

static uint64_t wait_irq(struct tcb *self, unsigned line, l4_timeout_t to)
{
    struct irq_line *l = &lines[line];
    if (line == 2 || l->owner != self->task->num || (l->handler && l->handler != self))
        return ipc_result(L4_ERR_PERMISSION, 1);
    l->handler = self;
    if (l->pending) {
        l->pending = 0;
        deliver(self, line);
        return self->ipc_rcv_tag;
    }
    ioapic_mask(line, 0);
    if (l4_timeout_to_us(to) == 0)
        return ipc_result(L4_ERR_TIMEOUT, 1);
    unsigned err = ipc_block(self, l4_irq_id(line), to);
    return err ? ipc_result(err, 1) : self->ipc_rcv_tag;
}

/* An ipc whose partner is an interrupt id: a pure receive waits, a pure send detaches. */
uint64_t irq_ipc(struct tcb *self, const struct ipc_op *op)
{
    unsigned line = l4_irq_line(op->partner);
    unsigned phases = op->flags & (L4_IPC_SEND | L4_IPC_RECV);
    if (!phases)
        return 0;
    if (phases == L4_IPC_SEND)
        return detach(self, line);
    if (phases == L4_IPC_RECV)
        return wait_irq(self, line, op->rcv_to);
    return ipc_result(L4_ERR_INVALID, 0);
}

unsigned irq_grant(struct task *src, struct task *dst, l4_fpage_t f)
{
    unsigned line = (unsigned)((f >> 12) & 0xff);
    if ((f >> 20) || (f & 0x3ff) || line >= L4_IRQ_LINES || lines[line].owner != src->num ||
        lines[line].handler)
        return L4_ERR_MAP_FAILED;
    lines[line].owner = dst->num;
    return L4_OK;
}

void irq_thread_deleted(struct tcb *t)
{
    for (unsigned i = 0; i < L4_IRQ_LINES; i++)
        if (lines[i].handler == t)
            detach(t, i);
}

void irq_task_deleted(struct task *t)
{
    for (unsigned i = 0; i < L4_IRQ_LINES; i++)
        if (lines[i].owner == t->num) {
            ioapic_mask(i, 1);
            lines[i] = (struct irq_line){ .owner = boot_owner };
        }
}
