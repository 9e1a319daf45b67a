/*
 * main.c — the system thread of a musl task (lthread 0, started by root before anything
 * else in the task). It learns from root where the program sits, sets up the region table
 * (image, main stack, anonymous area), builds the initial stack musl expects, starts the
 * program's main thread (lthread 1) with itself as pager and exception handler, and then
 * serves that thread's page faults (mapper.c) and foreign system calls (syscalls.c) until
 * the program ends, and the notes of its reader thread (consread.c). It needs nothing
 * that answers foreign system calls: it is native code.
 */
#include "systhread.h"
#include <l4/errors.h>
#include <l4/fault.h>
#include <sas/layout.h>
#include <sas/proto/root.h>

#define STACK_BUILD_SIZE 0x4000ULL    /* room for argv, envp, auxv and strings */

struct posix_task pt;

/* Asks root where the program sits (sas/proto/root.h); 0 or -1. */
static int fetch_info(void)
{
    struct l4_exregs x = { .control = 0 };
    l4_lthread_ex_regs(&x);
    pt.root = x.pager;
    pt.task = l4_tid_task(x.control);
    l4_msg_t m = { { 0 } };
    uint64_t res = l4_call(pt.root, l4_msgtag(ROOT_PROGRAM_INFO, 0, 0), &m, L4_TIMEOUT_NEVER,
                           L4_TIMEOUT_NEVER);
    if (l4_ipc_error(res) || l4_msgtag_label(l4_ipc_tag(res)) != SAS_OK)
        return -1;
    pt.base = m.w[0], pt.entry = m.w[1], pt.phdr = m.w[2], pt.phnum = m.w[3], pt.end = m.w[4];
    memcpy(pt.name, &m.w[5], 24);
    if (root_service(pt.root, ROOT_SERVICE_CONSOLE, &pt.console))
        pt.console = L4_NILTHREAD;     /* no console: output goes to the kernel's log */
    return 0;
}

/* The image (root pages it and enforces its segments' rights), the stack, the mmap area. */
static int set_regions(void)
{
    uint64_t top = SAS_PROG_STACK_TOP(pt.base);
    pt.anon_base = SAS_PROG_ANON_BASE(pt.base);
    pt.anon_end = pt.base + SAS_PROGRAM_SLOT;
    fd_init(&pt.fds);
    return region_add(&pt.regions, pt.base, pt.end, REGION_IMAGE, 7) ||
           region_add(&pt.regions, top - SAS_PROG_STACK_SIZE, top, REGION_ANON,
                      LX_PROT_READ | LX_PROT_WRITE);
}

/* argc, argv, envp and auxv at the top of the main stack; the stack pointer, or 0. */
static uint64_t initial_stack(void)
{
    uint64_t top = SAS_PROG_STACK_TOP(pt.base), lo = top - STACK_BUILD_SIZE;
    const char *argv[] = { pt.name, 0 };
    const char *envp[] = { "HOME=/", "TERM=vt100", 0 };
    struct stack_args a = { argv, envp, pt.phdr, 56, pt.phnum, pt.entry, { 0 } };
    if (mapper_user(lo, STACK_BUILD_SIZE, L4_FPAGE_RW) || sas_entropy_fill(a.random, 16))
        return 0;
    return stack_build((uint8_t *)lo, top, STACK_BUILD_SIZE, &a);
}

static int start_main_thread(uint64_t sp)
{
    l4_threadid_t me = l4_myself();
    struct l4_exregs x = { .control = 1 | L4_EXREGS_SET_IP | L4_EXREGS_SET_SP |
                                      L4_EXREGS_SET_PAGER | L4_EXREGS_SET_EXCH,
                           .ip = pt.entry, .sp = sp, .pager = me, .exc_handler = me };
    if (l4_lthread_ex_regs(&x))
        return -1;
    pt.main_thread = x.control;
    return 0;
}

void posix_exit(unsigned code, const char *why)
{
    if (why)
        printf("posix: task %u '%s': %s\n", pt.task, pt.name, why);
    /* Root deletes the task and takes back every frame it holds. */
    root_exit(code);
}

