/*
 * bench/posix/bench.c — the POSIX personality measured from a musl program on Ell Four
 * (./ellfour bench boots it beside the native benchmark guest, under the same -icount):
 *   personality_getpid  getpid(): a foreign `syscall` answered by the task's system thread
 *                       (Linux's native figure: syscall_getppid)
 *   anon_fault          first touch of an anonymous page: the fault goes to the system
 *                       thread (region mapper), which asks root for a frame (root gets it,
 *                       zeroed, from sigma0) mapped at the faulting address
 *                       (Linux: pagefault_anon_first_touch; zeroing alone: zero_page_4k)
 * The iteration count comes from the kernel command line ("iters=N") in the KIP, read
 * directly: native interfaces stay native in musl programs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <l4/kip.h>
#include <l4/layout.h>
#include "../common/measure.h"

#define FAULT_CHUNK 1024u     /* pages per mapping; the next chunk is mapped untimed */

#include "../common/anon_fault.h"

/* "iters=N" from the kernel command line, else 10000. */
static unsigned cmdline_iters(void)
{
    const struct l4_kip *kip = (const struct l4_kip *)L4_KIP_ADDR;
    char line[L4_KIP_CMDLINE_LEN + 1];
    memcpy(line, (const char *)kip->cmdline, L4_KIP_CMDLINE_LEN);
    line[L4_KIP_CMDLINE_LEN] = 0;
    const char *p = strstr(line, "iters=");
    return bench_parse_iters(p ? p + 6 : "", 10000);
}

int main(void)
{
    iters = cmdline_iters();
    measure_overhead();
    MEASURE("personality_getpid", getpid());
    TIME_LOOP_PREP(fault_prep(), *(volatile char *)fault_next = 1);
    report("anon_fault");
    fault_done();
    return 0;
}
