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
int mapper_fault(uint64_t va, unsigned access, l4_msg_t *reply);
/* Makes [va, va + len) usable by the system thread itself with `access`: anonymous pages
 * get their frames now, image pages are touched (root pages them). 0 or -LX_EFAULT. */
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

/* syscalls.c: answers one foreign system call. regs holds the short exception message
 * (l4/fault.h, enum l4_exc_short) and, past it, what a call sets besides its result: the
 * FS base (arch_prctl), with POSIX_FS_SET 0 on entry. Returns the reply's word count
 * (enum l4_exc_reply), its words in regs[0..count): the result, and the FS base if set. */
enum { POSIX_FS_SET = L4_EXS_WORDS, POSIX_FS, POSIX_REGS };
unsigned posix_syscall(uint64_t *regs);
/* Ends the task with `code` and a report line (why: NULL for a plain exit). */
__attribute__((noreturn)) void posix_exit(unsigned code, const char *why);

/* disk.c: the disk as one file, DISK_PATH, through the block cache (sas/proto/blk.h). */
#define DISK_PATH "/disk"
/* Finds the driver and attaches its buffer, once; 0 or -ENOENT (no disk) / -EIO. */
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
