/*
 * kdebug.c — the kernel-debugger trap: user output and test exits on the kernel's debug
 * port. Every user byte read here is first checked to be mapped user-readable in the
 * caller's address space, then read with SMAP opened for just that copy.
 */
#include <k/cpu.h>
#include <k/kdebug.h>
#include <k/lib.h>
#include <k/log.h>
#include <k/mem.h>
#include <k/thread.h>
#include <k/x86.h>
#include <l4/kdebug.h>

static int copy_from_user(void *dst, uint64_t src, uint64_t len)
{
    if (!pt_user_range_ok(current()->task->pml4, src, len, 0))
        return -1;
    stac();
    memcpy(dst, (const void *)src, len);
    clac();
    return 0;
}

/* Writes a user string to the debug port, a chunk at a time; -1 if any part is bad. */
static int put_user_string(uint64_t s, uint64_t len)
{
    char buf[128];
    len = MIN(len, (uint64_t)L4_KDB_MAX_STRING);
    while (len) {
        uint64_t n = MIN(len, sizeof(buf));
        if (copy_from_user(buf, s, n))
            return -1;
        log_write(buf, n);
        s += n;
        len -= n;
    }
    return 0;
}

void kdebug_dump_regs(const struct trapframe *tf)
{
    kprintf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", tf->rax, tf->rbx, tf->rcx, tf->rdx);
    kprintf("  rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n", tf->rsi, tf->rdi, tf->rbp, tf->rsp);
    kprintf("  r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n", tf->r8, tf->r9, tf->r10, tf->r11);
    kprintf("  r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n", tf->r12, tf->r13, tf->r14, tf->r15);
    kprintf("  rip %016lx rflags %016lx\n", tf->rip, tf->rflags);
}

int kdebug_trap(struct trapframe *tf)
{
    uint8_t insn[2];
    if (copy_from_user(insn, tf->rip, 2) || insn[0] != L4_KDB_CMP_OPCODE)
        return 0;
    struct tcb *t = current();
    switch (insn[1]) {
    case L4_KDB_PUTC:
        log_putc((int)(tf->rdi & 0xff));
        break;
    case L4_KDB_PUTS:
        if (put_user_string(tf->rdi, tf->rsi))
            klog(LOG_WARN, "kdebug: thread %lx passed a bad string %lx+%lx", t->id, tf->rdi, tf->rsi);
        break;
    case L4_KDB_ENTER:
        kprintf("[l4kern kdb] enter from thread %lx at rip %lx: ", t->id, tf->rip);
        put_user_string(tf->rdi, tf->rsi);
        kprintf("\n");
        kdebug_dump_regs(tf);
        break;
    case L4_KDB_EXIT:
        if (t->task->num == L4_TASK_ROOT && tf->rdi >= 1 && tf->rdi <= 127) {
            klog(LOG_INFO, "root task ends the run with code %lu", tf->rdi);
            machine_exit((unsigned)tf->rdi);
        }
        klog(LOG_WARN, "kdebug: exit(%lu) refused for thread %lx", tf->rdi, t->id);
        break;
    default:
        klog(LOG_WARN, "kdebug: unknown operation %u from thread %lx", insn[1], t->id);
    }
    return 1;
}
