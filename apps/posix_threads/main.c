/*
 * posix_threads — musl's threads on the personality (docs/POSIX.md): clone, futex,
 * thread-local storage, exit and join. Each check prints "posix_threads: NAME: ok" (or
 * FAILED with what it saw); the exit code is the number of failed checks.
 *   mutex_counter     8 threads add 1 to a shared counter 10^5 times each under a
 *                     pthread_mutex: the total is exact
 *   interleaved       without the mutex the threads still all make progress at once: each
 *                     waits (spinning, yielding nothing) until every other has started
 *   join_values       pthread_join returns each thread's own value
 *   tls               a __thread variable holds a different value in every thread
 *   condvar           producer/consumer through a bounded queue under a condition
 *                     variable: 10^5 items, none lost or duplicated (sum and count)
 *   create_join_1000  1,000 rounds of create + join (stacks mapped and unmapped again)
 *   gettid            every thread's tid differs; the main thread's is the pid
 *   others_served     a thread blocked in a futex wait (a mutex main holds) stops no one:
 *                     meanwhile main maps memory, faults its pages in and writes lines
 *   futex_timeout     FUTEX_WAIT with 50 ms returns ETIMEDOUT, no sooner, and not more
 *                     than a second later; pthread_cond_timedwait likewise
 *   sleeps            nanosleep and clock_nanosleep (relative and TIMER_ABSTIME) of 20 ms
 *                     while another thread sleeps 200 ms: each wakes after its own time
 */
#include <errno.h>
#include <time.h>
#include <string.h>
#include <sys/mman.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>

#define NTHREADS 8
#define ROUNDS 100000

static int failed;

static void result(const char *name, int ok, long got, long want)
{
    if (ok) {
        printf("posix_threads: %s: ok\n", name);
    } else {
        printf("posix_threads: %s: FAILED (%ld, want %ld)\n", name, got, want);
        failed++;
    }
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add_locked(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return 0;
}

static volatile int started;

/* Waits until all NTHREADS have started: only threads that really run side by side get
 * past it (the preemption of the kernel's time slices interleaves them). */
static void *wait_for_all(void *arg)
{
    (void)arg;
    __atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < NTHREADS)
        ;
    return (void *)1;
}

static void *echo_value(void *arg) { return (void *)((uintptr_t)arg * 3 + 1); }

static __thread long tls_value = -1;
static long tls_seen[NTHREADS];

static void *tls_check(void *arg)
{
    long me = (long)(uintptr_t)arg;
    if (tls_value != -1)
        return (void *)0;                 /* a fresh thread has the initial value */
    tls_value = me * 100;
    sched_yield();
    tls_seen[me] = tls_value;
    return (void *)1;
}

#define QUEUE 16
#define ITEMS 100000
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;
static long queue[QUEUE];
static unsigned qhead, qcount;

static void *producer(void *arg)
{
    (void)arg;
    for (long i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&qlock);
        while (qcount == QUEUE)
            pthread_cond_wait(&not_full, &qlock);
        queue[(qhead + qcount++) % QUEUE] = i;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&qlock);
    }
    return 0;
}

static void *consumer(void *arg)
{
    long *sum = arg, n = 0;
    for (;;) {
        pthread_mutex_lock(&qlock);
        while (qcount == 0)
            pthread_cond_wait(&not_empty, &qlock);
        long v = queue[qhead];
        qhead = (qhead + 1) % QUEUE;
        qcount--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&qlock);
        if (v < 0)
            return (void *)n;
        *sum += v;
        n++;
    }
}

static void put(long v)
{
    pthread_mutex_lock(&qlock);
    while (qcount == QUEUE)
        pthread_cond_wait(&not_full, &qlock);
    queue[(qhead + qcount++) % QUEUE] = v;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&qlock);
}

static pid_t tids[NTHREADS];
static void *record_tid(void *arg)
{
    tids[(uintptr_t)arg] = (pid_t)syscall(SYS_gettid);
    return 0;
}

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static volatile int blocked_ran;

static void *wait_on_held(void *arg)
{
    (void)arg;
    blocked_ran = 1;
    pthread_mutex_lock(&held);            /* main holds it: a futex wait */
    pthread_mutex_unlock(&held);
    return (void *)2;
}

/* main, while a thread waits for the mutex it holds: mmap, touch, write, unmap. */
static int serve_meanwhile(void)
{
    pthread_t w;
    pthread_mutex_lock(&held);
    if (pthread_create(&w, 0, wait_on_held, 0))
        return 0;
    while (!blocked_ran)
        ;
    for (volatile int i = 0; i < 200000; i++)
        ;                                 /* let it reach its wait */
    size_t len = 64 << 20;
    char *p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int ok = p != MAP_FAILED;
    for (size_t o = 0; ok && o < len; o += 4096)
        p[o] = 1;
    printf("posix_threads: (main ran on while a thread waited)\n");
    ok &= ok && munmap(p, len) == 0;
    pthread_mutex_unlock(&held);
    void *v = 0;
    pthread_join(w, &v);
    return ok && v == (void *)2;
}

