/*
 * k/log.h — the kernel log on its own debug port (QEMU debugcon, 0xE9), with levels.
 * User kdebug output goes to the same port (kdebug.c).
 */
#ifndef K_LOG_H
#define K_LOG_H

#include <k/lib.h>

enum log_level { LOG_PANIC = 0, LOG_ERR = 1, LOG_WARN = 2, LOG_INFO = 3, LOG_DEBUG = 4 };

extern int log_level;

void log_putc(int c);
void log_write(const char *s, size_t n);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void klog(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct trapframe;
/* Prints the message, registers (if tf), CR2 and a backtrace, then ends QEMU with
 * PANIC_EXIT_CODE. Never returns. */
void panic_frame(const struct trapframe *tf, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));
#define panic(...) panic_frame(0, __VA_ARGS__)

#define kassert(c) do { if (!(c)) panic("assertion failed: %s at %s:%d", #c, __FILE__, __LINE__); } while (0)

/* Ends the emulation through isa-debug-exit (QEMU exits (code << 1) | 1). */
void machine_exit(unsigned code) __attribute__((noreturn));

#endif
