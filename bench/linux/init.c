/*
 * init.c — the Linux side of ./ellfour bench: a static musl program booted as /init of an
 * initramfs by Debian's kernel, in the same QEMU under the same -icount flags as the Ell Four
 * benchmark guest. The measuring loop and statistics are bench/common/measure.h, shared with
 * the Ell Four side; only the operations differ. Prints, on the console (ttyS0):
 *   BENCH-INFO linux_kernel <release> <version>   uname -r and uname -v, first
 *   BENCH <name> <median> <p90> <iterations> <mean> one line per operation
 *   BENCH-DEV, BENCH-INFO                          the disk's (/disk-bench), last
 *   BENCH-DONE
 * then exits QEMU through isa-debug-exit with 0x10 (QEMU status 33), as the Ell Four guest
 * does; if ioperm is refused, it powers off instead (QEMU status 0).
 * The kernel hands unknown command-line words with '=' to /init as environment: iters=N.
 * Started with the single argument "--exit" (posix_spawn below) it exits at once.
 */
#define _GNU_SOURCE
#include "../common/measure.h"
#include "../common/sse.h"
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_OK   0x10
#define FUTEX_WAIT      0            /* <linux/futex.h> needs the kernel headers; */
#define FUTEX_WAKE      1            /* shared (not _PRIVATE): two processes */
#define PEER_WARMUP     2000         /* untimed round trips after fork: see measure_with_peer */

extern char **environ;
static char zero_page[4096] __attribute__((aligned(4096)));

/* The initramfs has no /dev: devtmpfs gives the console. */
static void open_console(void)
{
    mkdir("/dev", 0755);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    int fd = open("/dev/console", O_RDWR);
    if (fd < 0)
        return;
    for (int i = 0; i < 3; i++)
        dup2(fd, i);
    if (fd > 2)
        close(fd);
    setvbuf(stdout, NULL, _IOLBF, 0);
}

static void quit(void)
{
    fflush(stdout);
    tcdrain(1);                      /* the UART has sent every byte */
    if (ioperm(DEBUG_EXIT_PORT, 4, 1) == 0)
        outb(DEBUG_EXIT_OK, DEBUG_EXIT_PORT);
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}

/* ---- IPC between two processes: a one-byte pipe ping-pong and a futex ping-pong ---- */

static int ping[2], pong[2];

static void pipe_round(void)
{
    char c = 1;
    if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
        abort();
}

static void pipe_echo(void)
{
    char c;
    while (read(ping[0], &c, 1) == 1 && write(pong[1], &c, 1) == 1)
        ;
    _exit(1);
}

/*
 * ipc_pipe_pingpong_sse: the pipe ping-pong with live XMM state on both sides, as Ell
 * Four's ipc_call_inter_task_sse (bench/common/sse.h): 16 bytes, the two words, each way;
 * the child answers with its sums, kept in an XMM register across its read. The reads and
 * writes are system calls made here (the psABI lets a C call clobber every XMM register,
 * so a value held across musl's read would wait on the stack, not in the register).
 */
static struct bench_sse sse;

static long sys3(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return ret;
}
#define SYS_RW(nr, fd, buf) sys3(nr, fd, (long)(buf), 16)

static void pipe_sse_round(void)
{
    uint64_t w[2];
    bench_v2di held = bench_sse_begin(&sse, w);
    BENCH_SSE_HOLD(held);
    if (SYS_RW(SYS_write, ping[1], w) != 16 || SYS_RW(SYS_read, pong[0], w) != 16)
        abort();
    BENCH_SSE_HOLD(held);
    bench_sse_end(&sse, held, w);
}

static void pipe_sse_echo(void)
{
    bench_v2di acc = { 0, 0 };
    uint64_t w[2];
    for (;;) {
        BENCH_SSE_HOLD(acc);
        if (SYS_RW(SYS_read, ping[0], w) != 16)
            break;
        BENCH_SSE_HOLD(acc);
        acc = bench_sse_add(acc, w);
        if (SYS_RW(SYS_write, pong[1], w) != 16)
            break;
    }
    _exit(1);
}

static volatile int *futex_word;     /* shared between the two processes */
static int futex_seq;

static long futex(volatile int *w, int op, int val)
{
    return syscall(SYS_futex, w, op, val, NULL, NULL, 0);
}

/* Odd values are the parent's pings, even values the child's pongs. */
static void futex_round(void)
{
    int v = 2 * futex_seq++ + 1;
    __atomic_store_n(futex_word, v, __ATOMIC_SEQ_CST);
    futex(futex_word, FUTEX_WAKE, 1);
    while (__atomic_load_n(futex_word, __ATOMIC_SEQ_CST) != v + 1)
        futex(futex_word, FUTEX_WAIT, v);
}

