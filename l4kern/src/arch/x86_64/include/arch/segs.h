/*
 * arch/segs.h — the user data selectors (DS, ES, FS, GS) belong to the thread that loaded
 * them. iretq keeps them, so without this the next thread to run, in any task, would see
 * them (a covert channel the hostile suite found). The CPU's values are the last user
 * thread's (the kernel never loads them after boot): they are saved into prev if it is a
 * user thread, and next's loaded where they differ. Inline and cheap when all are null,
 * as they nearly always are: four reads and a test. A GS selector load sets the base of
 * the GS in use, which in the kernel is the per-CPU area: arch_segs_load does it between
 * two swapgs (interrupts are off), and sched.c writes the bases after this anyway.
 */
#ifndef ARCH_SEGS_H
#define ARCH_SEGS_H

#include <k/cpu.h>
#include <k/thread.h>

static inline __attribute__((always_inline)) void
arch_segs_switch(struct tcb *prev, struct tcb *next, int users)   /* users: both have tasks */
{
    uint16_t ds, es, fs, gs;
    __asm__ volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
                     : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs));
    uint64_t cur = 0;
    if (__builtin_expect(ds | es | fs | gs, 0))
        cur = ds | (uint64_t)es << 16 | (uint64_t)fs << 32 | (uint64_t)gs << 48;
    if (users || prev->task)
        prev->segs = cur;
    if ((users || next->task) && __builtin_expect(next->segs != cur, 0))
        arch_segs_load(next->segs, gs);
}

#endif
