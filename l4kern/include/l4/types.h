/*
 * l4/types.h — thread ids and basic ABI types, shared by kernel and user space.
 *
 * A thread id is 64 bits:  [63..19] version  [18..7] task  [6..0] lthread.
 * The version is bumped whenever a thread slot is reused, so a stale id never reaches a
 * newer thread. Version 0 is never given to a thread: id 0 is nil, and ids with version 0
 * and a non-zero value name interrupt lines (line + 1; see l4/irq.h).
 */
#ifndef L4_TYPES_H
#define L4_TYPES_H

#include <stdint.h>

typedef uint64_t l4_word_t;
typedef uint64_t l4_threadid_t;

#define L4_NILTHREAD        ((l4_threadid_t)0)
#define L4_LTHREAD_BITS     7
#define L4_TASK_BITS        12
#define L4_VERSION_SHIFT    (L4_LTHREAD_BITS + L4_TASK_BITS)
#define L4_THREADS_PER_TASK (1u << L4_LTHREAD_BITS)   /* 128 lthreads, as in V2 */
#define L4_MAX_TASKS        (1u << L4_TASK_BITS)      /* task numbers the id can name */
#define L4_VERSION_MAX      ((1ULL << (64 - L4_VERSION_SHIFT)) - 1)

/* Task numbers the system gives special meaning (the kernel starts them at boot). */
#define L4_TASK_SIGMA0      1u
#define L4_TASK_ROOT        2u

static inline l4_threadid_t l4_tid_make(unsigned task, unsigned lthread, uint64_t version)
{
    return (version << L4_VERSION_SHIFT) |
           ((l4_threadid_t)(task & (L4_MAX_TASKS - 1)) << L4_LTHREAD_BITS) |
           (lthread & (L4_THREADS_PER_TASK - 1));
}
static inline unsigned l4_tid_lthread(l4_threadid_t t)
{
    return (unsigned)(t & (L4_THREADS_PER_TASK - 1));
}
static inline unsigned l4_tid_task(l4_threadid_t t)
{
    return (unsigned)((t >> L4_LTHREAD_BITS) & (L4_MAX_TASKS - 1));
}
static inline uint64_t l4_tid_version(l4_threadid_t t)
{
    return t >> L4_VERSION_SHIFT;
}
static inline int l4_tid_is_nil(l4_threadid_t t)
{
    return t == L4_NILTHREAD;
}
static inline int l4_tid_same_task(l4_threadid_t a, l4_threadid_t b)
{
    return l4_tid_task(a) == l4_tid_task(b);
}

/* A canonical x86-64 address: bits 63..47 all equal. */
static inline int l4_is_canonical(uint64_t a)
{
    return (uint64_t)(((int64_t)(a << 16) >> 16)) == a;
}

_Static_assert(sizeof(l4_threadid_t) == 8, "thread ids are one word");
_Static_assert(L4_VERSION_SHIFT == 19, "id layout is part of the ABI");

#endif
