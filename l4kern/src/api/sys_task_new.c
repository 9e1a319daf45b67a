/*
 * sys_task_new.c — create a task with its first thread, or delete a task and everything
 * it holds and created (l4/syscalls.h). The creator becomes the new task's chief; only the
 * chief may delete it. A quota (r12, pages) is carved from the chief's own and returns to
 * it when the task goes (task_delete); 0 makes the task draw on its chief's quota.
 */
#include <k/cpu.h>
#include <k/mem.h>
#include <k/sched.h>
#include <k/space.h>
#include <k/syscall.h>
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

static unsigned validate_create(const struct tcb *self, const struct trapframe *tf, unsigned num)
{
    if (tf->rdi & ~(uint64_t)(L4_MAX_TASKS - 1))
        return L4_ERR_INVALID;
    if (tf->rsi >= L4_USER_END || tf->rdx >= L4_USER_END)
        return L4_ERR_INVALID;
    if (num <= L4_TASK_ROOT || num >= MAX_TASKS_LIVE)
        return tf->rdi == L4_TASK_ANY ? L4_ERR_NO_MEMORY : L4_ERR_INVALID;
    if (tasks[num] || self->task->depth + 1 > L4_MAX_NESTING)
        return L4_ERR_PERMISSION;
    if (tf->r12 > kmem_left(self->task) / PAGE_SIZE)
        return L4_ERR_NO_MEMORY;            /* more than the chief has left to give */
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

static void create(struct tcb *self, struct trapframe *tf)
{
    unsigned num = tf->rdi == L4_TASK_ANY ? pick_number() : (unsigned)tf->rdi;
    unsigned err = validate_create(self, tf, num);
    if (err) {
        tf->rax = err;
        return;
    }
    uint8_t mcp = (uint8_t)(tf->r8 < self->task->mcp ? tf->r8 : self->task->mcp);
    struct task *task = make_task(self->task, num, mcp, tf->r12);
    if (task) {
        task->chief = self->task->num;      /* before anything can fail: task_delete */
        task->depth = self->task->depth + 1;    /* returns the quota to the chief */
    }
    struct tcb *t = task ? thread_create(task, 0, tf->rsi, tf->rdx) : NULL;
    if (!t) {
        if (task)
            task_delete(task);
        tf->rax = L4_ERR_NO_MEMORY;
        return;
    }
    t->tf->rdi = L4_KIP_ADDR;               /* as for boot tasks: crt0 gets the KIP */
    t->pager = tf->r10;
    t->exc_handler = tf->r9;
    t->prio = (uint8_t)(self->prio < mcp ? self->prio : mcp);
    sched_ready(t);
    tf->rdi = t->id;
    tf->rax = L4_OK;
}

static void delete(struct tcb *self, struct trapframe *tf)
{
    uint64_t num = tf->rdi & ~L4_TASK_DELETE;
    if (num >= L4_MAX_TASKS) {
        tf->rax = L4_ERR_INVALID;
        return;
    }
    struct task *task = num < MAX_TASKS_LIVE ? tasks[num] : NULL;
    if (!task) {
        tf->rax = L4_ERR_NO_PARTNER;
        return;
    }
    if (task->chief != self->task->num || task == self->task) {
        tf->rax = L4_ERR_PERMISSION;
        return;
    }
    task_delete(task);
    tf->rax = L4_OK;
}

void sys_task_new(struct tcb *self, struct trapframe *tf)
{
    if (tf->rdi & L4_TASK_DELETE)
        delete(self, tf);
    else
        create(self, tf);
}
