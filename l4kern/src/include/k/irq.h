/*
 * k/irq.h — device interrupts as IPC (l4/irq.h) and I/O ports for user tasks.
 */
#ifndef K_IRQ_H
#define K_IRQ_H

#include <k/ipc.h>
#include <l4/fpage.h>
#include <l4/irq.h>

#define IRQ_VECTOR_BASE 0x30

/* irq.c */
void irq_init(unsigned owner_task);
void irq_fire(unsigned line);
uint64_t irq_ipc(struct tcb *self, const struct ipc_op *op);
unsigned irq_grant(struct task *src, struct task *dst, l4_fpage_t f);
void irq_thread_deleted(struct tcb *t);
void irq_task_deleted(struct task *t);

/* ioapic.c */
void ioapic_init(void);
void ioapic_mask(unsigned line, int masked);

/* ioport.c */
int io_give_all(struct task *t);
unsigned io_grant(struct task *src, struct task *dst, l4_fpage_t f);
void io_revoke(struct task *t, l4_fpage_t f, uint64_t flags, struct task *only);
void io_task_deleted(struct task *t);
void arch_io_switch(struct task *next);

#endif
