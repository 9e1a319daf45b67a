/*
 * space.h — helpers for the address-space tests: a pager thread in the test root task
 * that maps its own pages 1:1 into child tasks (in a single address space a child runs the
 * parent's code at the same addresses), and child tasks that obey simple commands.
 */
#ifndef KTEST_SPACE_H
#define KTEST_SPACE_H

#include "ktest.h"

enum child_cmd { CMD_READ = 1, CMD_WRITE, CMD_MAP_TO, CMD_RECV_MAP, CMD_UNMAP, CMD_SYSCALL,
                 CMD_SCAN, CMD_OUTB, CMD_IRQ, CMD_CALL };

#define PAGER_SLOT 10
#define EXC_SLOT 11
#define CHILD_STACKS 4

extern volatile uint64_t pf_count, pf_last_addr, pf_last_access;
extern volatile uint64_t pf_deny_lo, pf_deny_hi;    /* faults here get no reply */
/* Faults in [pool_lo, pool_hi) are served from a small pool of frames, reused round robin:
 * even pages zero-filled, odd pages filled with their page index (a "copy"). */
extern volatile uint64_t pool_lo, pool_hi;

l4_threadid_t pager_start(void);
/* A child task whose first thread runs the command loop on stack `stack` (0..3). */
l4_threadid_t child_start(unsigned stack, l4_threadid_t pager, l4_threadid_t exc);
/* Sends a command and waits (up to `us`) for the answer in *out; returns the IPC error. */
unsigned child_cmd(l4_threadid_t c, uint64_t cmd, uint64_t a, uint64_t b, uint64_t d,
                   uint64_t us, uint64_t *out);
void child_delete(l4_threadid_t c);

#endif
