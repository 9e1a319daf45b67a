/*
 * sys_thread_schedule.c — read and set a thread's priority and time slice, read its state
 * and consumed time (l4/thread.h). No priority above the caller task's MCP can be set,
 * and a thread already above it cannot be changed.
 */
#include <k/cpu.h>
#include <k/sched.h>
#include <k/syscall.h>
#include <l4/errors.h>

static uint64_t slice_us(const struct tcb *t) { return t->slice_ticks * 1000000 / TIMER_HZ; }

static unsigned validate(const struct tcb *self, const struct tcb *t, uint64_t set,
                         uint64_t prio, uint64_t slice)
{
    if (!t)
        return L4_ERR_NO_PARTNER;
    if (set & ~(L4_SCHED_SET_PRIO | L4_SCHED_SET_SLICE))
        return L4_ERR_INVALID;
    if (!set)
        return L4_OK;
    if ((set & L4_SCHED_SET_PRIO) && prio > L4_SCHED_MAX_PRIO)
        return L4_ERR_INVALID;
    if ((set & L4_SCHED_SET_SLICE) && (slice == 0 || slice > L4_SCHED_MAX_SLICE_US))
        return L4_ERR_INVALID;
    if (t->prio > self->task->mcp || ((set & L4_SCHED_SET_PRIO) && prio > self->task->mcp))
        return L4_ERR_PERMISSION;
    return L4_OK;
}

static void set_prio(struct tcb *t, uint8_t prio)
{
    int queued = t->in_runq;
    if (queued)
        sched_unready(t);
    t->prio = prio;
    if (queued && t->state == L4_TSTATE_READY)
        sched_ready(t);
    if (t == current())
        this_cpu()->need_resched = 1;   /* a lowered priority may hand over the CPU */
}

void sys_thread_schedule(struct tcb *self, struct trapframe *tf)
{
    struct tcb *t = thread_lookup(tf->rdi);
    uint64_t set = tf->rsi, prio = tf->rdx, slice = tf->r10;
    unsigned err = validate(self, t, set, prio, slice);
    if (err) {
        tf->rax = err;
        return;
    }
    tf->rdx = t->prio;
    tf->r10 = slice_us(t);
    tf->r8 = thread_state_word(t);
    tf->r9 = sched_consumed_tsc(t) / (tsc_hz / 1000000 ? tsc_hz / 1000000 : 1);
    tf->r12 = (t->state == L4_TSTATE_SENDING || t->state == L4_TSTATE_RECEIVING) ? t->partner : 0;
    if (set & L4_SCHED_SET_SLICE) {
        t->slice_ticks = (slice * TIMER_HZ + 999999) / 1000000;
        t->slice_left = t->slice_ticks;
    }
    if (set & L4_SCHED_SET_PRIO)
        set_prio(t, (uint8_t)prio);
    tf->rax = L4_OK;
}
