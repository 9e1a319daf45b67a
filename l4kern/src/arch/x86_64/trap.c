/*
 * trap.c — interrupts and exceptions: the vector decoded, the exception words filled
 * from the saved registers (and a handler's reply written back into them); what a user
 * fault becomes is kernel/fault.c's policy. Only an exception in the kernel itself
 * panics. The timer tick drives time slices and timeouts. System calls enter through
 * api/syscall.c.
 */
#include <k/cpu.h>
#include <k/fault.h>
#include <k/kdebug.h>
#include <k/lib.h>
#include <k/log.h>
#include <k/sched.h>
#include <k/ipc.h>
#include <k/irq.h>
#include <k/space.h>
#include <k/x86.h>
#include <l4/fault.h>
#include <l4/syscalls.h>
#include <arch/sysregs.h>

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

/* The exception words of l4/fault.h, from the thread's saved registers. */
void arch_exception_words(struct tcb *t, const struct trapframe *tf, unsigned vector, uint64_t addr)
{
    uint64_t *w = t->kmsg;
    w[L4_EXC_VECTOR] = vector; w[L4_EXC_ERROR] = tf->error; w[L4_EXC_ADDR] = addr;
    w[L4_EXC_RIP] = tf->rip; w[L4_EXC_RFLAGS] = tf->rflags; w[L4_EXC_RSP] = tf->rsp;
    w[L4_EXC_RAX] = tf->rax; w[L4_EXC_RBX] = tf->rbx; w[L4_EXC_RCX] = tf->rcx;
    w[L4_EXC_RDX] = tf->rdx; w[L4_EXC_RSI] = tf->rsi; w[L4_EXC_RDI] = tf->rdi;
    w[L4_EXC_RBP] = tf->rbp; w[L4_EXC_R8] = tf->r8; w[L4_EXC_R9] = tf->r9;
    w[L4_EXC_R10] = tf->r10; w[L4_EXC_R11] = tf->r11; w[L4_EXC_R12] = tf->r12;
    w[L4_EXC_R13] = tf->r13; w[L4_EXC_R14] = tf->r14; w[L4_EXC_R15] = tf->r15;
    w[L4_EXC_FS] = t->fs_base; w[L4_EXC_GS] = t->gs_base;
}

/* A full reply from the handler (validated in ipc.c) sets the thread's registers. */
void arch_exception_reply(struct tcb *t, struct trapframe *tf)
{
    const uint64_t *w = t->kmsg;
    tf->rip = w[L4_EXC_RIP]; tf->rsp = w[L4_EXC_RSP];
    tf->rflags = (w[L4_EXC_RFLAGS] & L4_USER_RFLAGS_MASK) | RFLAGS_USER_DEFAULT;
    tf->rax = w[L4_EXC_RAX]; tf->rbx = w[L4_EXC_RBX]; tf->rcx = w[L4_EXC_RCX];
    tf->rdx = w[L4_EXC_RDX]; tf->rsi = w[L4_EXC_RSI]; tf->rdi = w[L4_EXC_RDI];
    tf->rbp = w[L4_EXC_RBP]; tf->r8 = w[L4_EXC_R8]; tf->r9 = w[L4_EXC_R9];
    tf->r10 = w[L4_EXC_R10]; tf->r11 = w[L4_EXC_R11]; tf->r12 = w[L4_EXC_R12];
    tf->r13 = w[L4_EXC_R13]; tf->r14 = w[L4_EXC_R14]; tf->r15 = w[L4_EXC_R15];
    t->fs_base = w[L4_EXC_FS];
    t->gs_base = w[L4_EXC_GS];
    wrmsr(MSR_FS_BASE, t->fs_base);
    wrmsr(MSR_KERNEL_GS_BASE, t->gs_base);
}

/* A foreign system call's short message (l4/fault.h). */
void arch_syscall_words(struct tcb *t, const struct trapframe *tf)
{
    const uint64_t w[L4_EXS_WORDS] = SYSREGS_SYSCALL_WORDS(tf);
    _Static_assert(sizeof(w) <= sizeof(t->kmsg), "the short message fits a kernel message");
    memcpy(t->kmsg, w, sizeof(w));
}

/* A short reply (u < L4_EXR_WORDS + 1 words, FS checked by ipc.c): RAX, then FS. */
void arch_syscall_reply(struct tcb *t, struct trapframe *tf, unsigned u)
{
    if (u > L4_EXR_RAX)
        sysregs_syscall_result(tf, t->kmsg[L4_EXR_RAX]);
    if (u > L4_EXR_FS) {
        t->fs_base = t->kmsg[L4_EXR_FS];
        wrmsr(MSR_FS_BASE, t->fs_base);
    }
}

/* A user page fault: the access from the error code, the policy in fault.c. */
static void page_fault(struct trapframe *tf, uint64_t addr)
{
    unsigned access = tf->error & 0x2 ? L4_FPAGE_W : tf->error & 0x10 ? L4_FPAGE_X : L4_FPAGE_R;
    fault_page(current(), tf, addr, access, tf->rip);
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
    } else if (v >= IRQ_VECTOR_BASE && v < IRQ_VECTOR_BASE + L4_IRQ_LINES) {
        sched_idle_end();
        irq_fire((unsigned)(v - IRQ_VECTOR_BASE));
    } else if (v < 32) {
        uint64_t cr2 = v == 14 ? READ_CR(2) : 0;
        if (!tf_from_user(tf))
            panic_frame(tf, "kernel exception %lu (%s)", v, exc_name(v));
        if (v == 14)
            page_fault(tf, cr2);
        else if (v != 3 || !kdebug_trap(tf))
            fault_exception(current(), tf, (unsigned)v, 0, (unsigned)v, exc_name(v));
    } else {
        klog(LOG_WARN, "unexpected interrupt %lu", v);
        apic_eoi();
    }
    if (tf_from_user(tf))
        resched_if_needed();
}
