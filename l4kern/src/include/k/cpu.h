/*
 * k/cpu.h — per-CPU state and the hooks generic code calls into the architecture.
 * One CPU today; nothing reaches "current" except through this_cpu(), so SMP stays open.
 */
#ifndef K_CPU_H
#define K_CPU_H

#include <stdint.h>

struct tcb;

struct percpu {
    struct percpu *self;      /* offset 0 */
    uint64_t user_rsp;        /* offset 8: scratch for syscall entry (entry.S) */
    struct tcb *current;
    struct tcb *idle;
    struct tcb *fpu_owner;    /* whose registers the FPU holds */
    int need_resched;
    uint64_t idle_since;      /* TSC when the idle thread halted; 0 when not halted */
    uint64_t acct_since;      /* TSC from which CPU time is current's to be charged */
};

extern struct percpu cpu0;
static inline struct percpu *this_cpu(void) { return &cpu0; }
static inline struct tcb *current(void) { return cpu0.current; }

extern uint64_t xsave_mask;         /* XCR0 components saved per thread */
extern uint32_t xsave_size;

void cpu_init(void);
void arch_segs_load(uint64_t want, uint16_t gs);   /* arch/segs.h's slow part */
void arch_fpu_init_area(void *area);

/* apic.c */
void apic_init(void);
void apic_eoi(void);
extern uint64_t tsc_hz;

/* rtc.c */
uint64_t rtc_read_unix_time(void);

#endif
