/* panic.c — the kernel's last words: message, registers, fault address, backtrace. */
#include <k/log.h>
#include <k/param.h>
#include <k/trapframe.h>
#include <k/x86.h>

extern char kernel_start[], kernel_end[];

static void dump_frame(const struct trapframe *tf)
{
    kprintf("  rip %016lx  cs %lx  rflags %016lx  vector %lu  error %lx\n",
            tf->rip, tf->cs, tf->rflags, tf->vector, tf->error);
    kprintf("  rsp %016lx  rax %016lx  rbx %016lx  rcx %016lx\n", tf->rsp, tf->rax, tf->rbx, tf->rcx);
    kprintf("  rdx %016lx  rsi %016lx  rdi %016lx  rbp %016lx\n", tf->rdx, tf->rsi, tf->rdi, tf->rbp);
    kprintf("  r8  %016lx  r9  %016lx  r10 %016lx  r11 %016lx\n", tf->r8, tf->r9, tf->r10, tf->r11);
    kprintf("  r12 %016lx  r13 %016lx  r14 %016lx  r15 %016lx\n", tf->r12, tf->r13, tf->r14, tf->r15);
}

/* Walks saved frame pointers while they stay inside kernel memory. */
static void backtrace(uint64_t rbp)
{
    kprintf("  backtrace:\n");
    for (int depth = 0; depth < 16 && rbp >= DIRECT_MAP && (rbp & 7) == 0; depth++) {
        uint64_t *frame = (uint64_t *)rbp;
        uint64_t ret = frame[1];
        if (ret < (uint64_t)kernel_start || ret >= (uint64_t)kernel_end)
            break;
        kprintf("    %016lx\n", ret);
        rbp = frame[0];
    }
}

static void panic_put(int c, void *arg)
{
    (void)arg;
    log_putc(c);
}

void panic_frame(const struct trapframe *tf, const char *fmt, ...)
{
    __asm__ volatile("cli");
    kprintf("\n[l4kern PANIC] ");
    va_list ap;
    va_start(ap, fmt);
    kformat(panic_put, 0, fmt, ap);
    va_end(ap);
    kprintf("\n  cr2 %016lx  cr3 %016lx\n", READ_CR(2), READ_CR(3));
    if (tf) {
        dump_frame(tf);
        if (!tf_from_user(tf))
            backtrace(tf->rbp);
    }
    backtrace((uint64_t)__builtin_frame_address(0));
    machine_exit(PANIC_EXIT_CODE);
}
