/*
 * k/thread.h — thread control blocks and tasks.
 *
 * A TCB, its FPU area and its kernel stack share one TCB_PAGES block from the kernel
 * pool: the TCB at the bottom, the user trapframe at the very top of the stack. A thread
 * blocked in the kernel (in IPC, stopped, or preempted) is suspended on its own kernel
 * stack, so resuming it simply returns into the code that blocked.
 */
#ifndef K_THREAD_H
#define K_THREAD_H

#include <stddef.h>
#include <stdint.h>
#include <l4/types.h>
#include <l4/thread.h>
#include <l4/utcb.h>
#include <l4/ipc.h>
#include <k/param.h>
#include <k/trapframe.h>

#define TCB_FPU_OFFSET 1024
#define TCB_FPU_AREA   1024

struct task;

struct tcb {
    /* scheduling (sched.c, runq.c) */
    struct tcb *rq_next, *rq_prev;
    uint8_t prio;
    uint8_t state;                 /* enum l4_thread_state */
    uint8_t in_runq;
    uint64_t slice_ticks, slice_left;
    uint64_t consumed_tsc;         /* CPU time charged to it (sched.c says how) */

    /* identity */
    l4_threadid_t id;
    struct task *task;
    unsigned chief;                /* task->chief, which never changes: the fastpath's clan test */

    /* ipc (ipc.c) */
    l4_threadid_t partner;         /* send destination, or closed-receive source */
    unsigned ipc_flags;            /* L4_IPC_* of the operation in progress */
    unsigned ipc_err;              /* enum l4_error left by whoever woke us */
    uint8_t ipc_in_recv;           /* a partner moved us from sending to receiving */
    l4_threadid_t ipc_from;        /* sender id our message shows (virtual if deceiving) */
    l4_threadid_t ipc_intended;    /* destination our redirected message was meant for */
    uint64_t ipc_rflags;           /* L4_RES_REDIRECTED/DECEITED/SRC_INSIDE it carries */
    uint16_t ipc_rcv_to;           /* receive timeout of the operation in progress */
    struct tcb *sendq_head, *sendq_tail;   /* threads waiting to send to us */
    struct tcb *sq_next, *sq_prev;         /* our place in the partner's send queue */
    struct tcb *sq_owner;                  /* whose send queue we are in */
    struct tcb *closed_head;               /* threads whose last closed receive is from us */
    struct tcb *cl_next, *cl_prev;         /* our place in such a list (k/ipc.h) */
    struct tcb *cl_owner;                  /* whose list that is, or NULL */

    /* timeouts (timeout.c) */
    uint64_t deadline_tsc;
    struct tcb *to_next, *to_prev;
    uint8_t in_timeouts;

    /* user context */
    uint64_t ksp;                  /* saved kernel stack pointer while switched out */
    uint8_t fast_parked;           /* blocked by the fastpath: ksp resumes into its exit,
                                      nothing else is on the stack (fastpath.c) */
    uint64_t kstack_top;
    struct trapframe *tf;
    uint64_t fs_base, gs_base;
    uint64_t segs;                 /* user DS, ES, FS, GS selectors, 16 bits each (cpu.c) */
    l4_threadid_t pager, exc_handler;
    uint8_t fault_vector, faulted;
    uint64_t fault_addr;
    void *fpu;
    uint8_t fpu_initial;           /* its FPU state is the initial one; fpu is stale (cpu.c) */
    struct l4_utcb *utcb;          /* kernel view of the message area */

    /* a call the kernel makes on the thread's behalf (page fault, exception) */
    uint8_t kcall;                 /* enum kcall_kind, 0 for the thread's own ipc */
    uint8_t syscall;               /* number - L4_SYS_BASE of the call it is making */
    l4_msgtag_t ipc_tag;           /* tag of the message being sent */
    l4_msgtag_t ipc_rcv_tag;       /* tag of the message received */
    uint64_t kmsg[24];             /* kernel-made message words, in and out */
};

/* What a thread's kernel-made call is (fault.c); the kind decides which replies are valid
 * (ipc.c, fastpath.c: l4/fault.h). */
enum kcall_kind { KCALL_NONE, KCALL_PAGEFAULT, KCALL_EXCEPTION, KCALL_SYSCALL, KCALL_NOTIFY };

struct task {
    unsigned num;
    unsigned chief;                /* the task that created it (0: the kernel) */
    unsigned depth;                /* nesting below the kernel's tasks */
    uint64_t *pml4;
    uint64_t cr3;                  /* pml4's physical address, for the switch */
    uint8_t *iobm;                 /* I/O permission bitmap (set bit: denied), or NULL */
    uint8_t mcp;                   /* maximum controlled priority */
    unsigned nthreads;
    /* kernel-memory quota (kpool.c), in bytes */
    struct task *kmem_payer;       /* whose quota pays: itself, or its chief's payer */
    uint64_t kmem_limit;           /* own quota (payer == itself), carved from the chief's */
    uint64_t kmem_used;            /* charged to it as a payer: its own and sharers' */
    uint64_t kdb_bytes;            /* kdebug output written so far (kdebug.c's budget) */
    uint64_t kdb_suppressed;       /* ... and refused once the budget was spent */
    struct tcb *threads[L4_THREADS_PER_TASK];
};

extern struct task *tasks[MAX_TASKS_LIVE];

/* thread.c */
struct tcb *thread_lookup(l4_threadid_t id);           /* NULL if nil, stale or absent */
struct tcb *thread_create(struct task *task, unsigned lthread, uint64_t ip, uint64_t sp);
void thread_stop(struct tcb *t);                       /* stop; cancels its IPC */
void thread_restart(struct tcb *t);                    /* make a stopped thread runnable */
struct tcb *kernel_thread_create(void (*fn)(void));     /* the idle thread */
/* payer NULL: the task has its own quota of `limit` bytes; else it draws on payer's. */
struct task *task_create(unsigned num, uint8_t mcp, struct task *payer, uint64_t limit);
void task_delete(struct task *task);                    /* with its threads and subtasks */
unsigned thread_state_word(const struct tcb *t);

#endif