const char *fault_access_name(unsigned a)
{
    return a & L4_FPAGE_W ? "write" : a & L4_FPAGE_X ? "execute" : "read";
}

/* A page fault of the program's; the reply's typed words (a grant item in *m, or none). */
static unsigned on_fault(l4_msg_t *m, unsigned access)
{
    int r = mapper_fault(m->w[0], access, m);
    if (r >= 0)
        return (unsigned)r;
    char why[160];
    if (r == MAPPER_OBJECT)        /* objmgr's refusal, in its own words: objects.c */
        posix_exit(128 + object_refusal(m->w[0], m->w[1], access, why, sizeof(why)), why);
    int bus = r == MAPPER_BUS_ERROR;
    snprintf(why, sizeof(why), "%s: %s at %lx (ip %lx)", bus ? "bus error" : "segmentation fault",
             fault_access_name(access), m->w[0], m->w[1]);
    posix_exit(128 + (bus ? 7 : 11), why);  /* SIGBUS or SIGSEGV */
}

/* The Linux signal an exception vector would raise, for the exit code 128 + signal. */
static unsigned vector_signal(unsigned vec)
{
    switch (vec) {
    case 0: case 16: case 19: return 8;     /* SIGFPE */
    case 1: case 3: return 5;               /* SIGTRAP */
    case 6: return 4;                       /* SIGILL */
    case 17: return 7;                      /* SIGBUS */
    default: return 11;                     /* SIGSEGV (#GP, #SS, ...) */
    }
}

/* A CPU exception ends the program, with the signal Linux would have sent. VECTOR and RIP
 * are register words in the full set. */
static __attribute__((noreturn)) void on_exception(const l4_msg_t *m)
{
    char why[96];
    snprintf(why, sizeof(why), "exception %lu at ip %lx", m->w[L4_EXC_VECTOR], m->w[L4_EXC_RIP]);
    posix_exit(128 + vector_signal((unsigned)m->w[L4_EXC_VECTOR]), why);
}

/* The message buffer of the loop: the register words, and room to complete a short
 * exception message in place for posix_syscall (no copy on the emulated call's path). */
union posix_msg {
    l4_msg_t m;
    uint64_t regs[POSIX_REGS];
};

/* A foreign system call's short message (l4/fault.h): eight words in registers, the last
 * in the UTCB. The reply is short too: the result, and the FS base when the call set it;
 * both land in the register words. */
static l4_msgtag_t on_syscall(union posix_msg *msg)
{
    _Static_assert(L4_EXS_WORDS == L4_MSG_REG_WORDS + 1, "one short word in the UTCB");
    msg->regs[L4_EXS_ARG5] = l4_utcb()->mr[L4_EXS_ARG5];
    msg->regs[POSIX_REPLY] = POSIX_REPLY_RESULT;
    return l4_msgtag(0, posix_syscall(msg->regs), 0);     /* 0: no answer now */
}

int posix_answer(l4_threadid_t t, int64_t result)
{
    l4_msg_t m = { { (uint64_t)result } };
    return !l4_ipc_error(l4_send(t, l4_msgtag(0, L4_EXR_RAX + 1, 0), &m, L4_TIMEOUT_ZERO));
}

/* A page fault's reply carries this label: any reply resumes the thread (l4/fault.h), and
 * a nonzero tag tells serve() there is one. */
#define FAULT_REPLY_LABEL 1u

/* The page the last fault's reply grants, for reply_failed's report: kept on the fault's
 * path, so that a system call's reply pays nothing for it. */
static uint64_t fault_va;

/* Handles one message; the reply's tag, or 0 if the sender is not answered now. A system
 * call, the common case, is tested first, on the whole tag. */
