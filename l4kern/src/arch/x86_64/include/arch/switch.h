/*
 * arch/switch.h — the CPU's side of a thread switch, without the stack: time accounting,
 * the current pointer, data selectors, the address space and its I/O bitmap, the FPU,
 * the FS/GS bases and the kernel stack of the next entry. sched.c then switches stacks
 * with switch_context; the IPC fastpath may instead leave for next's user frame directly
 * (fastpath/fastpath.c). Inline because both are hot; `users` says both threads are user
 * threads (the fastpath's case), so the compiler drops the checks for kernel threads, and
 * leaves time accounting to the next tick or scheduler switch (sched.c).
 */
#ifndef ARCH_SWITCH_H
#define ARCH_SWITCH_H

#include <k/cpu.h>
#include <k/irq.h>
#include <k/mem.h>
#include <k/thread.h>
#include <k/x86.h>
#include <arch/fpu.h>
#include <arch/segs.h>
#include <arch/tss.h>

extern const uint8_t *io_loaded;            /* ioport.c: the bitmap behind the TSS */

/* The TSS maps a bitmap only while a port holder runs (ioport.c): a holder whose bitmap
 * is the one mapped, and leaving one, are a store; between two tasks that hold none
 * nothing changes. A prev without a task (idle) says nothing about the TSS: full switch. */
static inline __attribute__((always_inline)) void arch_io_switch_fast(struct task *pt, struct task *nt)
{
    if (nt->iobm) {
        if (pt && nt->iobm == io_loaded)
            the_tss.iomap_base = (uint16_t)sizeof(struct tss);
        else
            arch_io_switch(nt);
    } else if (!pt || pt->iobm) {
        the_tss.iomap_base = TSS_IOMAP_NONE;
    }
}

static inline __attribute__((always_inline)) void
arch_switch_cpu(struct percpu *c, struct tcb *prev, struct tcb *next, int users)
{
    if (!users) {                           /* the fastpath's hand-offs are sampled (sched.c) */
        uint64_t now = rdtsc();
        prev->consumed_tsc += now - c->acct_since;
        c->acct_since = now;
    }
    c->current = next;
    arch_segs_switch(prev, next, users);           /* before the bases: a selector load sets one */
    if (users || next->task) {
        struct task *pt = prev->task, *nt = next->task;
        if ((!users && !pt) || pt->cr3 != nt->cr3) {
            WRITE_CR(3, nt->cr3);
            arch_io_switch_fast(pt, nt);
        }
        arch_fpu_switch(c, next);
        /* Always: a user thread changes its live base by loading a segment register, so
         * "the base loaded last" is not worth caching (one leaked into another task). */
        wrmsr(MSR_FS_BASE, next->fs_base);
        wrmsr(MSR_KERNEL_GS_BASE, next->gs_base);   /* user GS waits there until swapgs */
    }
    the_tss.rsp[0] = next->kstack_top;
}

#endif
