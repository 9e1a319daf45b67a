/*
 * posix_conread — a thread blocked in read(0) on the console stops no other thread of the
 * program (docs/POSIX.md, consread.c). Run at root's prompt by tests/qemu/posix/
 * posix-conread, which types only when a line below asks for it, so every check before
 * that runs while the reads wait. Each check prints "posix_conread: NAME: ok" (or FAILED
 * with what it saw); the exit code is the number of failed checks.
 *   others_served  while two threads wait in read(0), main faults in 4 MiB of fresh pages,
 *                  maps and unmaps memory, writes lines, and waits on a futex that a third
 *                  thread wakes; neither read has returned meanwhile
 *   nonblock       a read of an O_NONBLOCK console descriptor meanwhile is -EAGAIN at once
 *   lines_fifo     the two lines typed next go one to each reader, whole, in the order the
 *                  readers asked, after everything above had run
 *   readv_line     a readv across two buffers takes one line, split over them
 *   end_of_file    Ctrl-D at the start of a line: the waiting read returns 0
 * It then exits while a fourth read waits: root deletes the task, reader thread and all.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024 * 1024)
#define FUTEX_WAIT_PRIVATE 128      /* <linux/futex.h> needs the kernel headers */
#define FUTEX_WAKE_PRIVATE 129

static int failed;
static volatile int others_done;

static void check(const char *name, int ok, const char *saw)
{
    if (ok) {
        printf("posix_conread: %s: ok\n", name);
    } else {
        printf("posix_conread: %s: FAILED (%s)\n", name, saw);
        failed++;
    }
}

struct read_job {
    volatile int asked, returned;
    int after_others;                 /* others_done was set when the read returned */
    long n;
    char buf[128];
};

static void *reader(void *arg)
{
    struct read_job *j = arg;
    j->asked = 1;
    j->n = read(0, j->buf, sizeof(j->buf) - 1);
    j->after_others = others_done;
    j->buf[j->n > 0 ? j->n : 0] = 0;
    j->returned = 1;
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, 0);
}

/* A reader thread, in its read once this returns (as far as a sleep can tell). */
static void start_reader(pthread_t *t, struct read_job *j)
{
    pthread_create(t, 0, reader, j);
    while (!j->asked)
        sleep_ms(5);
    sleep_ms(100);
}

static volatile unsigned word;

static void *waker(void *arg)
{
    (void)arg;
    sleep_ms(20);
    __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
    return 0;
}

/* Faults, mmap, console writes and a futex wait, all served while reads wait. */
static int run_others(void)
{
    int ok = 1;
    char *p = mmap(0, 4 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 0;
    for (long i = 0; i < 4 * MIB; i += 4096)
        p[i] = (char)i;                           /* a page fault each */
    for (long i = 0; i < 4 * MIB; i += 4096)
        ok &= p[i] == (char)i;
    ok &= munmap(p, 4 * MIB) == 0;
    printf("posix_conread: a line written while two reads wait\n");
    pthread_t w;
    pthread_create(&w, 0, waker, 0);
    while (!__atomic_load_n(&word, __ATOMIC_SEQ_CST))
        syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0);
    pthread_join(w, 0);
    return ok;
}

static void nonblock_check(void)
{
    int fd = open("/dev/tty", O_RDONLY | O_NONBLOCK);
    char c;
    long n = fd < 0 ? -2 : read(fd, &c, 1);
    char saw[48];
    snprintf(saw, sizeof(saw), "fd %d, read %ld, errno %d", fd, n, errno);
    check("nonblock", n == -1 && errno == EAGAIN, saw);
    close(fd);
}

static void lines_check(struct read_job *a, struct read_job *b)
{
    char saw[300];
    snprintf(saw, sizeof(saw), "'%s' (%ld, after %d) / '%s' (%ld, after %d)", a->buf, a->n,
             a->after_others, b->buf, b->n, b->after_others);
    check("lines_fifo", !strcmp(a->buf, "first line\n") && !strcmp(b->buf, "second line\n") &&
          a->after_others && b->after_others, saw);
}

static void readv_check(void)
{
    char x[4] = { 0 }, y[64] = { 0 }, saw[96];
    struct iovec v[2] = { { x, 3 }, { y, sizeof(y) - 1 } };
    printf("posix_conread: readv waits; type a line\n");
    long n = readv(0, v, 2);
    snprintf(saw, sizeof(saw), "%ld: '%s' '%s'", n, x, y);
    check("readv_line", n == 11 && !strcmp(x, "spl") && !strcmp(y, "it line\n"), saw);
}

int main(void)
{
    pthread_t t1, t2, t3, t4;
    static struct read_job j1, j2, j3, j4;
    start_reader(&t1, &j1);
    start_reader(&t2, &j2);
    int ok = run_others();
    nonblock_check();
    check("others_served", ok && !j1.returned && !j2.returned, "memory, or a read returned");
    others_done = 1;
    printf("posix_conread: others ran while two reads waited; type two lines\n");
    pthread_join(t1, 0);
    pthread_join(t2, 0);
    lines_check(&j1, &j2);
    readv_check();
    start_reader(&t3, &j3);
    printf("posix_conread: a read waits; type Ctrl-D\n");
    pthread_join(t3, 0);
    check("end_of_file", j3.n == 0, "a read that did not return 0");
    start_reader(&t4, &j4);
    printf("posix_conread: exiting with a read pending, %d failed\n", failed);
    return failed;
}
