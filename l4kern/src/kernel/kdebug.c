/*
 * kdebug.c — the kernel-debugger trap: user output and test exits on the kernel's debug
 * port. Every user byte read here is first checked to be mapped user-readable in the
 * caller's address space, then read with SMAP opened for just that copy.
 *
 * Output is bounded: each task (but root, which reports the test results) may write
 * "kdb_budget=" bytes per boot (KDB_BUDGET_DEFAULT without it); past that its output is
 * dropped, with one line when the budget runs out and one more with the count when the
 * task goes. Counted in bytes, never in time, so a run is the same every time.
 */
#include <k/boot.h>
#include <k/cpu.h>
#include <k/kdebug.h>
#include <k/lib.h>
#include <k/log.h>
#include <k/mem.h>
#include <k/thread.h>
#include <k/x86.h>
#include <arch/sysregs.h>
#include <l4/kdebug.h>

#define KDB_BUDGET_DEFAULT (4ULL << 20)

static uint64_t budget = KDB_BUDGET_DEFAULT;

void kdebug_init(void)
{
    char v[24];
    uint64_t n = 0;
    if (cmdline_get("kdb_budget", v, sizeof(v)) || !v[0])
        return;
    for (const char *p = v; *p >= '0' && *p <= '9' && n < (1ULL << 40); p++)
        n = n * 10 + (uint64_t)(*p - '0');
    budget = n;
    klog(LOG_INFO, "kdebug: each task may write %lu bytes", budget);
}

/* How many of `len` bytes task may still write; counted as written. */
static uint64_t allowance(struct task *task, uint64_t len)
{
    if (task->num == L4_TASK_ROOT)
        return len;
    uint64_t left = task->kdb_bytes < budget ? budget - task->kdb_bytes : 0;
    uint64_t n = MIN(len, left);
    task->kdb_bytes += n;
    return n;
}

/* `dropped` bytes did not fit: the first time, one line says so. */
static void suppress(struct task *task, uint64_t dropped)
{
    if (!dropped)
        return;
    if (!task->kdb_suppressed) {
        log_putc('\n');                    /* the notice starts a line of its own */
        klog(LOG_WARN, "kdebug: task %u has written its %lu-byte budget; the rest of its "
             "output is suppressed", task->num, budget);
    }
    task->kdb_suppressed += dropped;
}

void kdebug_task_gone(const struct task *task)
{
    if (task->kdb_suppressed)
        klog(LOG_WARN, "kdebug: task %u: %lu bytes suppressed", task->num, task->kdb_suppressed);
}

static int copy_from_user(void *dst, uint64_t src, uint64_t len)
{
    if (!pt_user_range_ok(current()->task->pml4, src, len, 0))
        return -1;
    stac();
    memcpy(dst, (const void *)src, len);
    clac();
    return 0;
}

/* Writes a user string to the debug port, a chunk at a time, as far as the task's budget
 * allows; -1 if any part is bad. */
static int put_user_string(uint64_t s, uint64_t len)
{
    char buf[128];
    struct task *task = current()->task;
    uint64_t want = MIN(len, (uint64_t)L4_KDB_MAX_STRING);
    uint64_t granted = allowance(task, want);
    for (len = granted; len;) {
        uint64_t n = MIN(len, sizeof(buf));
        if (copy_from_user(buf, s, n))
            return -1;
        log_write(buf, n);
        s += n;
        len -= n;
    }
    suppress(task, want - granted);
    return 0;
}

int kdebug_trap(struct trapframe *tf)
{
    uint8_t insn[2];
    uint64_t at = sysregs_kdb_rip(tf), a0 = sysregs_kdb_arg(tf, 0), a1 = sysregs_kdb_arg(tf, 1);
    if (copy_from_user(insn, at, 2) || insn[0] != L4_KDB_CMP_OPCODE)
        return 0;
    struct tcb *t = current();
    switch (insn[1]) {
    case L4_KDB_PUTC:
        if (allowance(t->task, 1))
            log_putc((int)(a0 & 0xff));
        else
            suppress(t->task, 1);
        break;
    case L4_KDB_PUTS:
        if (put_user_string(a0, a1))
            klog(LOG_WARN, "kdebug: thread %lx passed a bad string %lx+%lx", t->id, a0, a1);
        break;
    case L4_KDB_ENTER:
        kprintf("[l4kern kdb] enter from thread %lx at rip %lx: ", t->id, at);
        put_user_string(a0, a1);
        kprintf("\n");
        arch_dump_frame(tf);
        break;
    case L4_KDB_EXIT:
        if (t->task->num == L4_TASK_ROOT && a0 >= 1 && a0 <= 127) {
            klog(LOG_INFO, "root task ends the run with code %lu", a0);
            machine_exit((unsigned)a0);
        }
        klog(LOG_WARN, "kdebug: exit(%lu) refused for thread %lx", a0, t->id);
        break;
    default:
        klog(LOG_WARN, "kdebug: unknown operation %u from thread %lx", insn[1], t->id);
    }
    return 1;
}
