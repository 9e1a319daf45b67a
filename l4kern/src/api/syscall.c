/*
 * syscall.c — the one way into the kernel's calls: the table of the seven handlers
 * (indexed by number - L4_SYS_BASE), the status each returns written back once, and the
 * rejection trace (k/syscall.h).
 */
#include <k/boot.h>
#include <k/cpu.h>
#include <k/fastpath.h>
#include <k/fault.h>
#include <k/ipc.h>
#include <k/lib.h>
#include <k/log.h>
#include <k/sched.h>
#include <k/syscall.h>
#include <arch/sysregs.h>
#include <l4/syscalls.h>

static const syscall_fn table[L4_SYS_COUNT] = {
    [L4_SYS_IPC - L4_SYS_BASE] = sys_ipc,
    [L4_SYS_ID_NEAREST - L4_SYS_BASE] = sys_id_nearest,
    [L4_SYS_FPAGE_UNMAP - L4_SYS_BASE] = sys_fpage_unmap,
    [L4_SYS_THREAD_SWITCH - L4_SYS_BASE] = sys_thread_switch,
    [L4_SYS_THREAD_SCHEDULE - L4_SYS_BASE] = sys_thread_schedule,
    [L4_SYS_LTHREAD_EX_REGS - L4_SYS_BASE] = sys_lthread_ex_regs,
    [L4_SYS_TASK_NEW - L4_SYS_BASE] = sys_task_new,
};

static const char *const names[L4_SYS_COUNT] = {
    "ipc", "id_nearest", "fpage_unmap", "thread_switch", "thread_schedule",
    "lthread_ex_regs", "task_new",
};

const char *syscall_reject_why;
static unsigned trace_mask;          /* bit n: trace call L4_SYS_BASE + n's rejections */

void syscall_trace_init(void)
{
    char v[128];
    if (!L4_CONFIG_DEBUG || cmdline_get("trace", v, sizeof(v)))
        return;
    for (const char *p = v; *p;) {
        size_t n = 0;
        while (p[n] && p[n] != ',')
            n++;
        for (unsigned i = 0; i < L4_SYS_COUNT; i++)
            if ((n == strlen(names[i]) && !strncmp(p, names[i], n)) || (n == 3 && !strncmp(p, "all", 3)))
                trace_mask |= 1u << i;
        p += n + (p[n] == ',');
    }
    klog(LOG_INFO, "tracing the rejections of calls %x", trace_mask);
}

/*
 * A refused call's status, and its trace. The frame and the call's number are found again
 * through current() (a handler may have blocked and others run meanwhile), so the success
 * path keeps nothing in registers across the handler: it costs two stores and a test.
 */
static __attribute__((noinline, cold)) void refused(enum l4_error e)
{
    struct tcb *self = current();
    unsigned n = self->syscall;
    if (L4_CONFIG_DEBUG && (trace_mask >> n & 1))
        klog(LOG_WARN, "reject: thread %lx %s: %s (error %u)", self->id, names[n],
             syscall_reject_why ? syscall_reject_why : "no reason given", e);
    syscall_reject_why = NULL;              /* consumed: never shown for another call */
    if (n == L4_SYS_IPC - L4_SYS_BASE)
        sysregs_ipc_result(self->tf, ipc_result(e, 0));
    else
        sysregs_set_status(self->tf, e);
}

/* A call that is not one of the seven goes to the thread's exception handler: through the
 * fastpath if it can (it returns only if not). Apart, so that the seven keep their code. */
static __attribute__((noinline)) void foreign(struct tcb *self, struct trapframe *tf)
{
    fastpath_syscall(self, tf);
    fault_foreign_syscall(self, tf);
}

/* The status is written as L4_OK before the handler runs: a refusal overwrites it, and
 * ipc replaces it with its result word. */
void syscall_dispatch(struct trapframe *tf)
{
    uint64_t n = sysregs_number(tf) - L4_SYS_BASE;
    struct tcb *self = current();
    if (n >= L4_SYS_COUNT) {
        foreign(self, tf);
    } else {
        self->syscall = (uint8_t)n;
        sysregs_set_status(tf, L4_OK);
        enum l4_error e = table[n](self, tf);
        if (__builtin_expect(e != L4_OK, 0))
            refused(e);
    }
    if (this_cpu()->need_resched)
        schedule();
}
