/*
 * posix_misc — the test of native L4 calls from a musl program (span: id_nearest, straight
 * to the kernel through <l4/syscalls.h>; the only musl program in apps/ and bench/ that
 * includes an l4/ header itself, the others ask the system through sas/, e.g.
 * <sas/sysinfo.h>), and one small musl program per way the personality is exercised at its
 * edges, chosen by MISC_MODE at build time (apps/CMakeLists.txt):
 *   enosys  an unsupported call (getppid, twice) answers -ENOSYS: exit 0 if errno says so
 *           (the personality logs it once; the test checks the log)
 *   abort   abort(): the task ends with 128 + SIGABRT = 134 and a report line
 *   fault   a write to an unmapped address: 128 + SIGSEGV = 139 and a report line
 *   thread_abort  abort() in a thread other than main: the whole task ends with 134 and a
 *           report line, as abort() in main does (its tkill names the thread's own tid)
 *   span    prints where its image, stack and heap lie ("posix_span: NAME AREA lo hi"), so
 *           the test can check that two programs loaded at once are disjoint; and makes a
 *           native L4 call (id_nearest) straight to the kernel, past the personality
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <l4/syscalls.h>

#define MODE_ENOSYS 1
#define MODE_ABORT 2
#define MODE_FAULT 3
#define MODE_SPAN 4
#define MODE_THREAD_ABORT 5

static void *aborter(void *arg)
{
    (void)arg;
    printf("posix_misc: calling abort() in a thread\n");
    abort();
}

extern const char __ehdr_start[], _end[];
static volatile int *volatile wild = (int *)0x10;

static int span(const char *name)
{
    char here;
    uintptr_t sp = (uintptr_t)&here;
    void *heap = malloc(1 << 20);
    printf("posix_span: %s image %p %p\n", name, (void *)__ehdr_start, (void *)_end);
    printf("posix_span: %s stack %#lx %#lx\n", name, (unsigned long)(sp - 65536),
           (unsigned long)sp);
    printf("posix_span: %s heap %p %p\n", name, heap, (void *)((char *)heap + (1 << 20)));
    free(heap);
    l4_threadid_t me = l4_myself();
    printf("posix_native: %s is thread %lx of task %u (getpid %d)\n", name,
           (unsigned long)me, l4_tid_task(me), (int)getpid());
    return heap == 0 || l4_tid_task(me) != (unsigned)getpid();
}

int main(int argc, char **argv)
{
    (void)argc;
    switch (MISC_MODE) {
    case MODE_ENOSYS: {
        long a = syscall(SYS_getppid);
        int e1 = errno;
        long b = syscall(SYS_getppid);
        int ok = a == -1 && b == -1 && e1 == ENOSYS && errno == ENOSYS;
        printf("posix_misc: getppid -> %ld (errno %d), twice: %s\n", a, e1, ok ? "ok" : "FAILED");
        return !ok;
    }
    case MODE_ABORT:
        printf("posix_misc: calling abort()\n");
        abort();
    case MODE_FAULT:
        printf("posix_misc: writing to address 0x10\n");
        *wild = 1;
        return 0;
    case MODE_SPAN:
        return span(argv[0]);
    case MODE_THREAD_ABORT: {
        pthread_t t;
        if (pthread_create(&t, 0, aborter, 0))
            return 98;
        pthread_join(t, 0);
        return 97;                        /* not reached: the abort ends the task */
    }
    }
    return 99;
}