#define FUTEX_WAIT 0               /* <linux/futex.h> needs the kernel headers */
#define FUTEX_PRIVATE_FLAG 128

static long ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int futex_timeout(void)
{
    static int word = 5;
    struct timespec t0, to = { 0, 50 * 1000000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long r = syscall(SYS_futex, &word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 5, &to, 0, 0);
    int e = errno;
    long ms = ms_since(&t0);
    int ok = r == -1 && e == ETIMEDOUT && ms >= 50 && ms < 1050;
    if (!ok)
        printf("posix_threads: futex_timeout: r %ld errno %d after %ld ms\n", r, e, ms);
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 50 * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_mutex_lock(&m);
    int cr = pthread_cond_timedwait(&c, &m, &until);
    pthread_mutex_unlock(&m);
    ms = ms_since(&t0);
    if (cr != ETIMEDOUT || ms < 45 || ms >= 1050) {
        printf("posix_threads: futex_timeout: cond_timedwait %d after %ld ms\n", cr, ms);
        ok = 0;
    }
    return ok;
}

static long slept_long;
static void *sleep_long(void *arg)
{
    (void)arg;
    struct timespec t0, d = { 0, 200 * 1000000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    nanosleep(&d, 0);
    slept_long = ms_since(&t0);
    return 0;
}

static int sleeps(void)
{
    pthread_t t;
    pthread_create(&t, 0, sleep_long, 0);
    struct timespec t0, d = { 0, 20 * 1000000 }, abs;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    nanosleep(&d, 0);
    long a = ms_since(&t0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_nanosleep(CLOCK_MONOTONIC, 0, &d, 0);
    long b = ms_since(&t0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    abs = t0;
    abs.tv_nsec += 20 * 1000000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, 0);
    long c = ms_since(&t0);
    pthread_join(t, 0);
    int ok = a >= 20 && a < 1020 && b >= 20 && b < 1020 && c >= 19 && c < 1020 &&
             slept_long >= 200 && slept_long < 1200;
    if (!ok)
        printf("posix_threads: sleeps: %ld %ld %ld ms, the other thread %ld ms\n", a, b, c,
               slept_long);
    return ok;
}

int main(void)
{
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], 0, add_locked, 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], 0);
    result("mutex_counter", counter == (long)NTHREADS * ROUNDS, counter, (long)NTHREADS * ROUNDS);

    int ok = 1;
    for (int i = 0; i < NTHREADS; i++)
        ok &= pthread_create(&t[i], 0, wait_for_all, 0) == 0;
    for (int i = 0; i < NTHREADS; i++) {
        void *v = 0;
        pthread_join(t[i], &v);
        ok &= v == (void *)1;
    }
    result("interleaved", ok && started == NTHREADS, started, NTHREADS);

    ok = 1;
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], 0, echo_value, (void *)(uintptr_t)i);
    for (int i = 0; i < NTHREADS; i++) {
        void *v = 0;
        pthread_join(t[i], &v);
        ok &= v == (void *)(uintptr_t)(i * 3 + 1);
    }
    result("join_values", ok, 0, 0);

    ok = 1;
    tls_value = 7;
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], 0, tls_check, (void *)(uintptr_t)i);
    for (int i = 0; i < NTHREADS; i++) {
        void *v = 0;
        pthread_join(t[i], &v);
        ok &= v == (void *)1 && tls_seen[i] == i * 100;
    }
    result("tls", ok && tls_value == 7, tls_value, 7);

    long sum = 0;
    pthread_t p, c;
    pthread_create(&c, 0, consumer, &sum);
    pthread_create(&p, 0, producer, 0);
    pthread_join(p, 0);
    put(-1);
    void *n = 0;
    pthread_join(c, &n);
    long want = (long)ITEMS * (ITEMS + 1) / 2;
    result("condvar", sum == want && (long)(uintptr_t)n == ITEMS, sum, want);

    ok = 1;
    for (int i = 0; i < 1000 && ok; i++) {
        void *v = 0;
        ok = pthread_create(&t[0], 0, echo_value, (void *)(uintptr_t)i) == 0 &&
             pthread_join(t[0], &v) == 0 && v == (void *)(uintptr_t)(i * 3 + 1);
    }
    result("create_join_1000", ok, 0, 0);

    ok = (pid_t)syscall(SYS_gettid) == getpid();
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], 0, record_tid, (void *)(uintptr_t)i);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], 0);
    for (int i = 0; i < NTHREADS; i++)
        for (int j = 0; j < NTHREADS; j++)
            ok &= tids[i] > 0 && tids[i] != getpid() && (i == j || tids[i] != tids[j]);
    result("gettid", ok, 0, 0);
    result("others_served", serve_meanwhile(), 0, 0);
    result("futex_timeout", futex_timeout(), 0, 0);
    result("sleeps", sleeps(), 0, 0);
    printf("posix_threads: done, %d failed\n", failed);
    return failed;
}
