/*
 * sas/sysinfo.h — what a program may read about the system it runs on, the same for native
 * and musl programs: the kernel's counters, memory map and command line (the kernel info
 * page, l4/kip.h, mapped read-only at L4_KIP_ADDR in every task) and the disk driver's
 * counters (BLK_INFO, sas/proto/blk.h). Programs include this header rather than the
 * kernel's: where the KIP lives and how the driver is found stay the system's business.
 * Every function is a plain read or two IPCs; none keeps state.
 */
#ifndef SAS_SYSINFO_H
#define SAS_SYSINFO_H

#include <stddef.h>
#include <stdint.h>
#include <l4/kip.h>
#include <l4/layout.h>
#include <sas/errors.h>
#include <sas/proto/blk.h>
#include <sas/proto/root.h>

static inline const volatile struct l4_kip *sas_kip_(void)
{
    return (const volatile struct l4_kip *)L4_KIP_ADDR;
}

/* TSC cycles the kernel's idle loop has spent halted since boot (the KIP's idle_tsc). It
 * only moves while the idle thread runs, so reading it just before or after a running
 * thread's rdtsc is the same as reading both at once. */
static inline uint64_t sas_idle_tsc(void)
{
    return sas_kip_()->idle_tsc;
}

/* TSC cycles since boot spent outside the idle loop: the TSC less sas_idle_tsc(). Under
 * QEMU's -icount these are guest instructions executed, by every task and the kernel; the
 * time spent waiting for the host's disk is not in them. */
static inline uint64_t sas_busy_tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32 | lo) - sas_idle_tsc();
}

/* An upper bound of the machine's RAM in bytes: the end of the highest range of the KIP's
 * memory map that is not a hole (l4_kip_ram_top). */
static inline uint64_t sas_ram_top(void)
{
    return l4_kip_ram_top(sas_kip_());
}

/* Copies the kernel command line (space-separated key=value words, at most
 * L4_KIP_CMDLINE_LEN - 1 bytes) into buf[0..size), NUL-terminated and cut at size - 1
 * bytes. Returns the number of bytes copied before the NUL; with size 0, writes nothing
 * and returns 0. */
static inline size_t sas_cmdline(char *buf, size_t size)
{
    const volatile char *line = sas_kip_()->cmdline;
    size_t n = 0;
    if (!size)
        return 0;
    for (; n < size - 1 && n < L4_KIP_CMDLINE_LEN && line[n]; n++)
        buf[n] = line[n];
    buf[n] = 0;
    return n;
}

/* The disk driver's counters and the device's geometry in *out (struct blk_info: sectors,
 * sector size, flags, and since boot the device requests, bytes, flushes, cache misses and
 * cache evictions). Asks root for the driver (ROOT_SERVICE), then the driver (BLK_INFO).
 * Returns SAS_OK; SAS_ENOTFOUND if no disk driver runs; SAS_EIO if root or the driver
 * cannot be reached. *out is unchanged on an error. */
static inline enum sas_error sas_disk_info(struct blk_info *out)
{
    l4_threadid_t blk;
    enum sas_error e = root_service(root_find(), ROOT_SERVICE_BLK, &blk);
    return e ? e : blk_info(blk, out);
}

#endif
