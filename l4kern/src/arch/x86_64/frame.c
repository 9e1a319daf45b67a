/* frame.c — a saved register frame on the log: the panic's and kdebug ENTER's dump. */
#include <k/log.h>
#include <k/trapframe.h>

void arch_dump_frame(const struct trapframe *tf)
{
    kprintf("  rip %016lx  cs %lx  rflags %016lx  vector %lu  error %lx\n",
            tf->rip, tf->cs, tf->rflags, tf->vector, tf->error);
    kprintf("  rsp %016lx  rax %016lx  rbx %016lx  rcx %016lx\n", tf->rsp, tf->rax, tf->rbx, tf->rcx);
    kprintf("  rdx %016lx  rsi %016lx  rdi %016lx  rbp %016lx\n", tf->rdx, tf->rsi, tf->rdi, tf->rbp);
    kprintf("  r8  %016lx  r9  %016lx  r10 %016lx  r11 %016lx\n", tf->r8, tf->r9, tf->r10, tf->r11);
    kprintf("  r12 %016lx  r13 %016lx  r14 %016lx  r15 %016lx\n", tf->r12, tf->r13, tf->r14, tf->r15);
}
