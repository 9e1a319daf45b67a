/*
 * kip.h — what the musl benchmark programs on Ell Four (bench/posix, bench/disk) read
 * about the system, through <sas/sysinfo.h> (native interfaces stay native in musl
 * programs): the iteration count on the kernel command line. The kernel's idle count is
 * sas_idle_tsc(). Include after measure.h; not for the Linux /init.
 */
#ifndef BENCH_KIP_H
#define BENCH_KIP_H

#include <string.h>
#include <sas/sysinfo.h>

/* "iters=N" from the kernel command line, else 10000 (bench_parse_iters' limits). */
static inline unsigned bench_cmdline_iters(void)
{
    char line[L4_KIP_CMDLINE_LEN];
    sas_cmdline(line, sizeof(line));
    const char *p = strstr(line, "iters=");
    return bench_parse_iters(p ? p + 6 : "", 10000);
}

#endif
