/*
 * inflight.c — a commit in flight does not stop faults on resident pages (run-sas-live
 * "inflight"). Object Y's 256 pages are made resident and committed, which leaves them
 * write-protected everywhere: each next write faults. Then one thread commits object X
 * (2,048 dirty pages, many transactions' worth of persist's work) while another writes
 * one byte into each page of Y: those write faults must be answered while X's commit is
 * in flight (objmgr's committer thread), not after it. A write to X meanwhile would wait
 * (its pages are being stored) — not tested here, as it only costs time.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sas.h>

#define X_PAGES 2048u
#define Y_PAGES 256u
#define PAGE 4096u

static void *x, *y;
static atomic_int committing;
static enum sas_error x_result;

static void *commit_x(void *arg)
{
    (void)arg;
    atomic_store(&committing, 1);
    x_result = sas_commit(&x, 1);
    atomic_store(&committing, 2);
    return 0;
}

int main(void)
{
    enum sas_error e;
    if ((e = sas_create(X_PAGES * PAGE, SAS_PERSISTENT, "x", 0, &x)) ||
        (e = sas_create(Y_PAGES * PAGE, SAS_PERSISTENT, "y", 0, &y))) {
        printf("sas_inflight: create: %s\n", sas_strerror(e));
        return 1;
    }
    memset(y, 1, Y_PAGES * PAGE);
    if ((e = sas_commit(&y, 1))) {          /* Y resident, write-protected from here on */
        printf("sas_inflight: commit y: %s\n", sas_strerror(e));
        return 1;
    }
    for (unsigned i = 0; i < X_PAGES; i++)
        ((volatile char *)x)[i * PAGE] = (char)(i | 1);
    pthread_t t;
    if (pthread_create(&t, 0, commit_x, 0))
        return 1;
    while (!atomic_load(&committing))
        ;
    /* Let the commit request reach objmgr first: faults before it prove nothing. */
    struct timespec pause = { 0, 20000000 };
    nanosleep(&pause, 0);
    unsigned during = 0, after = 0;
    for (unsigned i = 0; i < Y_PAGES; i++) {
        ((volatile char *)y)[i * PAGE] = 2;  /* a write fault on a resident page */
        if (atomic_load(&committing) == 1)
            during++;
        else
            after++;
    }
    pthread_join(t, 0);
    printf("sas_inflight: %u of %u write faults answered while the commit of %u pages was "
           "in flight (%u after); the commit: %s\n", during, Y_PAGES, X_PAGES, after,
           sas_strerror(x_result));
    return x_result || during < Y_PAGES / 2;
}
