/*
 * futex.c — futexes of the program's threads. A FUTEX_WAIT whose word still holds the
 * expected value is not answered: the waiter is recorded and the system thread goes on
 * serving the other threads; FUTEX_WAKE (or a requeue's wake) answers it later with 0.
 * The system thread serves one call at a time, so the word's check and the waiter's
 * record are atomic against every wake, which must come through here too.
 * Waiters are kept in arrival order (a wake takes the oldest first).
 */
#include "systhread.h"

static struct waiter {
    l4_threadid_t t;
    uint64_t addr;
} waiters[POSIX_MAX_THREADS];
static unsigned nwaiters;

int64_t futex_wait(l4_threadid_t who, uint64_t addr, uint32_t val, int timed)
{
    if (addr & 3 || mapper_user(addr, 4, L4_FPAGE_R))
        return -LX_EFAULT;
    if (*(volatile uint32_t *)addr != val)
        return -LX_EAGAIN;
    if (timed)
        return 0;       /* no timer yet: a wakeup at once, which futex(2) allows (POSIX.md) */
    if (nwaiters == POSIX_MAX_THREADS)
        return -LX_EAGAIN;               /* cannot happen: one wait per thread */
    waiters[nwaiters++] = (struct waiter){ who, addr };
    return POSIX_DEFERRED;
}

static void remove_at(unsigned i)
{
    for (unsigned j = i; j + 1 < nwaiters; j++)
        waiters[j] = waiters[j + 1];
    nwaiters--;
}

/* Wakes up to n waiters on addr and moves up to m more to addr2; the number woken. */
static int64_t wake_requeue(uint64_t addr, uint64_t n, uint64_t m, uint64_t addr2)
{
    int64_t woken = 0;
    for (unsigned i = 0; i < nwaiters;) {
        if (waiters[i].addr != addr) {
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
