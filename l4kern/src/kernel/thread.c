/*
 * thread.c — creating, finding, stopping and restarting threads; creating tasks.
 *
 * Thread ids carry a version taken from one global counter that only grows, so an id
 * whose thread has gone never names a later thread in the same slot.
 */
#include <k/cpu.h>
#include <k/ipc.h>
#include <k/kdebug.h>
#include <k/kip.h>
#include <k/lib.h>
#include <k/mem.h>
#include <k/sched.h>
#include <k/space.h>
#include <k/irq.h>
#include <k/x86.h>
#include <arch/sysregs.h>
#include <l4/layout.h>

struct task *tasks[MAX_TASKS_LIVE];
static uint64_t next_version = 1;
extern char thread_first_entry[];

struct tcb *thread_lookup(l4_threadid_t id)
{
    if (l4_tid_version(id) == 0)
        return NULL;
    unsigned tn = l4_tid_task(id);
    if (tn >= MAX_TASKS_LIVE || !tasks[tn])
        return NULL;
    struct tcb *t = tasks[tn]->threads[l4_tid_lthread(id)];
    return t && t->id == id ? t : NULL;
}

/* A TCB block with an empty kernel stack that will "return" into `entry`. */
static struct tcb *tcb_alloc(void (*entry)(void), struct task *payer)
{
    char *block = kpool_alloc_for(payer, TCB_PAGES);
    if (!block)
        return NULL;
    struct tcb *t = (struct tcb *)block;
    t->fpu = block + TCB_FPU_OFFSET;
    t->kstack_top = (uint64_t)block + TCB_PAGES * PAGE_SIZE;
    t->tf = (struct trapframe *)(t->kstack_top - sizeof(struct trapframe));
    uint64_t *sp = (uint64_t *)t->tf;
    *--sp = (uint64_t)entry;        /* switch_context's ret */
    for (int i = 0; i < 6; i++)
        *--sp = 0;                  /* rbx rbp r12 r13 r14 r15 */
    t->ksp = (uint64_t)sp;
    kip->threads_live++;
    return t;
}

static void tcb_free(struct tcb *t, struct task *payer)
{
    kpool_free_for(payer, t, TCB_PAGES);
    kip->threads_live--;
}

/* Gives t its message area: a pinned frame at the UTCB address of its lthread. */
static int utcb_attach(struct task *task, unsigned lthread, struct tcb *t)
{
    struct l4_utcb *u = kpool_alloc_for(task, 1);
    uint64_t va = l4_utcb_addr(lthread);
    if (!u)
        return -1;
    if (pt_map(task->pml4, task, va, virt_to_phys(u), PTE_U | PTE_W | PTE_NX)) {
        kpool_free_for(task, u, 1);
        return -1;
    }
    u->self = va;
    t->utcb = u;
    t->gs_base = va;
    return 0;
}

_Static_assert(sizeof(struct tcb) <= TCB_FPU_OFFSET, "TCB overlaps its FPU area");

struct tcb *kernel_thread_create(void (*fn)(void))
{
    struct tcb *t = tcb_alloc(fn, NULL);
    if (t)
        t->state = L4_TSTATE_READY;
    return t;
}

struct tcb *thread_create(struct task *task, unsigned lthread, uint64_t ip, uint64_t sp)
{
    if (lthread >= L4_THREADS_PER_TASK || task->threads[lthread])
        return NULL;
    struct tcb *t = tcb_alloc((void (*)(void))thread_first_entry, task);
    if (!t)
        return NULL;
    if (utcb_attach(task, lthread, t)) {
        tcb_free(t, task);
        return NULL;
    }
    t->id = l4_tid_make(task->num, lthread, next_version++);
    t->task = task;
    t->chief = task->chief;
    t->prio = DEFAULT_PRIO;
    t->slice_ticks = t->slice_left = DEFAULT_SLICE_US * TIMER_HZ / 1000000;
    arch_fpu_init_area(t->fpu);
    sysregs_init_user(t->tf, ip, sp);
    t->state = L4_TSTATE_STOPPED;
    task->threads[lthread] = t;
    task->nthreads++;
    return t;
}

