/*
 * systhread.h — the per-task system thread of a musl program (lthread 0, native code,
 * paged by root): the region mapper (mapper.c), the POSIX personality (syscalls.c), the
 * start-up (main.c); randomness comes from sas/entropy.h. One instance per task, at the
 * same address in every musl task (SAS_POSIXRT_ADDR); see docs/POSIX.md.
 */
#ifndef POSIX_SYSTHREAD_H
#define POSIX_SYSTHREAD_H

#include <native/rt.h>
#include "posix.h"
#include <sas/entropy.h>

struct posix_task {
    struct region_table regions;
    struct fd_table fds;
    uint64_t base, end;             /* the program's image */
    uint64_t anon_base, anon_end;   /* the mmap area, to the slot's end (region_gap) */
    uint64_t entry, phdr, phnum;
    char name[25];
    unsigned task;
    uint64_t sigmask;
    l4_threadid_t root, main_thread;
    l4_threadid_t console;          /* nil: no console service, output via kdebug */
    l4_threadid_t caller;           /* the thread whose call is being answered */
};
extern struct posix_task pt;

/* mapper.c */
/* Resolves a page fault of the program's thread at va needing `access` (L4_FPAGE_R/W/X)
 * through the region that holds va: an image page from root (which ends the task itself
 * if it has no such page) or a file page read-only from the block cache, each mapped at
 * va before this returns; an anonymous page as a zeroed frame of the task's batch, given
 * by a grant item the caller puts in its reply: the item's two words go to reply->w[0..1]
 * (untouched otherwise). Returns
 *   0 or 2            the number of typed words for the reply (0: the page is in place);
 *   -1                no region holds va, the region's protection lacks `access`, root
 *                     gave no frame for an anonymous page, or the call to root failed:
 *                     the caller ends the task as SIGSEGV;
 *   MAPPER_BUS_ERROR  a file page that could not be had (past the end of the disk, or
 *                     an I/O error): the caller ends the task as SIGBUS. */
#define MAPPER_BUS_ERROR (-2)
/*   MAPPER_OBJECT     va lies in the object region and objmgr did not map the page (or
 *                     there is no objmgr): object_refusal says why, and with which
 *                     signal the caller ends the task.
 * A fault in the object region goes to objmgr (objects.c), which maps the page before
 * this returns 0. */
#define MAPPER_OBJECT (-3)
int mapper_fault(uint64_t va, unsigned access, l4_msg_t *reply);
/* Makes [va, va + len) usable by the system thread itself with `access`: anonymous pages
 * get their frames now, image pages are touched (root pages them), object pages are
 * mapped by objmgr with `access` (objects.c). 0 or -LX_EFAULT; never ends the task. */
int mapper_user(uint64_t va, uint64_t len, unsigned access);
/* Gives the frames of anonymous pages in [start, end) back to root, by handle. */
void mapper_release(uint64_t start, uint64_t end);
/* Removes whatever [start, end) maps in this task (anonymous pages, granted to the task,
 * and file pages the cache mapped). */
void mapper_unmap(uint64_t start, uint64_t end);
/* 1 if some page of [start, end) has its frame already. */
int mapper_populated(uint64_t start, uint64_t end);
/* Pages of anonymous memory this task holds. */
uint64_t mapper_pages(void);

/* objects.c: the object region, paged by objmgr (sas/proto/objmgr.h). */
/* 1 if va lies in [SAS_OBJECT_BASE, SAS_OBJECT_END). */
int object_region(uint64_t va);
/* OBJ_FAULT for the page of va with `access` (L4_FPAGE_R/W/X): objmgr maps it into this
 * task with the domain's rights. 0, or -1 (refused, no objmgr, the page could not be
 * had: object_refusal explains the last refusal). */
int object_fault(uint64_t va, unsigned access);
/* object_fault for every page of [va, va + len), all in the object region; 0 or -LX_EFAULT. */
int object_user(uint64_t va, uint64_t len, unsigned access);
/* The report line of the last refused object_fault, for the program's access at va from
 * instruction ip, in why[n]; returns the signal that ends the task: SIGSEGV (11) for a
 * denial (the line: "write to 0x100000003000 denied: no capability with write right",
 * sas/denied.h), no object at va, or no objmgr; SIGBUS (7) for a page objmgr could not
 * have (no memory, an I/O error, a corrupt store). */
unsigned object_refusal(uint64_t va, uint64_t ip, unsigned access, char *why, size_t n);

/* main.c: "read", "write" or "execute", for access's L4_FPAGE_* bits (report lines). */
const char *fault_access_name(unsigned access);

/* syscalls.c: answers one foreign system call. regs holds the short exception message
 * (l4/fault.h, enum l4_exc_short) and, past it, how to answer (regs[POSIX_REPLY], 0 on
 * entry: enum posix_reply) and the FS base a call sets (arch_prctl). Returns the reply's
 * word count (enum l4_exc_reply), its words in regs[0..count): the result, and the FS
 * base if set; 0 for no answer now (the caller waits: a futex wait, an ended thread). */
enum { POSIX_REPLY = L4_EXS_WORDS, POSIX_FS, POSIX_REGS };
enum posix_reply { POSIX_REPLY_RESULT, POSIX_REPLY_FS, POSIX_REPLY_NONE };
unsigned posix_syscall(uint64_t *regs);
/* What futex_wait and the console reads return when the caller is to wait (its call is
 * answered later). */
#define POSIX_DEFERRED INT64_MIN
/* main.c: answers a waiting thread's call later with `result`; 1 if it took the answer. */
int posix_answer(l4_threadid_t t, int64_t result);
/* Ends the task with `code` and a report line (why: NULL for a plain exit). */
__attribute__((noreturn)) void posix_exit(unsigned code, const char *why);

