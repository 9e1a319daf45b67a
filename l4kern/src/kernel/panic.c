/* panic.c — the kernel's last words: message, registers, fault address, backtrace. */
#include <k/log.h>
#include <k/param.h>
#include <k/trapframe.h>
#include <k/x86.h>

extern char kernel_start[], kernel_end[];

/* Walks saved frame pointers while they stay inside kernel memory. */
static void backtrace(uint64_t fp)
{
    kprintf("  backtrace:\n");
    for (int depth = 0; depth < 16 && fp >= DIRECT_MAP && (fp & 7) == 0; depth++) {
        uint64_t *frame = (uint64_t *)fp;
        uint64_t ret = frame[1];
        if (ret < (uint64_t)kernel_start || ret >= (uint64_t)kernel_end)
            break;
        kprintf("    %016lx\n", ret);
        fp = frame[0];
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
        arch_dump_frame(tf);
        if (!tf_from_user(tf))
            backtrace(arch_frame_pointer(tf));
    }
    backtrace((uint64_t)__builtin_frame_address(0));
    machine_exit(PANIC_EXIT_CODE);
}
