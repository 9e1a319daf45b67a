/*
 * threads.c — the program's threads, as musl's pthread_create makes them: `clone` with the
 * flags of a thread (shared memory, files, signal handlers, thread group), each a kernel
 * thread of the task (lthread 2 .. POSIX_MAX_THREADS - 1; 0 is the system thread, 1 the
 * main thread; POSIX_READER_LTHREAD, past them, is consread.c's) with the system thread as
 * pager and exception handler. A thread's id is the task's number for the main thread
 * (getpid = gettid there, as on Linux) and task + (lthread - 1) * 1024 for the others.
 *
 * Starting a child: lthread_ex_regs sets only ip, sp, FS and the handlers, and musl's
 * __clone expects the child back after its `syscall` with RAX 0 and its function in R9.
 * So the child starts at posix_thread_start, a trampoline of this image (mapped at the
 * same address in every musl task): it pops R9 (the function, which the parent's call
 * passed in R9) and returns, with RAX 0, to the parent's RIP past the `syscall`, on the
 * child's stack as __clone left it. A thread that ends is left waiting in its exit call
 * (no reply); a later clone restarts that lthread (lthread_ex_regs cancels the call).
 */
#include "systhread.h"

#define TID_STRIDE 1024u                 /* task numbers are below (l4/thread.h) */

static struct {
    uint8_t live;
    uint64_t clear_tid;                  /* CLONE_CHILD_CLEARTID / set_tid_address */
} threads[POSIX_MAX_THREADS];

void posix_thread_start(void);
__asm__(".text\n.globl posix_thread_start\nposix_thread_start:\n"
        "  popq %r9\n  xorl %eax, %eax\n  ret\n");

void threads_init(void)
{
    threads[1].live = 1;
}

unsigned thread_of(l4_threadid_t t)
{
    unsigned n = l4_tid_lthread(t);
    return n < POSIX_MAX_THREADS ? n : 0;
}

int64_t thread_tid(unsigned n)
{
    return (int64_t)(pt.task + (n - 1) * TID_STRIDE);
}

int thread_live_tid(uint64_t tid)
{
    uint64_t n = tid < pt.task ? 0 : (tid - pt.task) / TID_STRIDE + 1;
    return tid >= pt.task && (tid - pt.task) % TID_STRIDE == 0 && n < POSIX_MAX_THREADS &&
           threads[n].live;
}

void thread_set_clear_tid(unsigned n, uint64_t addr)
{
    threads[n].clear_tid = addr;
}

static unsigned free_slot(void)
{
    for (unsigned n = 2; n < POSIX_MAX_THREADS; n++)
        if (!threads[n].live)
            return n;
    return 0;
}

#define THREAD_NEEDS (LX_CLONE_VM | LX_CLONE_FS | LX_CLONE_FILES | LX_CLONE_SIGHAND | \
                      LX_CLONE_THREAD)
#define THREAD_MAY   (THREAD_NEEDS | LX_CLONE_SYSVSEM | LX_CLONE_SETTLS | \
                      LX_CLONE_PARENT_SETTID | LX_CLONE_CHILD_CLEARTID | LX_CLONE_DETACHED)

/* The arguments of a thread's clone, checked before anything changes. */
static int64_t clone_check(const struct lx_clone *c)
{
    if ((c->flags & THREAD_NEEDS) != THREAD_NEEDS)
        return -LX_ENOSYS;               /* a new process: no fork here (docs/POSIX.md) */
    if ((c->flags & ~(uint64_t)(THREAD_MAY | 0xff)) || (c->flags & 0xff))
        return -LX_EINVAL;               /* no exit signal for a thread, nothing unknown */
    if (c->stack < 16 || c->stack >= L4_USER_END ||
        mapper_user(c->stack - 16, 16, L4_FPAGE_W))
        return -LX_EFAULT;
    if ((c->flags & LX_CLONE_PARENT_SETTID) && mapper_user(c->ptid, 4, L4_FPAGE_W))
        return -LX_EFAULT;
    if ((c->flags & LX_CLONE_SETTLS) && c->tls >= L4_USER_END)
        return -LX_EPERM;
    return 0;
}

int64_t thread_clone(const struct lx_clone *c)
{
    int64_t e = clone_check(c);
    unsigned n = free_slot();
    if (e)
        return e;
    if (!n)
        return -LX_EAGAIN;
    uint64_t *sp = (uint64_t *)(c->stack - 16);
    sp[0] = c->fn;                       /* posix_thread_start pops it into R9 */
    sp[1] = c->resume;                   /* and returns here, past the parent's syscall */
    l4_threadid_t me = l4_myself();
    struct l4_exregs x = {
        .control = n | L4_EXREGS_SET_IP | L4_EXREGS_SET_SP | L4_EXREGS_SET_PAGER |
                   L4_EXREGS_SET_EXCH | L4_EXREGS_CANCEL |
                   (c->flags & LX_CLONE_SETTLS ? L4_EXREGS_SET_FS : 0),
        .ip = (uint64_t)posix_thread_start, .sp = (uint64_t)sp, .fs_base = c->tls,
        .pager = me, .exc_handler = me };
    if (l4_lthread_ex_regs(&x))
        return -LX_EAGAIN;               /* no kernel memory for another thread */
    threads[n].live = 1;
    threads[n].clear_tid = c->flags & LX_CLONE_CHILD_CLEARTID ? c->ctid : 0;
    if (c->flags & LX_CLONE_PARENT_SETTID)
        *(volatile int32_t *)c->ptid = (int32_t)thread_tid(n);
    return thread_tid(n);
}

int thread_exit(unsigned n)
{
    threads[n].live = 0;
    uint64_t ct = threads[n].clear_tid;
    threads[n].clear_tid = 0;
    if (ct && !mapper_user(ct, 4, L4_FPAGE_W)) {
        *(volatile int32_t *)ct = 0;      /* pthread_join's wait ends on this */
        futex_wake(ct, 1);
    }
    for (unsigned i = 1; i < POSIX_MAX_THREADS; i++)
        if (threads[i].live)
            return 1;
    return 0;
}
