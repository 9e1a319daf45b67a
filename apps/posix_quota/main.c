/*
 * posix_quota — a program past its kernel memory (docs/POSIX.md, "Kernel memory per
 * program"). Each check prints "NAME: CHECK: ok" (or FAILED with what it saw), NAME being
 * posix_quota or, built with WANT_THREADS, posix_quota_cap.
 *   limit         threads that wait until told to go are created until pthread_create
 *                 fails: it fails with EAGAIN (not a hang) after at least 8 threads, and,
 *                 with WANT_THREADS, after exactly that many (the kernel's 128 lthreads
 *                 less the system thread, the console reader and the main thread: 125)
 *   join_all      every one of them is joined and returns its own value
 *   create_again  as many threads are created again, each succeeds, and all are joined
 * Then "NAME: done, F failed" (F the failed checks). Without WANT_THREADS the program then
 * touches fresh anonymous pages until the kernel cannot map one more: the program must be
 * ended with a report (exit code 137); should it get through 1 GiB, it exits 1. It touches
 * one page every TOUCH_STRIDE bytes: every 4 KiB (posix_quota_pages), so root's map of
 * the next batch of frames is what the quota refuses first (a batch's nodes cost more than
 * the leaf table a grant needs every 512 pages), or every 2 MiB (posix_quota), so the
 * system thread's grant of a frame, needing a new leaf table each time, is.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifdef WANT_THREADS
#define NAME "posix_quota_cap"
#elif TOUCH_STRIDE == 4096
#define NAME "posix_quota_pages"
#else
#define NAME "posix_quota"
#endif
#define MAX_TRY 200                     /* more than the kernel's lthreads */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go_cv = PTHREAD_COND_INITIALIZER;
static int go;
static pthread_t tids[MAX_TRY];
static int failed;

static void result(const char *check, int ok, long got, long want)
{
    if (ok) {
        printf(NAME ": %s: ok\n", check);
        return;
    }
    printf(NAME ": %s: FAILED (got %ld, want %ld)\n", check, got, want);
    failed++;
}

static void *waiter(void *arg)
{
    pthread_mutex_lock(&lock);
    while (!go)
        pthread_cond_wait(&go_cv, &lock);
    pthread_mutex_unlock(&lock);
    return arg;
}

/* Creates waiting threads until pthread_create fails (or `max` exist); the count, and the
 * failure's code in *err (0 if none failed). */
static int create_until_failure(int max, int *err)
{
    go = 0;
    *err = 0;
    for (int n = 0; n < max; n++) {
        int e = pthread_create(&tids[n], 0, waiter, (void *)(intptr_t)(n + 1));
        if (e) {
            *err = e;
            return n;
        }
    }
    return max;
}

/* Lets the first n threads go and joins them: the number that returned their own value. */
static int release_and_join(int n)
{
    pthread_mutex_lock(&lock);
    go = 1;
    pthread_cond_broadcast(&go_cv);
    pthread_mutex_unlock(&lock);
    int good = 0;
    for (int i = 0; i < n; i++) {
        void *v = 0;
        good += !pthread_join(tids[i], &v) && v == (void *)(intptr_t)(i + 1);
    }
    return good;
}

#ifndef WANT_THREADS
/* Touches fresh pages of 64 MiB mappings until the kernel cannot map one: never returns
 * if the program is ended as it must be. */
static void touch_past_quota(void)
{
    for (int chunk = 0; chunk < 16; chunk++) {
        size_t len = 64u << 20;
        uint8_t *p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            printf(NAME ": mmap failed: %s\n", strerror(errno));
            exit(1);
        }
        for (size_t off = 0; off < len; off += TOUCH_STRIDE)
            p[off] = 1;
        /* Keep the frames: their mappings are what the kernel charges. */
        printf(NAME ": touched %d MiB\n", (chunk + 1) * 64);
    }
}
#endif

int main(void)
{
    int err, n = create_until_failure(MAX_TRY, &err);
    printf(NAME ": %d threads, then pthread_create: %s\n", n, err ? strerror(err) : "no failure");
#ifdef WANT_THREADS
    result("limit", err == EAGAIN && n == WANT_THREADS, n, WANT_THREADS);
#else
    result("limit", err == EAGAIN && n >= 8 && n < 125, n, err == EAGAIN ? 8 : -EAGAIN);
#endif
    int good = release_and_join(n);
    result("join_all", good == n, good, n);
    int err2, n2 = create_until_failure(n, &err2);
    int good2 = release_and_join(n2);
    result("create_again", n2 == n && !err2 && good2 == n, n2 * 1000L + good2, n * 1000L + n);
    printf(NAME ": done, %d failed\n", failed);
    fflush(stdout);
#ifndef WANT_THREADS
    if (!failed)
        touch_past_quota();
    return 1;
#else
    return failed;
#endif
}
