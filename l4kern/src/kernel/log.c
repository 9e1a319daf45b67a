/* log.c — the kernel log: leveled lines on the kernel's own debug port. */
#include <k/log.h>
#include <k/param.h>
#include <k/x86.h>

int log_level = LOG_LEVEL_DEFAULT;

void log_putc(int c)
{
    outb(DEBUGCON_PORT, (uint8_t)c);
}

void log_write(const char *s, size_t n)
{
    while (n--)
        log_putc(*s++);
}

static void put(int c, void *arg)
{
    (void)arg;
    log_putc(c);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kformat(put, 0, fmt, ap);
    va_end(ap);
}

void klog(enum log_level lvl, const char *fmt, ...)
{
    static const char *const tag[] = { "PANIC", "error", "warn", "info", "debug" };
    if ((int)lvl > log_level)
        return;
    kprintf("[l4kern %s] ", tag[lvl]);
    va_list ap;
    va_start(ap, fmt);
    kformat(put, 0, fmt, ap);
    va_end(ap);
    log_putc('\n');
}

void machine_exit(unsigned code)
{
    outl(DEBUG_EXIT_PORT, code);
    /* Without isa-debug-exit, stop here rather than run on. */
    for (;;)
        __asm__ volatile("cli; hlt");
}
