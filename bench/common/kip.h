/*
 * kip.h — what the musl benchmark programs on Ell Four (bench/posix, bench/disk) read from
 * the kernel info page, natively (native interfaces stay native in musl programs): the
 * iteration count on the kernel command line and the kernel's idle count. Include after
 * measure.h; not for the Linux /init.
 */
#ifndef BENCH_KIP_H
#define BENCH_KIP_H

#include <string.h>
#include <l4/kip.h>
#include <l4/layout.h>

/* "iters=N" from the kernel command line, else 10000 (bench_parse_iters' limits). */
static inline unsigned bench_cmdline_iters(void)
{
    const struct l4_kip *kip = (const struct l4_kip *)L4_KIP_ADDR;
    char line[L4_KIP_CMDLINE_LEN + 1];
    memcpy(line, (const char *)kip->cmdline, L4_KIP_CMDLINE_LEN);
    line[L4_KIP_CMDLINE_LEN] = 0;
    const char *p = strstr(line, "iters=");
    return bench_parse_iters(p ? p + 6 : "", 10000);
}

/* TSC cycles the kernel's idle loop has spent halted so far (the KIP's idle_tsc). It only
 * moves while the idle thread runs, so reading it just before or after a running thread's
 * rdtsc is the same as reading both at once. */
static inline uint64_t bench_idle_tsc(void)
{
    const volatile struct l4_kip *kip = (const volatile struct l4_kip *)L4_KIP_ADDR;
    return kip->idle_tsc;
}

#endif
