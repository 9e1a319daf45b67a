/*
 * arch/fpu.h — the eager switch of the user FPU state (a lazy one leaks it: LazyFP),
 * inline for the switch path (arch/switch.h); cpu.c sets it up. The FPU holds the state
 * of fpu_owner. State in its initial configuration is neither saved nor restored: the
 * outgoing thread is marked fpu_initial instead, and a marked thread is restored only if
 * the registers hold something else (from the initial image, never from its stale area).
 * "Initial" is XINUSE clear for every component (xgetbv 1) with MXCSR, which XINUSE does
 * not cover, at its default — on a CPU whose XINUSE cpu.c found honest at boot (it reads
 * "initial" right after an initialising restore). QEMU's TCG reports every component in
 * use, always: there every switch saves and restores.
 */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include <k/cpu.h>
#include <k/thread.h>
#include <k/x86.h>

#define MXCSR_DEFAULT 0x1f80u

extern int xinuse_tracked;
extern uint8_t fpu_init_state[TCB_FPU_AREA];

static inline int arch_fpu_initial(void)
{
    return !(xgetbv(1) & xsave_mask) && stmxcsr() == MXCSR_DEFAULT;
}

static inline __attribute__((always_inline)) void arch_fpu_switch(struct percpu *c, struct tcb *next)
{
    struct tcb *prev = c->fpu_owner;
    if (prev == next)
        return;
    c->fpu_owner = next;
    if (!xinuse_tracked) {                  /* nothing known: save and restore */
        if (prev)
            xsave_all(prev->fpu);
        xrstor_all(next->fpu);
        return;
    }
    int initial = arch_fpu_initial();
    if (prev) {
        prev->fpu_initial = (uint8_t)initial;
        if (!initial)
            xsave_all(prev->fpu);
    }
    if (!next->fpu_initial)
        xrstor_all(next->fpu);
    else if (!initial)
        xrstor_all(fpu_init_state);
}

#endif
