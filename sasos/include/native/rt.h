/*
 * native/rt.h — the runtime of native programs (sigma0, root, drivers, the in-guest test
 * runner): freestanding C with the L4 stubs and lib/'s string and formatting routines.
 * Output goes through the kernel-debugger trap.
 */
#ifndef NATIVE_RT_H
#define NATIVE_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ell/kformat.h>
#include <ell/string.h>
#include <l4/kip.h>
#include <l4/syscalls.h>

extern const volatile struct l4_kip *rt_kip;   /* live counters change under us */

int main(void);                      /* the program's entry, called by native_start */


int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void puts_raw(const char *s);

/* Looks up "key=value" in the kernel command line; 0 and the value, or -1. */
int rt_cmdline_get(const char *key, char *out, size_t n);

/* Starts lthread n of this task at fn with its own stack of `size` bytes at `stack`.
 * Returns the new thread's id, or nil (and *err) on failure. */
l4_threadid_t rt_thread_start(unsigned n, void (*fn)(void), void *stack, size_t size,
                              uint64_t *err);

static inline uint64_t rt_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#endif
