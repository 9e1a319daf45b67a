/*
 * l4/irq.h — interrupts as IPC.
 *
 * Interrupt line n (0 .. L4_IRQ_LINES-1: ISA IRQ numbers 0..15 — 0 is the PIT, 8 the RTC,
 * 3/4 the UARTs — and 16..23 the PCI lines of the I/O APIC) is named by the thread id
 * l4_irq_id(n) = n + 1 (version 0, never a thread's). The kernel keeps only the local APIC
 * timer; every line here is for user-level drivers. Its owner task holds it through an
 * interrupt flexpage (l4/fpage.h); sigma0 owns them all at boot.
 *
 *  - Attach and wait: a closed receive from l4_irq_id(n). The caller's task must own the
 *    line and no other thread may be attached (else L4_ERR_PERMISSION, receive phase). The
 *    first such receive attaches the caller. Each receive unmasks the line and waits for
 *    the next interrupt (a zero timeout only attaches and unmasks: TIMEOUT, as in V2).
 *  - Delivery: the line is masked when it fires, and the attached thread receives a
 *    message from l4_irq_id(n) with label L4_LABEL_IRQ and no words. An interrupt that fires
 *    while the handler is busy is kept (one, pending) and delivered at its next receive.
 *  - Detach: a send from the attached thread to l4_irq_id(n) (no words) masks the line and
 *    detaches; a thread's deletion detaches it too. Deleting the owner task returns its
 *    lines to sigma0 (or root).
 *  - Ownership: sending an interrupt flexpage moves the line to the receiver's task; the
 *    sender's task must own it and must not have a thread attached.
 */
#ifndef L4_IRQ_H
#define L4_IRQ_H

#include <l4/types.h>

#define L4_IRQ_LINES      24u
#define L4_LABEL_IRQ      0xfffffc00u

static inline l4_threadid_t l4_irq_id(unsigned line) { return (l4_threadid_t)line + 1; }
static inline int l4_is_irq_id(l4_threadid_t t) { return t >= 1 && t <= L4_IRQ_LINES; }
static inline unsigned l4_irq_line(l4_threadid_t t) { return (unsigned)(t - 1); }
static inline uint64_t l4_irqfpage(unsigned line) { return ((uint64_t)line << 12) | 0x800ULL; }

#endif
