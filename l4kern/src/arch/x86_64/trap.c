/*
 * trap.c — interrupts, exceptions and the system-call dispatch.
 *
 * A user thread's exception stops that thread with a log line (the address-space issue
 * turns this into exception IPC to its handler); only an exception in the kernel itself
 * panics. The timer tick drives time slices and timeouts.
 */
#include <k/cpu.h>
#include <k/kdebug.h>
#include <k/log.h>
#include <k/sched.h>
#include <k/syscall.h>
#include <k/x86.h>
#include <l4/syscalls.h>

#define VEC_TIMER    32
#define VEC_SPURIOUS 0xff

static const char *const exc_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection",
    "page fault", "reserved", "x87 FP error", "alignment check", "machine check",
    "SIMD FP error", "virtualization", "control protection",
};

static const char *exc_name(uint64_t v)
{
    return v < 32 && exc_names[v] ? exc_names[v] : "reserved";
}

/* Stops the current thread for an exception or a call it cannot make. */
static void user_fault(struct trapframe *tf, unsigned vector, uint64_t addr, const char *what)
{
    struct tcb *t = current();
    klog(LOG_WARN, "thread %lx stopped: %s at rip %lx (error %lx, address %lx)",
         t->id, what, tf->rip, tf->error, addr);
    t->fault_vector = (uint8_t)vector;
    t->fault_addr = addr;
    t->faulted = 1;
    thread_stop(t);
}

static void resched_if_needed(void)
{
    if (this_cpu()->need_resched)
        schedule();
}

void trap_dispatch(struct trapframe *tf)
{
    uint64_t v = tf->vector;
    if (v == VEC_TIMER) {
        apic_eoi();
        sched_tick();
    } else if (v == VEC_SPURIOUS) {
        return;
    } else if (v < 32) {
        uint64_t cr2 = v == 14 ? READ_CR(2) : 0;
        if (!tf_from_user(tf))
            panic_frame(tf, "kernel exception %lu (%s)", v, exc_name(v));
        if (v != 3 || !kdebug_trap(tf))
            user_fault(tf, (unsigned)v, cr2, exc_name(v));
    } else {
        klog(LOG_WARN, "unexpected interrupt %lu", v);
        apic_eoi();
    }
    if (tf_from_user(tf))
        resched_if_needed();
}

void syscall_dispatch(struct trapframe *tf)
{
    uint64_t n = tf->rax - L4_SYS_BASE;
    if (n < L4_SYS_COUNT)
        syscall_table[n](current(), tf);
    else
        user_fault(tf, L4_FAULT_BAD_SYSCALL, tf->rax, "unknown system call");
    resched_if_needed();
}