void thread_stop(struct tcb *t)
{
    ipc_abort(t, L4_ERR_CANCELLED);
    sched_unready(t);
    t->state = L4_TSTATE_STOPPED;
    if (t == current())
        schedule();
}

void thread_restart(struct tcb *t)
{
    if (t->state != L4_TSTATE_STOPPED)
        return;
    t->faulted = 0;
    sched_ready(t);
}

unsigned thread_state_word(const struct tcb *t)
{
    return t->state | ((unsigned)t->fault_vector << 8) | (t->faulted ? L4_STATE_FAULTED : 0);
}

/* The task pays for its own struct: it exists before its quota can be charged. */
struct task *task_create(unsigned num, uint8_t mcp, struct task *payer, uint64_t limit)
{
    if (num >= MAX_TASKS_LIVE || tasks[num])
        return NULL;
    struct task *task = kpool_alloc(1);
    if (!task)
        return NULL;
    task->kmem_payer = payer ? payer : task;
    task->kmem_limit = payer ? 0 : limit;
    if (kmem_charge(task, PAGE_SIZE)) {
        kpool_free(task, 1);
        return NULL;
    }
    task->pml4 = pt_new_space(task);
    if (!task->pml4 || pt_map(task->pml4, task, L4_KIP_ADDR, virt_to_phys(kip), PTE_U | PTE_NX)) {
        if (task->pml4)
            pt_free_space(task->pml4, task);
        kpool_free_for(task, task, 1);
        return NULL;
    }
    task->cr3 = virt_to_phys(task->pml4);
    task->num = num;
    task->mcp = mcp;
    tasks[num] = task;
    return task;
}

/* Everyone waiting on a thread that is going learns that it has gone: its send queue and
 * the threads on its closed-receive list that still wait for it (k/ipc.h), so the cost is
 * theirs, not every thread's. */
static void release_waiters(struct tcb *dead)
{
    while (dead->sendq_head) {
        struct tcb *s = dead->sendq_head;
        ipc_abort(s, L4_ERR_NO_PARTNER);
        sched_ready(s);
    }
    while (dead->closed_head) {
        struct tcb *w = dead->closed_head;
        ipc_closed_forget(w);
        if (w->state == L4_TSTATE_RECEIVING && !(w->ipc_flags & L4_IPC_OPEN) &&
            w->partner == dead->id) {
            ipc_abort(w, L4_ERR_NO_PARTNER);
            sched_ready(w);
        }
    }
}

static void thread_delete(struct tcb *t)
{
    ipc_abort(t, L4_ERR_CANCELLED);
    sched_unready(t);
    t->state = L4_TSTATE_INVALID;
    ipc_closed_forget(t);                   /* off the list it is on, then empty its own */
    release_waiters(t);
    irq_thread_deleted(t);
    if (this_cpu()->fpu_owner == t)
        this_cpu()->fpu_owner = NULL;
    t->task->threads[l4_tid_lthread(t->id)] = NULL;
    t->task->nthreads--;
    kpool_free_for(t->task, t->utcb, 1);
    tcb_free(t, t->task);
}

/* Deletes a task, its threads, its mappings (and all derived from them) and, first, the
 * tasks it created. Nesting is bounded (L4_MAX_NESTING), so is the recursion. */
void task_delete(struct task *task)
{
    for (unsigned n = 0; n < MAX_TASKS_LIVE; n++)
        if (tasks[n] && tasks[n]->chief == task->num && n != task->num)
            task_delete(tasks[n]);
    for (unsigned l = 0; l < L4_THREADS_PER_TASK; l++)
        if (task->threads[l])
            thread_delete(task->threads[l]);
    space_destroy(task);
    io_task_deleted(task);
    irq_task_deleted(task);
    kdebug_task_gone(task);
    pt_free_space(task->pml4, task);
    tasks[task->num] = NULL;
    if (task->kmem_payer == task && task->chief && tasks[task->chief])
        kmem_uncharge(tasks[task->chief], task->kmem_limit);   /* the quota goes back */
    kpool_free_for(task, task, 1);
}
