/*
 * bench/posix/bench.c — the POSIX personality measured from a musl program on Ell Four
 * (./ellfour bench boots it beside the native benchmark guest, under the same -icount):
 *   personality_getpid  getpid(): a foreign `syscall` answered by the task's system thread
 *                       (Linux's native figure: syscall_getppid)
 *   anon_fault          first touch of an anonymous page, per page of a loop that maps,
 *                       touches and unmaps more pages than sigma0 has free
 *                       (bench/common/anon_fault.h): the fault goes to the system thread
 *                       (region mapper), which grants it a zeroed frame from the batch root
 *                       mapped into the task (Linux: pagefault_anon_first_touch; zeroing
 *                       alone: zero_page_4k)
 * The iteration count comes from the kernel command line ("iters=N"), read natively
 * (sas_cmdline): native interfaces stay native in musl programs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "../common/measure.h"
#include "../common/kip.h"

#include "../common/anon_fault.h"

int main(void)
{
    iters = bench_cmdline_iters();
    measure_overhead();
    MEASURE("personality_getpid", getpid());
    anon_fault_measure("anon_fault");
    return 0;
}
