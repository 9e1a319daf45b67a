/*
 * sys_thread_schedule.c — read and set a thread's priority and time slice, read its state
 * and consumed time (l4/thread.h). No priority above the caller task's MCP can be set,
 * and a thread already above it cannot be changed.
 */
#include <k/cpu.h>
#include <k/sched.h>
#include <k/syscall.h>
#include <arch/sysregs.h>
#include <l4/errors.h>

static uint64_t slice_us(const struct tcb *t) { return t->slice_ticks * 1000000 / TIMER_HZ; }

static enum l4_error validate(const struct tcb *self, const struct tcb *t,
                              const struct sysregs_sched *in)
{
    uint64_t set = in->set;
    if (!t)
        return reject(L4_ERR_NO_PARTNER, "thread: no such thread");
    if (set & ~(L4_SCHED_SET_PRIO | L4_SCHED_SET_SLICE))
        return reject(L4_ERR_INVALID, "set: unknown bits");
    if (!set)
        return L4_OK;
    if ((set & L4_SCHED_SET_PRIO) && in->prio > L4_SCHED_MAX_PRIO)
        return reject(L4_ERR_INVALID, "prio: above L4_SCHED_MAX_PRIO");
    if ((set & L4_SCHED_SET_SLICE) && (in->slice_us == 0 || in->slice_us > L4_SCHED_MAX_SLICE_US))
        return reject(L4_ERR_INVALID, "slice: zero or above L4_SCHED_MAX_SLICE_US");
    if (t->prio > self->task->mcp)
        return reject(L4_ERR_PERMISSION, "thread: its priority is above the caller's MCP");
    if ((set & L4_SCHED_SET_PRIO) && in->prio > self->task->mcp)
        return reject(L4_ERR_PERMISSION, "prio: above the caller's MCP");
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

enum l4_error sys_thread_schedule(struct tcb *self, struct trapframe *tf)
{
    struct sysregs_sched in = sysregs_sched_in(tf);
    struct tcb *t = thread_lookup(in.thread);
    enum l4_error err = validate(self, t, &in);
    if (err)
        return err;
    int blocked = t->state == L4_TSTATE_SENDING || t->state == L4_TSTATE_RECEIVING;
    struct sysregs_sched out = {
        .prio = t->prio, .slice_us = slice_us(t), .state = thread_state_word(t),
        .consumed_us = sched_consumed_tsc(t) / (tsc_hz / 1000000 ? tsc_hz / 1000000 : 1),
        .partner = blocked ? t->partner : 0,
    };
    sysregs_sched_out(tf, &out);
    if (in.set & L4_SCHED_SET_SLICE) {
        t->slice_ticks = (in.slice_us * TIMER_HZ + 999999) / 1000000;
        t->slice_left = t->slice_ticks;
    }
    if (in.set & L4_SCHED_SET_PRIO)
        set_prio(t, (uint8_t)in.prio);
    return L4_OK;
}
