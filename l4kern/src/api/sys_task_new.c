/*
 * sys_task_new.c — create a task with its first thread, or delete a task and everything
 * it holds and created (l4/syscalls.h). The creator becomes the new task's chief; only the
 * chief may delete it. A quota (in pages) is carved from the chief's own and returns to
 * it when the task goes (task_delete); 0 makes the task draw on its chief's quota.
 */
#include <k/cpu.h>
#include <k/mem.h>
#include <k/sched.h>
#include <k/space.h>
#include <k/syscall.h>
#include <arch/sysregs.h>
#include <l4/errors.h>
#include <l4/layout.h>
#include <l4/syscalls.h>

static unsigned pick_number(void)
{
    for (unsigned n = L4_TASK_ROOT + 1; n < MAX_TASKS_LIVE; n++)
        if (!tasks[n])
            return n;
    return 0;
}

static enum l4_error validate_create(const struct tcb *self, const struct sysregs_task_new *in,
                                     unsigned num)
{
    if (in->num & ~(uint64_t)(L4_MAX_TASKS - 1))
        return reject(L4_ERR_INVALID, "number: unknown bits");
    if (in->ip >= L4_USER_END || in->sp >= L4_USER_END)
        return reject(L4_ERR_INVALID, "ip/sp: outside the user half");
    if (num <= L4_TASK_ROOT || num >= MAX_TASKS_LIVE)
        return in->num == L4_TASK_ANY ? reject(L4_ERR_NO_MEMORY, "number: none free")
                                      : reject(L4_ERR_INVALID, "number: out of range");
    if (tasks[num])
        return reject(L4_ERR_PERMISSION, "number: in use");
    if (self->task->depth + 1 > L4_MAX_NESTING)
        return reject(L4_ERR_PERMISSION, "the caller: nested L4_MAX_NESTING deep already");
    if (in->quota > kmem_left(self->task) / PAGE_SIZE)
        return reject(L4_ERR_NO_MEMORY, "quota: more than the caller has left to give");
    return L4_OK;
}

/* A task with its own quota of `pages` carved from the chief's, or sharing the chief's. */
static struct task *make_task(struct task *chief, unsigned num, uint8_t mcp, uint64_t pages)
{
    if (!pages)
        return task_create(num, mcp, chief->kmem_payer, 0);
    if (kmem_charge(chief, pages * PAGE_SIZE))
        return NULL;
    struct task *task = task_create(num, mcp, NULL, pages * PAGE_SIZE);
    if (!task)
        kmem_uncharge(chief, pages * PAGE_SIZE);
    return task;
}

static enum l4_error create(struct tcb *self, struct trapframe *tf)
{
    struct sysregs_task_new in = sysregs_task_new_in(tf);
    unsigned num = in.num == L4_TASK_ANY ? pick_number() : (unsigned)in.num;
    enum l4_error err = validate_create(self, &in, num);
    if (err)
        return err;
    uint8_t mcp = (uint8_t)(in.mcp < self->task->mcp ? in.mcp : self->task->mcp);
    struct task *task = make_task(self->task, num, mcp, in.quota);
    if (task) {
        task->chief = self->task->num;      /* before anything can fail: task_delete */
        task->depth = self->task->depth + 1;    /* returns the quota to the chief */
    }
    struct tcb *t = task ? thread_create(task, 0, in.ip, in.sp) : NULL;
    if (!t) {
        if (task)
            task_delete(task);
        return reject(L4_ERR_NO_MEMORY, "kernel memory: no room for the task");
    }
    sysregs_set_start_arg(t->tf, L4_KIP_ADDR);  /* as for boot tasks: crt0 gets the KIP */
    t->pager = in.pager;
    t->exc_handler = in.exc_handler;
    t->prio = (uint8_t)(self->prio < mcp ? self->prio : mcp);
    sched_ready(t);
    sysregs_task_new_out(tf, t->id);
    return L4_OK;
}

static enum l4_error delete(struct tcb *self, uint64_t num)
{
    if (num >= L4_MAX_TASKS)
        return reject(L4_ERR_INVALID, "number: out of range");
    struct task *task = num < MAX_TASKS_LIVE ? tasks[num] : NULL;
    if (!task)
        return reject(L4_ERR_NO_PARTNER, "number: no such task");
    if (task->chief != self->task->num || task == self->task)
        return reject(L4_ERR_PERMISSION, "number: not a task the caller is chief of");
    task_delete(task);
    return L4_OK;
}

enum l4_error sys_task_new(struct tcb *self, struct trapframe *tf)
{
    uint64_t num = sysregs_task_new_in(tf).num;
    return num & L4_TASK_DELETE ? delete(self, num & ~L4_TASK_DELETE) : create(self, tf);
}
