/*
 * threads.h — threads of one program, measured the same way on both systems (one source,
 * compiled into bench/posix on Ell Four and bench/linux/init.c on Linux):
 *   thread_create_join      pthread_create of a thread that returns at once, then
 *                           pthread_join: musl's whole path (its stack's mmap and
 *                           mprotect, clone, the thread's start and exit, the join's
 *                           futex wait, the stack's munmap); a tenth of the
 *                           iterations, as Linux's process rows
 *   futex_pingpong_threads  one round trip of a word between two threads of the program,
 *                           FUTEX_WAKE_PRIVATE and FUTEX_WAIT_PRIVATE each way, after
 *                           PINGPONG_WARMUP untimed round trips, on both systems: on
 *                           Linux the first ~1,400 after the peer's creation are cheaper
 *                           (6,900 against 9,840), as for the process ping-pongs, whose
 *                           modes are explained there (bench/linux/init.c,
 *                           measure_with_peer; docs/BENCHMARKS.md); Ell Four has no such
 *                           modes but does the same work
 * musl programs only, compiled with _GNU_SOURCE (syscall). Run them last: once a program
 * has made a thread, musl takes its internal locks (malloc's, stdio's) from then on.
 */
#ifndef BENCH_THREADS_H
#define BENCH_THREADS_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PINGPONG_WAIT   128          /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG (<linux/futex.h>) */
#define PINGPONG_WAKE   129          /* FUTEX_WAKE | FUTEX_PRIVATE_FLAG */
#define PINGPONG_STOP   0xffffffffu  /* the word's value that ends the peer */
#define PINGPONG_WARMUP 2000         /* untimed round trips after the peer's creation */

static void *thread_return(void *arg)
{
    return arg;
}

static void thread_create_join(void)
{
    static char token;
    pthread_t t;
    void *r;
    if (pthread_create(&t, NULL, thread_return, &token) || pthread_join(t, &r) || r != &token)
        abort();
}

static volatile uint32_t pingpong_word;
static uint32_t pingpong_seq;

static void pingpong_futex(int op, uint32_t val)
{
    syscall(SYS_futex, &pingpong_word, op, val, NULL);
}

/* Odd values are the measuring thread's pings, even values the peer's pongs. */
static void pingpong_round(void)
{
    uint32_t v = 2 * pingpong_seq++ + 1;
    __atomic_store_n(&pingpong_word, v, __ATOMIC_SEQ_CST);
    pingpong_futex(PINGPONG_WAKE, 1);
    while (__atomic_load_n(&pingpong_word, __ATOMIC_SEQ_CST) != v + 1)
        pingpong_futex(PINGPONG_WAIT, v);
}

static void *pingpong_echo(void *arg)
{
    for (uint32_t expect = 1;; expect += 2) {
        uint32_t cur;
        while ((cur = __atomic_load_n(&pingpong_word, __ATOMIC_SEQ_CST)) != expect) {
            if (cur == PINGPONG_STOP)
                return arg;
            pingpong_futex(PINGPONG_WAIT, cur);
        }
        __atomic_store_n(&pingpong_word, expect + 1, __ATOMIC_SEQ_CST);
        pingpong_futex(PINGPONG_WAKE, 1);
    }
}

/* The ping-pong with a peer thread made for it, which is ended and joined afterwards. */
static void pingpong_measure(const char *name)
{
    pthread_t peer;
    if (pthread_create(&peer, NULL, pingpong_echo, NULL)) {
        printf("BENCH-INFO %s skipped: pthread_create failed\n", name);
        return;
    }
    for (unsigned i = 0; i < PINGPONG_WARMUP; i++)
        pingpong_round();
    MEASURE(name, pingpong_round());
    __atomic_store_n(&pingpong_word, PINGPONG_STOP, __ATOMIC_SEQ_CST);
    pingpong_futex(PINGPONG_WAKE, 1);
    pthread_join(peer, NULL);
}

/* Both operations, each printing its BENCH line. */
static void threads_measure(void)
{
    MEASURE_TENTH("thread_create_join", thread_create_join());      /* a whole thread */
    pingpong_measure("futex_pingpong_threads");
}

#endif