static void futex_echo(void)
{
    for (int expect = 1;; expect += 2) {
        int cur;
        while ((cur = __atomic_load_n(futex_word, __ATOMIC_SEQ_CST)) != expect)
            futex(futex_word, FUTEX_WAIT, cur);
        __atomic_store_n(futex_word, expect + 1, __ATOMIC_SEQ_CST);
        futex(futex_word, FUTEX_WAKE, 1);
    }
}

/*
 * Runs `echo` in a child process while `round` is measured, then kills the child.
 * PEER_WARMUP untimed round trips come first (then MEASURE's iters / 10): for its first
 * 700 .. 1,100 round trips after fork (where exactly depends on what else the parent runs)
 * the child, placed behind its parent by CFS (its vruntime starts a slice ahead), is
 * preempted by every wakeup of the parent and never sleeps, so a round trip wakes one
 * sleeper (pipe 10,326, futex 8,845); once the two have converged each side sleeps in
 * turn, two wakeups a round trip (12,748, 12,357), and so it stays (/proc/<child>/status:
 * the child's involuntary switches stop there, one voluntary switch a round trip follows).
 * Without the warm-up the timed rounds held some of the first mode, more the fewer they
 * were, so the figures depended on --iters (docs/BENCHMARKS.md).
 */
static void measure_with_peer(const char *name, void (*round)(void), void (*echo)(void))
{
    pid_t child = fork();
    if (child == 0)
        echo();
    if (child < 0) {
        printf("BENCH-INFO %s skipped: fork failed\n", name);
        return;
    }
    for (unsigned i = 0; i < PEER_WARMUP; i++)
        round();
    MEASURE(name, round());
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
}

static void bench_ipc(void)
{
    if (pipe(ping) == 0 && pipe(pong) == 0) {
        measure_with_peer("ipc_pipe_pingpong", pipe_round, pipe_echo);
        measure_with_peer("ipc_pipe_pingpong_sse", pipe_sse_round, pipe_sse_echo);
        if (sse.lost)
            printf("BENCH-INFO ipc_pipe_pingpong_sse: XMM state lost in %llu of %llu rounds\n",
                   (unsigned long long)sse.lost, (unsigned long long)sse.round);
    }
    void *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (w == MAP_FAILED)
        return;
    futex_word = w;
    measure_with_peer("ipc_futex_pingpong", futex_round, futex_echo);
    munmap(w, 4096);
}

/* ---- memory: first-touch anonymous fault, mmap+munmap of a page ---- */

#include "../common/anon_fault.h"

static void mmap_munmap(void)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || munmap(p, 4096))
        abort();
}

static void bench_memory(void)
{
    anon_fault_measure("pagefault_anon_first_touch");
    MEASURE("mmap_munmap_page", mmap_munmap());
}

/* ---- processes: fork+_exit+wait, posix_spawn of this program (exits at once) + wait ---- */

static void fork_exit_wait(void)
{
    pid_t p = fork();
    if (p == 0)
        _exit(0);
    if (p < 0 || waitpid(p, NULL, 0) != p)
        abort();
}

static void spawn_wait(void)
{
    static char *const argv[] = { "/init", "--exit", NULL };
    pid_t p;
    if (posix_spawn(&p, "/init", NULL, NULL, argv, environ) || waitpid(p, NULL, 0) != p)
        abort();
}

/* ---- threads of this program: pthread_create+join, a futex ping-pong between two ---- */

#include "../common/threads.h"

/* The disk, last: /disk-bench (disk.c) loads modules and makes a disk appear. */
static void run_disk_bench(void)
{
    static char *const argv[] = { "/disk-bench", NULL };
    pid_t p;
    int status;
    fflush(stdout);
    if (posix_spawn(&p, "/disk-bench", NULL, NULL, argv, environ) ||
        waitpid(p, &status, 0) != p || status)
        printf("BENCH-INFO disk: the disk benchmark failed\n");
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--exit"))
        _exit(0);
    open_console();
    const char *v = getenv("iters");
    if (v)
        iters = bench_parse_iters(v, 10000);
    struct utsname u;               /* the kernel measured, for results.json and --compare */
    if (uname(&u) == 0)
        printf("BENCH-INFO linux_kernel %s %s\n", u.release, u.version);
    measure_overhead();
    printf("BENCH-INFO rdtsc_overhead %llu\n", (unsigned long long)overhead);

    MEASURE("syscall_getppid", getppid());
    MEASURE("zero_page_4k", bench_zero_page(zero_page));
    bench_ipc();
    bench_memory();
    MEASURE_TENTH("process_fork_exit_wait", fork_exit_wait());     /* a whole process: */
    MEASURE_TENTH("process_posix_spawn_wait", spawn_wait());       /* a tenth of iters */
    threads_measure();              /* last: musl takes its locks once there are threads */
    run_disk_bench();

    printf("BENCH-DONE\n");
    quit();
}
