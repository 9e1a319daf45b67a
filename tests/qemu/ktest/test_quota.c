/*
 * test_quota.c — kernel-memory quotas (task_new's r12, l4/syscalls.h): a task that runs
 * out gets NO_MEMORY while its sibling and its chief keep working, and deleting it gives
 * its quota back to the chief, exactly.
 *
 * Root's own quota is not visible to it; probe_left finds it: a task with a quota of q
 * pages can be made exactly when q is at most what root has left.
 */
#include "space.h"

#define Q_PAGES 64
static char q_stacks[2][16384] __attribute__((aligned(4096)));
static volatile uint64_t q_made, q_err, q_done, s_err, s_done;

static uint64_t stack_top(unsigned i) { return (uint64_t)q_stacks[i] + sizeof(q_stacks[i]) - 8; }

static void sleep_forever(void)
{
    for (;;) {
        l4_threadid_t from = L4_NILTHREAD;
        l4_msg_t m;
        l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    }
}

/* Makes tasks drawing on its own quota until the kernel says no. Nil pager: each one
 * stops at its first fault. */
static void greedy(void)
{
    l4_threadid_t first;
    uint64_t err;
    while (!(err = l4_task_new(L4_TASK_ANY, 0x1000, 0x2000, L4_NILTHREAD, 1, L4_NILTHREAD, &first)))
        q_made++;
    q_err = err;
    q_done = 1;
    sleep_forever();
}

static void modest(void)
{
    l4_threadid_t first;
    s_err = l4_task_new(L4_TASK_ANY, 0x1000, 0x2000, L4_NILTHREAD, 1, L4_NILTHREAD, &first);
    s_done = 1;
    sleep_forever();
}

static int try_quota(uint64_t pages)
{
    l4_threadid_t first;
    if (l4_task_new_quota(L4_TASK_ANY, 0x1000, 0x2000, L4_NILTHREAD, 1, L4_NILTHREAD, pages, &first))
        return 0;
    l4_task_delete(l4_tid_task(first));
    return 1;
}

/* The largest quota root can still give: what it has left. */
static uint64_t probe_left(void)
{
    uint64_t lo = 0, hi = rt_kip->kpool_total + 1;      /* try_quota(lo) holds, hi fails */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (try_quota(mid))
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static volatile uint64_t *waiting_on;
static int word_set(void) { return *waiting_on != 0; }
static int wait_word(volatile uint64_t *w)
{
    waiting_on = w;
    return kt_wait_until(word_set, 2000);
}

static l4_threadid_t start(void (*fn)(void), unsigned stack, l4_threadid_t pager, uint64_t pages)
{
    l4_threadid_t first = L4_NILTHREAD;
    if (l4_task_new_quota(L4_TASK_ANY, (uint64_t)fn, stack_top(stack), pager, 100, L4_NILTHREAD,
                          pages, &first))
        return L4_NILTHREAD;
    return first;
}

KTEST("quota", "a_task_out_of_quota_fails_alone_and_its_quota_comes_back", quota_exhaust)
{
    l4_threadid_t pager = pager_start();
    q_made = q_err = q_done = s_err = s_done = 0;
    uint64_t free0 = rt_kip->kpool_free;
    uint64_t left0 = probe_left();
    KT_ASSERT(left0 > 2 * Q_PAGES);
    KT_EQ(rt_kip->kpool_free, free0);

    l4_threadid_t q = start(greedy, 0, pager, Q_PAGES);
    KT_ASSERT(!l4_tid_is_nil(q));
    KT_ASSERT(wait_word(&q_done));
    KT_EQ(q_err, L4_ERR_NO_MEMORY);
    KT_ASSERT(q_made >= 1);
    printf("  a %u-page quota held the task and %lu more before NO_MEMORY\n", Q_PAGES, q_made);
    KT_ASSERT(rt_kip->kpool_free > free0 / 2);          /* the pool itself is far from empty */

    /* Its sibling, with its own quota, and its chief still get what they ask for. */
    l4_threadid_t s = start(modest, 1, pager, Q_PAGES);
    KT_ASSERT(!l4_tid_is_nil(s));
    KT_ASSERT(wait_word(&s_done));
    KT_EQ(s_err, L4_OK);
    KT_ASSERT(try_quota(Q_PAGES));
    KT_EQ(probe_left(), left0 - 2 * Q_PAGES);           /* exactly the two carved quotas */

    /* More than the chief has left, or more than the greedy task has, is refused. */
    KT_ASSERT(!try_quota(left0));

    /* Deleting the task (and what it made) returns its quota to the chief. */
    KT_EQ(l4_task_delete(l4_tid_task(q)), L4_OK);
    KT_EQ(probe_left(), left0 - Q_PAGES);
    KT_EQ(l4_task_delete(l4_tid_task(s)), L4_OK);
    KT_EQ(probe_left(), left0);
    KT_EQ(rt_kip->kpool_free, free0);
    return 0;
}

KTEST("quota", "a_quota_too_small_for_the_task_itself_is_no_memory", quota_too_small)
{
    uint64_t free0 = rt_kip->kpool_free;
    uint64_t left0 = probe_left();
    l4_threadid_t first;
    KT_EQ(l4_task_new_quota(L4_TASK_ANY, 0x1000, 0x2000, L4_NILTHREAD, 1, L4_NILTHREAD, 1, &first),
          L4_ERR_NO_MEMORY);
    KT_EQ(l4_task_new_quota(L4_TASK_ANY, 0x1000, 0x2000, L4_NILTHREAD, 1, L4_NILTHREAD,
                            ~0ULL, &first), L4_ERR_NO_MEMORY);
    KT_EQ(probe_left(), left0);
    KT_EQ(rt_kip->kpool_free, free0);
    return 0;
}