static l4_msgtag_t handle(l4_threadid_t from, uint64_t res, union posix_msg *msg)
{
    l4_msg_t *m = &msg->m;
    l4_msgtag_t t = l4_ipc_tag(res);
    if (l4_ipc_error(res) || l4_tid_task(from) != pt.task)
        return 0;
    if (t == l4_msgtag(L4_LABEL_EXCEPTION, L4_EXS_WORDS, 0) &&
        m->w[L4_EXS_VECTOR] == L4_EXC_SYSCALL) {
        pt.caller = from;
        return on_syscall(msg);         /* 0: answered later (a futex wait, an exit) */
    }
    uint32_t label = l4_msgtag_label(t);
    if ((label & ~(uint32_t)L4_FPAGE_RWX) == L4_LABEL_PAGEFAULT) {
        /* The page is in place, or comes with the reply: the thread retries. */
        fault_va = m->w[0];
        return l4_msgtag(FAULT_REPLY_LABEL, 0, on_fault(m, label & L4_FPAGE_RWX));
    }
    if (t == l4_msgtag(L4_LABEL_EXCEPTION, L4_EXC_WORDS, 0))
        on_exception(m);
    if (t == l4_msgtag(CONSREAD_DONE, 2, 0) && consread_is_reader(from))
        return consread_done(m);        /* a console read is done (consread.c) */
    return 0;
}

/* A reply that failed: a fault's grant the kernel refused (MAP_FAILED: the task's
 * kernel-memory quota cannot take the page's table or node) ends the program with a
 * report, since the thread waits for a page that cannot come. Other failures (a caller
 * gone, a zero timeout) leave it to the next turn. */
static void reply_failed(uint64_t res, l4_msgtag_t tag)
{
    if (!l4_ipc_error(res) || l4_ipc_failed_in_receive(res) || !l4_msgtag_t_words(tag) ||
        l4_ipc_error(res) != L4_ERR_MAP_FAILED)
        return;
    char why[96];
    snprintf(why, sizeof(why), "out of kernel memory: the page at %lx cannot be mapped",
             fault_va & ~(uint64_t)(SAS_PAGE_SIZE - 1));
    posix_exit(ROOT_EXIT_KMEM, why);
}

/* With waits that have a deadline (futex.c): answers those due, then answers `tag` (if
 * any) and receives, for no longer than until the earliest deadline left. */
static __attribute__((noinline)) uint64_t timed_turn(l4_threadid_t *from, l4_msgtag_t tag,
                                                      l4_msg_t *m)
{
    if (rt_rdtsc() >= futex_earliest)
        futex_expire();
    l4_timeout_t to = L4_TIMEOUT_NEVER;
    if (futex_earliest) {
        uint64_t now = rt_rdtsc(), per_us = rt_kip->tsc_hz / 1000000 + 1;
        to = futex_earliest <= now ? L4_TIMEOUT_ZERO
                                   : l4_timeout_from_us((futex_earliest - now) / per_us + 1);
    }
    if (tag) {
        uint64_t res = l4_reply_wait(from, tag, m, to);
        reply_failed(res, tag);
        return res;
    }
    *from = L4_NILTHREAD;
    return l4_receive(from, m, to);
}

static __attribute__((noreturn)) void serve(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    union posix_msg msg;
    l4_msg_t *m = &msg.m;
    uint64_t res = l4_receive(&from, m, L4_TIMEOUT_NEVER);
    for (;;) {
        l4_msgtag_t tag = handle(from, res, &msg);
        if (futex_earliest) {
            res = timed_turn(&from, tag, m);
            continue;                   /* a failed send: the next turn receives */
        }
        if (!tag) {
            from = L4_NILTHREAD;
            res = l4_receive(&from, m, L4_TIMEOUT_NEVER);
            continue;
        }
        res = l4_reply_wait(&from, tag, m, L4_TIMEOUT_NEVER);
        if (l4_ipc_error(res) && !l4_ipc_failed_in_receive(res)) {
            reply_failed(res, tag);
            from = L4_NILTHREAD;
            res = l4_receive(&from, m, L4_TIMEOUT_NEVER);
        }
    }
}

int main(void)
{
    rt_kip = (const volatile struct l4_kip *)L4_KIP_ADDR;
    if (!sas_entropy_available()) {    /* root checks too: this is the personality's own */
        printf("posix: the CPU has no RDRAND: no entropy, so no program runs\n");
        root_exit(1);
    }
    uint64_t sp;
    threads_init();
    if (fetch_info() || set_regions() || !(sp = initial_stack()) || start_main_thread(sp)) {
        printf("posix: task %u: cannot start the program\n", pt.task);
        root_exit(127);
    }
    serve();
}
