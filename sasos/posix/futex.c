/*
 * futex.c — futexes of the program's threads. A FUTEX_WAIT whose word still holds the
 * expected value is not answered: the waiter is recorded and the system thread goes on
 * serving the other threads; FUTEX_WAKE (or a requeue's wake) answers it later with 0.
 * The system thread serves one call at a time, so the word's check and the waiter's
 * record are atomic against every wake, which must come through here too.
 * Waiters are kept in arrival order (a wake takes the oldest first).
 *
 * Time: a timed wait, and a sleep (nanosleep), has a deadline in TSC ticks. There is no
 * timer thread: the system thread's receive waits at most until the earliest deadline
 * (main.c), and every turn of its loop answers the waits that are due with -ETIMEDOUT
 * (a sleep with 0). A deadline is met as soon as the system thread is back in its receive:
 * late by as long as it is blocked in a call of its own (root, the block cache) at the
 * time. (A timer thread could not answer a waiter itself: the kernel takes the answer to
 * a thread's system call only from its exception handler.)
 */
#include "systhread.h"

static struct waiter {
    l4_threadid_t t;
    uint64_t addr;                       /* 0: a sleep, which no wake ends */
    uint64_t deadline;                   /* TSC; 0: none */
} waiters[POSIX_MAX_THREADS];
static unsigned nwaiters;
uint64_t futex_earliest;                 /* the earliest deadline; 0: none */

static uint64_t ns_to_tsc(uint64_t ns)
{
    uint64_t hz = rt_kip->tsc_hz ? rt_kip->tsc_hz : 1000000000;
    return ns / 1000000000ULL * hz + ns % 1000000000ULL * hz / 1000000000ULL;
}

static void earliest_again(void)
{
    futex_earliest = 0;
    for (unsigned i = 0; i < nwaiters; i++)
        if (waiters[i].deadline &&
            (!futex_earliest || waiters[i].deadline < futex_earliest))
            futex_earliest = waiters[i].deadline;
}

/* A timespec of user memory in nanoseconds (seconds capped at 10^9: 31 years); 0, or
 * -EFAULT, -EINVAL. */
static int64_t read_ts(uint64_t ts, uint64_t *ns)
{
    if (mapper_user(ts, sizeof(struct lx_timespec), L4_FPAGE_R))
        return -LX_EFAULT;
    struct lx_timespec t = *(const struct lx_timespec *)ts;
    if (t.sec < 0 || t.nsec < 0 || t.nsec >= 1000000000)
        return -LX_EINVAL;
    uint64_t s = (uint64_t)t.sec > 1000000000ULL ? 1000000000ULL : (uint64_t)t.sec;
    *ns = s * 1000000000ULL + (uint64_t)t.nsec;
    return 0;
}

int64_t futex_deadline(uint64_t ts, uint64_t *deadline)
{
    uint64_t ns;
    int64_t e = read_ts(ts, &ns);
    if (!e)
        *deadline = rt_rdtsc() + ns_to_tsc(ns) + 1;
    return e;
}

int64_t futex_deadline_at(uint64_t ts, uint64_t base_sec, uint64_t *deadline)
{
    uint64_t ns, base = base_sec * 1000000000ULL;
    int64_t e = read_ts(ts, &ns);
    if (!e)
        *deadline = ns > base ? ns_to_tsc(ns - base) : 1;
    return e;
}

static void remove_at(unsigned i)
{
    for (unsigned j = i; j + 1 < nwaiters; j++)
        waiters[j] = waiters[j + 1];
    nwaiters--;
}

static int64_t enqueue(l4_threadid_t who, uint64_t addr, uint64_t deadline)
{
    if (nwaiters == POSIX_MAX_THREADS)
        return -LX_EAGAIN;               /* cannot happen: one wait per thread */
    waiters[nwaiters++] = (struct waiter){ who, addr, deadline };
    if (deadline && (!futex_earliest || deadline < futex_earliest))
        futex_earliest = deadline;
    return POSIX_DEFERRED;
}

int64_t futex_sleep(l4_threadid_t who, uint64_t deadline)
{
    return deadline <= rt_rdtsc() ? 0 : enqueue(who, 0, deadline);
}

int64_t futex_wait(l4_threadid_t who, uint64_t addr, uint32_t val, uint64_t timeout)
{
    uint64_t deadline = 0;
    if (!addr || addr & 3 || mapper_user(addr, 4, L4_FPAGE_R))
        return -LX_EFAULT;
    if (timeout) {
        int64_t e = futex_deadline(timeout, &deadline);
        if (e)
            return e;
    }
    if (*(volatile uint32_t *)addr != val)
        return -LX_EAGAIN;
    if (deadline && deadline <= rt_rdtsc())
        return -LX_ETIMEDOUT;
    return enqueue(who, addr, deadline);
}

void futex_expire(void)
{
    uint64_t now = rt_rdtsc();
    for (unsigned i = 0; i < nwaiters;) {
        if (!waiters[i].deadline || waiters[i].deadline > now) {
            i++;
            continue;
        }
        struct waiter w = waiters[i];
        remove_at(i);
        posix_answer(w.t, w.addr ? -LX_ETIMEDOUT : 0);
    }
    earliest_again();
}

/* Wakes up to n waiters on addr and moves up to m more to addr2; the number woken. */
static int64_t wake_requeue(uint64_t addr, uint64_t n, uint64_t m, uint64_t addr2)
{
    int64_t woken = 0;
    for (unsigned i = 0; i < nwaiters;) {
        if (waiters[i].addr != addr || !addr) {
            i++;
        } else if ((uint64_t)woken < n) {
            l4_threadid_t t = waiters[i].t;
            remove_at(i);
            if (posix_answer(t, 0))      /* gone meanwhile: not counted */
                woken++;
        } else if (m) {
            waiters[i++].addr = addr2;
            m--;
        } else {
            break;
        }
    }
    earliest_again();
    return woken;
}

int64_t futex_wake(uint64_t addr, uint64_t n)
{
    return wake_requeue(addr, n, 0, 0);
}

int64_t futex_requeue(uint64_t addr, uint64_t n, uint64_t m, uint64_t addr2,
                      const uint32_t *cmp)
{
    if (addr & 3 || addr2 & 3 || mapper_user(addr, 4, L4_FPAGE_R))
        return -LX_EFAULT;
    if (cmp && *(volatile uint32_t *)addr != *cmp)
        return -LX_EAGAIN;
    return wake_requeue(addr, n, m, addr2);
}