/* threads.c: the program's threads (lthreads 1 .. POSIX_MAX_THREADS - 1). */
/* The kernel's lthreads less two: 0 is the system thread, the last the console reader. */
#define POSIX_MAX_THREADS (L4_THREADS_PER_TASK - 1)
struct lx_clone {
    uint64_t flags, stack, ptid, ctid, tls, fn;
    uint64_t resume;                    /* the parent's RIP past its syscall */
};
void threads_init(void);
/* The lthread number of t (0 if it cannot be one of the program's). */
unsigned thread_of(l4_threadid_t t);
int64_t thread_tid(unsigned n);
/* 1 if tid names a live thread of the program. */
int thread_live_tid(uint64_t tid);
void thread_set_clear_tid(unsigned n, uint64_t addr);
/* A new thread as clone makes it: its tid, or -EAGAIN (no lthread or kernel memory left),
 * -ENOSYS (flags of a new process), -EINVAL, -EFAULT, -EPERM (TLS outside user space). */
int64_t thread_clone(const struct lx_clone *c);
/* Thread n ends: its clear_tid word zeroed and woken. 1 if other threads live on. */
int thread_exit(unsigned n);

/* futex.c: waits deferred, wakes answered through posix_answer. timeout: the user's
 * relative timespec, or 0 for none. */
int64_t futex_wait(l4_threadid_t who, uint64_t addr, uint32_t val, uint64_t timeout);
/* who sleeps until the TSC reaches deadline (POSIX_DEFERRED), or 0 if it has. */
int64_t futex_sleep(l4_threadid_t who, uint64_t deadline);
/* A relative timespec at ts as a TSC deadline; 0, -EFAULT or -EINVAL. */
int64_t futex_deadline(uint64_t ts, uint64_t *deadline);
/* An absolute one, of a clock that is the TSC's time plus base_sec seconds. */
int64_t futex_deadline_at(uint64_t ts, uint64_t base_sec, uint64_t *deadline);
/* Answers the waits and sleeps whose deadline has passed; futex_earliest is the next one
 * (0: none), for the system thread's receive timeout. */
void futex_expire(void);
extern uint64_t futex_earliest;
int64_t futex_wake(uint64_t addr, uint64_t n);
/* cmp: FUTEX_CMP_REQUEUE's expected value, or NULL for FUTEX_REQUEUE. */
int64_t futex_requeue(uint64_t addr, uint64_t n, uint64_t m, uint64_t addr2,
                      const uint32_t *cmp);

/* consread.c: console reads deferred, as futex waits are; the blocking CONSOLE_READ is
 * made by the task's reader thread (lthread POSIX_READER_LTHREAD, past the program's),
 * started at the first read. Reads up to one console message into the user's buffer
 * (consread_one) or scattered over an lx_iovec array of cnt entries, already checked
 * readable (consread_vector). Returns POSIX_DEFERRED (answered later, through
 * posix_answer, oldest waiter first), or now: 0 (nothing to read into), -EFAULT, and with
 * `nonblock` the bytes there, or -EAGAIN if none (or earlier readers wait); -EIO if the
 * console is gone. Without a reader thread (no kernel memory) reads are made here, as
 * blocking calls. */
#define POSIX_READER_LTHREAD POSIX_MAX_THREADS
int64_t consread_one(l4_threadid_t who, uint64_t buf, uint64_t len, int nonblock);
int64_t consread_vector(l4_threadid_t who, uint64_t iov, uint64_t cnt, int nonblock);
/* The reader's note to the system thread: CONSREAD_DONE, MR0 bytes read into its buffer,
 * MR1 the enum sas_error of the read (CONSREAD_NONE in its first note). The reply, if
 * any, is CONSREAD_REQUEST, MR0 bytes to read. */
#define CONSREAD_DONE    0x50430001u
#define CONSREAD_REQUEST 0x50430002u
#define CONSREAD_NONE    (~0ULL)
/* 1 if t is the reader thread (main.c routes its notes here). */
int consread_is_reader(l4_threadid_t t);
/* The note in m: answers the oldest waiter; the reply for the reader (the next request,
 * in m) or 0 (it waits for one). */
l4_msgtag_t consread_done(l4_msg_t *m);

/* disk.c: the disk as one file, DISK_PATH, through the block cache (sas/proto/blk.h). */
#define DISK_PATH "/disk"
/* Finds the driver and attaches its buffer, once; 0 or -ENOENT (no disk), -EACCES (the
 * disk is another task's: persist's), -EIO. */
int disk_ready(void);
/* The file's size: the device's whole pages. */
uint64_t disk_size(void);
/* Bytes at off to or from the user's [va, va + len): the count (short at the end of the
 * disk; 0 for a read at or past it), or -EFAULT, -EIO, -ENOSPC (a write past the end).
 * A write with `dsync` returns once it is durable. */
int64_t disk_pread(uint64_t va, uint64_t len, uint64_t off);
int64_t disk_pwrite(uint64_t va, uint64_t len, uint64_t off, int dsync);
int64_t disk_pwritev(const struct lx_iovec *v, uint64_t cnt, uint64_t off, int dsync);
/* Makes every completed write durable (a device flush); 0 or -EIO. */
int disk_sync(void);
/* Maps the disk's page at off read-only at our page va; 0 or -1. */
int disk_map(uint64_t va, uint64_t off);

/* names.c: the Linux name of system call nr, or "?" */
const char *syscall_name(uint64_t nr);

#endif
