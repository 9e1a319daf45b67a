/*
 * bench.h — what the benchmark root's files share: the measuring loop and statistics
 * (bench/common/measure.h, the same for the Linux side) and the address-space operations
 * (space.c).
 */
#ifndef BENCH_H
#define BENCH_H

#include <native/rt.h>
#include "../common/measure.h"   /* samples, TIME_LOOP, MEASURE, report: shared with Linux */

/* The label of ipc_call_inter_task_sse's calls: the peer answers with SSE sums (peer.c). */
#define BENCH_LABEL_SSE 0x53534531u   /* "SSE1" */

/* space.c: pager round trip, foreign syscall to a handler, map+unmap, task create+delete. */
void bench_space(l4_threadid_t peer);

#endif
