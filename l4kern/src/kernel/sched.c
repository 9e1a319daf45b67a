/*
 * sched.c — the scheduler proper: the run queues of runq.c, the current thread, time
 * slices and the switch. The kernel is not preemptible: switches happen only where a
 * thread blocks, yields, or is about to return to user mode with a reschedule pending.
 */
#include <k/cpu.h>
#include <k/ipc.h>
#include <k/irq.h>
#include <k/kip.h>
#include <k/mem.h>
#include <k/sched.h>
#include <k/x86.h>
#include <arch/switch.h>

struct runq sched_runq;
extern void switch_context(uint64_t *save_sp, uint64_t next_sp);

void sched_switch_to(struct tcb *next)
{
    struct percpu *c = this_cpu();
    struct tcb *prev = c->current;
    arch_switch_cpu(c, prev, next, 0);
    switch_context(&prev->ksp, next->ksp);
}

/*
 * Lazy queueing (for the IPC fastpath): a thread that blocked on the fastpath may still
 * sit in the run queue, and the thread it switched to may be running without being in
 * it. The queue is corrected here, where a choice is made: the running thread is put back
 * if it is ready, and blocked threads are dropped as they come up.
 */
static struct tcb *pick(void)
{
    struct tcb *t;
    while ((t = runq_highest(&sched_runq)) && t->state != L4_TSTATE_READY)
        runq_remove(&sched_runq, t);
    return t;
}

static void to_tail(struct tcb *t)
{
    if (t->in_runq)
        runq_rotate(&sched_runq, t);
    else
        runq_enqueue(&sched_runq, t);
}

void schedule(void)
{
    struct percpu *c = this_cpu();
    c->need_resched = 0;
    struct tcb *cur = c->current;
    if (cur != c->idle && cur->task && cur->state == L4_TSTATE_READY && !cur->in_runq)
        runq_enqueue(&sched_runq, cur);
    struct tcb *next = pick();
    if (!next)
        next = c->idle;
    if (next != c->current)
        sched_switch_to(next);
}

void sched_ready(struct tcb *t)
{
    t->state = L4_TSTATE_READY;
    if (!t->in_runq)
        runq_enqueue(&sched_runq, t);
    struct tcb *cur = current();
    if (!cur || cur == this_cpu()->idle || t->prio > cur->prio)
        this_cpu()->need_resched = 1;
}

void sched_unready(struct tcb *t)
{
    runq_remove(&sched_runq, t);
}

/* Current has left READY. Prefer the partner it just woke (time-slice donation, the
 * heart of fast RPC) unless someone of higher priority is waiting. */
void sched_block(struct tcb *prefer)
{
    struct tcb *self = current();
    sched_unready(self);
    struct tcb *best = pick();
    if (prefer && prefer->in_runq && best && prefer->prio >= best->prio) {
        this_cpu()->need_resched = 0;
        sched_switch_to(prefer);
        return;
    }
    schedule();
}

void sched_yield(void)
{
    struct tcb *self = current();
    self->slice_left = self->slice_ticks;
    to_tail(self);
    schedule();
}

/* Gives the rest of our slice to `to` if it is ready; else a plain yield. */
void sched_donate(struct tcb *to)
{
    if (!to || to->state != L4_TSTATE_READY || to == current()) {
        sched_yield();
        return;
    }
    to_tail(current());
    sched_switch_to(to);
}

/*
 * CPU time: each scheduler switch and each tick charges the time since the last such point
 * to the thread running. The fastpath's hand-offs charge nothing (two TSC reads and four
 * memory operations per switch, a tenth of a register round trip), so across a chain of
 * them the tick samples: the interval goes to whoever runs when it ends, which over many
 * ticks divides the chain's time in proportion to each thread's share, as a tick-based
 * kernel's accounting does. Time slices are ticks too, counted against the running thread
 * whichever path switched to it, so no pair of fastpath partners escapes them.
 */
static void charge_current(struct percpu *c)
{
    uint64_t now = rdtsc();
    c->current->consumed_tsc += now - c->acct_since;
    c->acct_since = now;
}

uint64_t sched_consumed_tsc(struct tcb *t)
{
    uint64_t c = t->consumed_tsc;
    if (t == current())
        c += rdtsc() - this_cpu()->acct_since;
    return c;
}

void sched_tick(void)
{
    kip->ticks++;
    charge_current(this_cpu());
    timeout_expire(this_cpu()->acct_since);
    struct tcb *cur = current();
    if (cur == this_cpu()->idle)
        return;
    if (cur->slice_left > 1) {
        cur->slice_left--;
        return;
    }
    cur->slice_left = cur->slice_ticks;
    to_tail(cur);
    this_cpu()->need_resched = 1;
}

/*
 * The KIP's idle_tsc counts the TSC while the idle thread is halted, so that under -icount
 * the TSC less idle_tsc is the guest's instructions of work. The clock runs from the halt
 * until a device interrupt arrives (trap_dispatch calls sched_idle_end before handling it)
 * or the halt ends: the kernel's work for a device interrupt then counts the same whether
 * it found the CPU halted or busy, which depends on the host's timing. A timer tick in a
 * halt does not stop it: ticks come as time passes, and under -icount with sleep=off the
 * clock jumps from deadline to deadline while the host finishes a request, so counting
 * their handling as work would make the figure follow the host.
 */
void sched_idle_end(void)
{
    struct percpu *cpu = this_cpu();
    if (cpu->idle_since) {
        kip->idle_tsc += rdtsc() - cpu->idle_since;
        cpu->idle_since = 0;
    }
}

/* The idle thread: halts with interrupts on until a tick or interrupt readies someone. */
static void idle_loop(void)
{
    for (;;) {
        if (runq_highest(&sched_runq)) {
            schedule();
            continue;
        }
        this_cpu()->idle_since = rdtsc();
        __asm__ volatile("sti; hlt; cli" ::: "memory");
        sched_idle_end();
    }
}

void sched_init(void)
{
    struct tcb *idle = kernel_thread_create(idle_loop);
    if (!idle)
        panic("no memory for the idle thread");
    this_cpu()->idle = idle;
}

/* Leaves the boot stack for good: the boot context is saved into a dummy and dropped. */
void sched_start(void)
{
    static struct tcb boot;
    this_cpu()->current = &boot;
    schedule();
    panic("sched_start returned");
}
