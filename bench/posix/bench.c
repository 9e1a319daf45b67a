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
 *   thread_create_join, futex_pingpong_threads
 *                       a thread's pthread_create + pthread_join, and a word handed back
 *                       and forth between two threads with private futexes
 *                       (bench/common/threads.h, as Linux's /init runs them): each futex
 *                       call is a foreign `syscall` to the system thread, a wait answered
 *                       later by the wake
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
#include "../common/threads.h"

int main(void)
{
    iters = bench_cmdline_iters();
    measure_overhead();
    MEASURE("personality_getpid", getpid());
    anon_fault_measure("anon_fault");
    threads_measure();
    return 0;
}
