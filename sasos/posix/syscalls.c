/*
 * syscalls.c — the POSIX personality: each foreign `syscall` of the task's threads arrives
 * here as the short exception message (l4/fault.h); the handler's result goes back in RAX.
 * One handler per call, dispatched by a table; every other number answers -ENOSYS and is
 * logged once with its number and name. Arguments are checked before anything changes,
 * and every user pointer through mapper_user() before it is touched. docs/POSIX.md lists
 * the calls and how each is answered.
 */
#include "systhread.h"
#include <l4/fault.h>
#include <l4/kdebug.h>
#include <sas/layout.h>
#include <sas/proto/console.h>

#define ARG(i) regs[arg_word[i]]
static const unsigned arg_word[6] = { L4_EXS_ARG0, L4_EXS_ARG1, L4_EXS_ARG2, L4_EXS_ARG3,
                                      L4_EXS_ARG4, L4_EXS_ARG5 };

typedef int64_t (*sys_fn)(uint64_t *regs);

static uint64_t page_up(uint64_t v) { return (v + SAS_PAGE_SIZE - 1) & ~(SAS_PAGE_SIZE - 1); }

/* ---- console I/O: the console driver (sas/proto/console.h), else the kernel's log ---- */

static int64_t term_write(uint64_t buf, uint64_t len)
{
    if (mapper_user(buf, len, L4_FPAGE_R))
        return -LX_EFAULT;
    if (!l4_tid_is_nil(pt.console)) {
        size_t done;
        enum sas_error e = console_write(pt.console, (const void *)buf, len, &done);
        return done || !e ? (int64_t)done : -LX_EIO;
    }
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < L4_KDB_MAX_STRING ? len - done : L4_KDB_MAX_STRING;
        l4_kdb_puts((const char *)(buf + done), n);
        done += n;
    }
    return (int64_t)len;
}

/* A console read: deferred (consread.c) unless it can be answered now; 0 at end of file
 * or with no console. iov: an lx_iovec array of cnt entries (checked), else 0 for
 * [buf, buf + cnt). */
static int64_t term_read(uint64_t buf, uint64_t cnt, uint32_t flags, int iov)
{
    int nonblock = (flags & LX_O_NONBLOCK) != 0;
    if (l4_tid_is_nil(pt.console))
        return iov || !mapper_user(buf, cnt, L4_FPAGE_W) ? 0 : -LX_EFAULT;
    return iov ? consread_vector(pt.caller, buf, cnt, nonblock)
               : consread_one(pt.caller, buf, cnt, nonblock);
}

/* The disk file at its position, which advances by what was moved. */
static int64_t file_io(struct fd_entry *e, uint64_t buf, uint64_t len, int writing)
{
    int64_t n = writing ? disk_pwrite(buf, len, e->pos, (e->flags & LX_O_DSYNC) != 0)
                        : disk_pread(buf, len, e->pos);
    if (n > 0)
        e->pos += (uint64_t)n;
    return n;
}

static int64_t fd_write(int64_t fd, uint64_t buf, uint64_t len)
{
    struct fd_entry *e = fd_get(&pt.fds, fd);
    if (!e || (e->flags & LX_O_ACCMODE) == LX_O_RDONLY)
        return -LX_EBADF;
    return e->kind == FD_DISK ? file_io(e, buf, len, 1) : term_write(buf, len);
}

static int64_t fd_read(int64_t fd, uint64_t buf, uint64_t len)
{
    struct fd_entry *e = fd_get(&pt.fds, fd);
    if (!e || (e->flags & LX_O_ACCMODE) == LX_O_WRONLY)
        return -LX_EBADF;
    return e->kind == FD_DISK ? file_io(e, buf, len, 0) : term_read(buf, len, e->flags, 0);
}

/* A result of POSIX_DEFERRED: the caller is answered later (a futex wait, a console read). */
static int64_t maybe_later(uint64_t *regs, int64_t r)
{
    if (r == POSIX_DEFERRED)
        regs[POSIX_REPLY] = POSIX_REPLY_NONE;
    return r;
}

static int64_t sys_write(uint64_t *regs) { return fd_write((int64_t)ARG(0), ARG(1), ARG(2)); }
static int64_t sys_read(uint64_t *regs)
{
    return maybe_later(regs, fd_read((int64_t)ARG(0), ARG(1), ARG(2)));
}

/* The iovec array of a readv/writev family call (ARG(1), ARG(2) entries), checked. */
static int64_t user_iov(uint64_t *regs, const struct lx_iovec **v)
{
    if (ARG(2) > 1024)
        return -LX_EINVAL;
    if (mapper_user(ARG(1), ARG(2) * sizeof(struct lx_iovec), L4_FPAGE_R))
        return -LX_EFAULT;
    *v = (const struct lx_iovec *)ARG(1);
    return 0;
}

/* One buffer of a vector call, `done` bytes moved before it; `arg` is the call's. */
typedef int64_t buffer_io(int64_t fd, const struct lx_iovec *v, uint64_t done, uint64_t arg);

/* Each buffer in turn until one is short: the bytes moved, or the first error if none. */
static int64_t each_buffer(int64_t fd, const struct lx_iovec *v, uint64_t cnt, buffer_io *io,
                           uint64_t arg)
{
    int64_t total = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        int64_t n = io(fd, &v[i], (uint64_t)total, arg);
        if (n < 0)
            return total ? total : n;
        total += n;
        if ((uint64_t)n < v[i].len)
            break;
    }
    return total;
}

/* buffer_io of a disk read at offset `off` and of a console write. */
static int64_t disk_read_one(int64_t fd, const struct lx_iovec *v, uint64_t done, uint64_t off)
{
    (void)fd;
    return disk_pread(v->base, v->len, off + done);
}
static int64_t console_write_one(int64_t fd, const struct lx_iovec *v, uint64_t done,
                                 uint64_t arg)
{
    (void)done, (void)arg;
    return fd_write(fd, v->base, v->len);
}

/* The disk file at off: a write gathered into few cache writes and at most one flush. */
static int64_t disk_vector(struct fd_entry *e, const struct lx_iovec *v, uint64_t cnt,
                           uint64_t off, int writing)
{
    return writing ? disk_pwritev(v, cnt, off, (e->flags & LX_O_DSYNC) != 0)
                   : each_buffer(-1, v, cnt, disk_read_one, off);
}

/* readv and writev: the disk file at its position (which moves by what was moved); the
 * console's buffers each in turn for a write, and one read (one line) over them all. */
static int64_t vector_io(uint64_t *regs, int writing)
{
    const struct lx_iovec *v;
    int64_t total = user_iov(regs, &v);
    if (total)
        return total;
    struct fd_entry *e = fd_get(&pt.fds, (int64_t)ARG(0));
    unsigned deny = writing ? LX_O_RDONLY : LX_O_WRONLY;
    if (e && e->kind == FD_DISK && (e->flags & LX_O_ACCMODE) != deny) {
        total = disk_vector(e, v, ARG(2), e->pos, writing);
        e->pos += total > 0 ? (uint64_t)total : 0;
        return total;
    }
    if (writing)
        return each_buffer((int64_t)ARG(0), v, ARG(2), console_write_one, 0);
    if (!e || (e->flags & LX_O_ACCMODE) == LX_O_WRONLY)
        return -LX_EBADF;
    return term_read(ARG(1), ARG(2), e->flags, 1);
}
static int64_t sys_writev(uint64_t *regs) { return vector_io(regs, 1); }
static int64_t sys_readv(uint64_t *regs) { return maybe_later(regs, vector_io(regs, 0)); }

/* ---- descriptors ---- */

/* Copies a user string of at most n-1 bytes; 0 or -EFAULT / -ENOENT (too long). */
static int user_string(uint64_t va, char *out, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        if (mapper_user(va + i, 1, L4_FPAGE_R))
            return -LX_EFAULT;
        if (!(out[i] = *(const char *)(va + i)))
            return 0;
    }
    return -LX_ENOENT;
}

static int64_t open_path(uint64_t path, uint64_t flags)
{
    char name[64];
    int64_t f = open_flags(flags);
    int e = user_string(path, name, sizeof(name));
    if (e)
        return e;
    if (!strncmp(name, DISK_PATH, sizeof(DISK_PATH))) {
        int64_t df = disk_open_flags(flags);
        int r = df < 0 ? (int)df : disk_ready();
        return r ? r : fd_alloc(&pt.fds, FD_DISK, (uint32_t)df);
    }
    if (f < 0)
        return f;
    if (strncmp(name, "/dev/console", 13) && strncmp(name, "/dev/tty", 9))
        return -LX_ENOENT;
    return fd_alloc(&pt.fds, FD_CONSOLE, (uint32_t)f);
}
static int64_t sys_open(uint64_t *regs) { return open_path(ARG(0), ARG(1)); }
static int64_t sys_openat(uint64_t *regs)
{
    return (int64_t)ARG(0) == LX_AT_FDCWD ? open_path(ARG(1), ARG(2)) : -LX_ENOENT;
}
static int64_t sys_close(uint64_t *regs) { return fd_close(&pt.fds, (int64_t)ARG(0)); }
static int64_t sys_lseek(uint64_t *regs)
{
    struct fd_entry *e = fd_get(&pt.fds, (int64_t)ARG(0));
    int64_t off = (int64_t)ARG(1), at;
    if (!e)
        return -LX_EBADF;
    if (e->kind != FD_DISK)
        return -LX_ESPIPE;
    switch (ARG(2)) {
    case LX_SEEK_SET: at = off; break;
    case LX_SEEK_CUR: at = (int64_t)e->pos + off; break;
    case LX_SEEK_END: at = (int64_t)disk_size() + off; break;
    default: return -LX_EINVAL;
    }
    if (at < 0)
        return -LX_EINVAL;
    e->pos = (uint64_t)at;
    return at;
}

static int64_t sys_fstat(uint64_t *regs)
{
    struct fd_entry *e = fd_get(&pt.fds, (int64_t)ARG(0));
    if (!e)
        return -LX_EBADF;
    if (mapper_user(ARG(1), sizeof(struct lx_stat), L4_FPAGE_W))
        return -LX_EFAULT;
    if (e->kind == FD_DISK)
        *(struct lx_stat *)ARG(1) = (struct lx_stat){ .dev = 8, .ino = 2, .nlink = 1,
            .mode = LX_S_IFREG | 0600, .size = (int64_t)disk_size(), .blksize = 4096,
            .blocks = (int64_t)(disk_size() / 512) };
    else
        *(struct lx_stat *)ARG(1) = (struct lx_stat){ .dev = 5, .ino = 1, .nlink = 1,
            .mode = LX_S_IFCHR | 0620, .rdev = (5 << 8) | 1, .blksize = 1024 };
    return 0;
}

/* A local file system (LMDB asks, to refuse network ones): the disk's pages, all used. */
static int64_t sys_fstatfs(uint64_t *regs)
{
    struct fd_entry *e = fd_get(&pt.fds, (int64_t)ARG(0));
    if (!e)
        return -LX_EBADF;
    if (mapper_user(ARG(1), sizeof(struct lx_statfs), L4_FPAGE_W))
        return -LX_EFAULT;
    uint64_t pages = e->kind == FD_DISK ? disk_size() / 4096 : 0;
    *(struct lx_statfs *)ARG(1) = (struct lx_statfs){ .type = LX_EXT4_SUPER_MAGIC,
        .bsize = 4096, .blocks = pages, .files = 1, .namelen = 255, .frsize = 4096 };
    return 0;
}

/* The descriptor of a positioned call (pread64 .. pwritev): a disk file open for the
 * direction, at an offset (ARG(3)) that is not negative; 0, or the error. */
static int64_t positioned_fd(uint64_t *regs, int writing, struct fd_entry **out)
{
    struct fd_entry *e = fd_get(&pt.fds, (int64_t)ARG(0));
    unsigned deny = writing ? LX_O_RDONLY : LX_O_WRONLY;
    if (!e || (e->flags & LX_O_ACCMODE) == deny)
        return -LX_EBADF;
    if (e->kind != FD_DISK)
        return -LX_ESPIPE;
    if ((int64_t)ARG(3) < 0)
        return -LX_EINVAL;
    *out = e;
    return 0;
}

/* A positioned write to the console: the console has no position, so the offset (not
 * negative) is ignored and the bytes are printed, as write would. 0 (print them),
 * -EINVAL (a negative offset), or 1: fd is no console descriptor open for writing, the
 * disk file's rules apply (positioned_fd). Linux's
 * terminals answer -ESPIPE here; the console takes the write so that a program can hand
 * it any buffer it would hand a file, an object's among them. */
static int64_t console_positioned(uint64_t *regs, struct fd_entry **e)
{
    *e = fd_get(&pt.fds, (int64_t)ARG(0));
    if (!*e || (*e)->kind != FD_CONSOLE || ((*e)->flags & LX_O_ACCMODE) == LX_O_RDONLY)
        return 1;
    return (int64_t)ARG(3) < 0 ? -LX_EINVAL : 0;
}

/* pread64 and pwrite64: the disk file at an offset, its position unchanged; pwrite64 on
 * the console prints. */
static int64_t positioned(uint64_t *regs, int writing)
{
    struct fd_entry *e;
    int64_t err = writing ? console_positioned(regs, &e) : 1;
    if (err <= 0)
        return err ? err : term_write(ARG(1), ARG(2));
    err = positioned_fd(regs, writing, &e);
    if (err)
        return err;
    return writing ? disk_pwrite(ARG(1), ARG(2), ARG(3), (e->flags & LX_O_DSYNC) != 0)
                   : disk_pread(ARG(1), ARG(2), ARG(3));
}
static int64_t sys_pread64(uint64_t *regs) { return positioned(regs, 0); }
static int64_t sys_pwrite64(uint64_t *regs) { return positioned(regs, 1); }

/* preadv and pwritev: the same with buffers (on x86-64 the offset is all in ARG(3)). */
static int64_t positioned_vector(uint64_t *regs, int writing)
{
    struct fd_entry *e;
    const struct lx_iovec *v;
    int64_t err = writing ? console_positioned(regs, &e) : 1;
    if (err <= 0)
        return err ? err : vector_io(regs, 1);
    err = positioned_fd(regs, writing, &e);
    if (!err)
        err = user_iov(regs, &v);
    return err ? err : disk_vector(e, v, ARG(2), ARG(3), writing);
}
static int64_t sys_preadv(uint64_t *regs) { return positioned_vector(regs, 0); }
static int64_t sys_pwritev(uint64_t *regs) { return positioned_vector(regs, 1); }

/* fsync and fdatasync: the same on a disk with no metadata of its own (a device flush). */
static int64_t sys_fsync(uint64_t *regs)
{
    struct fd_entry *e = fd_get(&pt.fds, (int64_t)ARG(0));
    if (!e)
        return -LX_EBADF;
    return e->kind == FD_DISK ? disk_sync() : -LX_EINVAL;
}

/* The file is the device: a length within it is accepted and changes nothing. */
static int64_t sys_ftruncate(uint64_t *regs)
{
    struct fd_entry *e = fd_get(&pt.fds, (int64_t)ARG(0));
    if (!e)
        return -LX_EBADF;
    if (e->kind != FD_DISK || (e->flags & LX_O_ACCMODE) == LX_O_RDONLY || (int64_t)ARG(1) < 0)
        return -LX_EINVAL;
    return ARG(1) > disk_size() ? -LX_EFBIG : 0;
}

static int64_t sys_fcntl(uint64_t *regs)
{
    struct fd_entry *e = fd_get(&pt.fds, (int64_t)ARG(0));
    if (!e)
        return -LX_EBADF;
    switch (ARG(1)) {
    case LX_F_GETFD: return e->cloexec ? LX_FD_CLOEXEC : 0;
    case LX_F_SETFD: e->cloexec = (ARG(2) & LX_FD_CLOEXEC) != 0; return 0;
    case LX_F_GETFL: return e->flags;
    case LX_F_SETFL:     /* as Linux: only O_NONBLOCK (and O_APPEND, never on the disk) */
        e->flags = (e->flags & ~(uint32_t)LX_O_NONBLOCK) | (ARG(2) & LX_O_NONBLOCK);
        return 0;
    default: return -LX_EINVAL;
    }
}

/* TIOCGWINSZ answered as a terminal, so musl keeps stdout line-buffered. */
static int64_t sys_ioctl(uint64_t *regs)
{
    if (!fd_get(&pt.fds, (int64_t)ARG(0)))
        return -LX_EBADF;
    if (ARG(1) != LX_TIOCGWINSZ)
        return -LX_ENOTTY;
    if (mapper_user(ARG(2), sizeof(struct lx_winsize), L4_FPAGE_W))
        return -LX_EFAULT;
    struct console_info ci = { 24, 80, 0, 0 };
    if (!l4_tid_is_nil(pt.console))
        console_info(pt.console, &ci);
    *(struct lx_winsize *)ARG(2) = (struct lx_winsize){ (uint16_t)ci.rows, (uint16_t)ci.cols,
                                                        0, 0 };
    return 0;
}

/* ---- memory ---- */

/* A shared read-only mapping of the disk file: [off, off + len) must lie on the disk. */
static int file_map_check(int64_t fd, uint64_t len, uint64_t off)
{
    struct fd_entry *e = fd_get(&pt.fds, fd);
    if (!e || (e->flags & LX_O_ACCMODE) == LX_O_WRONLY)
        return -LX_EBADF;
    if (e->kind != FD_DISK)
        return -LX_ENODEV;
    if (off & (SAS_PAGE_SIZE - 1))
        return -LX_EINVAL;
    return off < disk_size() && len <= disk_size() - off ? 0 : -LX_ENXIO;
}

/* Removes [start, end) from the table, then gives its frames back and unmaps its pages
 * before the program runs again: region_gap may hand the range out at the next mmap, and
 * its pages must then fault in fresh. */
static int unmap_range(uint64_t start, uint64_t end)
{
    int e = region_remove(&pt.regions, start, end);
    if (!e) {
        mapper_release(start, end);
        mapper_unmap(start, end);     /* anonymous pages (ours), file pages (the cache's) */
    }
    return e;
}

static int64_t sys_mmap(uint64_t *regs)
{
    uint64_t len = page_up(ARG(1));
    int file = !(ARG(3) & LX_MAP_ANONYMOUS);
    int e = mmap_check(ARG(0), ARG(1), ARG(2), ARG(3), (int64_t)ARG(4));
    if (!e && file)
        e = file_map_check((int64_t)ARG(4), len, ARG(5));
    if (e)
        return e;
    /* The lowest free range of the area: what munmap gave back is handed out again, safe
     * since munmap returned its frames and unmapped its pages before it replied. */
    uint64_t at;
    e = region_gap(&pt.regions, pt.anon_base, pt.anon_end, len, &at);
    if (!e)
        e = file ? region_add_file(&pt.regions, at, at + len, (unsigned)ARG(2), ARG(5))
                 : region_add(&pt.regions, at, at + len, REGION_ANON, (unsigned)ARG(2));
    if (e)
        return e;
    if ((ARG(3) & LX_MAP_POPULATE) && mapper_user(at, len, prot_to_rights((unsigned)ARG(2)))) {
        unmap_range(at, at + len);    /* nothing left behind, as if never mapped */
        return -LX_ENOMEM;
    }
    return (int64_t)at;
}

/* An unmap may only touch anonymous memory: [addr, addr+len) inside the anon area. */
static int anon_range(uint64_t addr, uint64_t len)
{
    return !(addr & (SAS_PAGE_SIZE - 1)) && len && addr >= SAS_PROG_STACK_TOP(pt.base) -
           SAS_PROG_STACK_SIZE && addr < pt.anon_end && page_up(len) <= pt.anon_end - addr;
}

static int64_t sys_munmap(uint64_t *regs)
{
    uint64_t addr = ARG(0), end = addr + page_up(ARG(1));
    if (!anon_range(addr, ARG(1)))
        return -LX_EINVAL;
    return unmap_range(addr, end);
}

static int64_t sys_mprotect(uint64_t *regs)
{
    uint64_t addr = ARG(0), end = addr + page_up(ARG(1));
    if ((addr & (SAS_PAGE_SIZE - 1)) || (ARG(2) & ~7ULL) || end < addr)
        return -LX_EINVAL;
    if (addr == end)
        return 0;
    const struct region *r = region_find(&pt.regions, addr);
    if (r && r->end >= end && r->prot == ARG(2))
        return 0;
    /* A populated page cannot get its frame mapped again with other rights. */
    if (mapper_populated(addr, end))
        return -LX_EACCES;
    return region_protect(&pt.regions, addr, end, (unsigned)ARG(2));
}

static int64_t sys_madvise(uint64_t *regs)
{
    (void)regs;
    return 0;      /* advice only: MADV_DONTNEED is not needed by musl's malloc */
}
static int64_t sys_mremap(uint64_t *regs) { (void)regs; return -LX_ENOMEM; }
/* No program break: musl's malloc then takes all its memory from mmap. */
static int64_t sys_brk(uint64_t *regs) { (void)regs; return 0; }

/* ---- process, time, randomness ---- */

/* ---- threads (threads.c, futex.c) ---- */

static int64_t sys_getpid(uint64_t *regs) { (void)regs; return pt.task; }
static int64_t sys_gettid(uint64_t *regs) { (void)regs; return thread_tid(thread_of(pt.caller)); }

static int64_t sys_set_tid_address(uint64_t *regs)
{
    unsigned n = thread_of(pt.caller);
    thread_set_clear_tid(n, ARG(0));
    return thread_tid(n);
}

static int64_t sys_clone(uint64_t *regs)
{
    const struct lx_clone c = { ARG(0), ARG(1), ARG(2), ARG(3), ARG(4), ARG(5),
                                regs[L4_EXS_RIP] };
    return thread_clone(&c);
}

/* One thread ends (its caller is left waiting for good); the last one ends the program. */
static int64_t sys_exit(uint64_t *regs)
{
    if (!thread_exit(thread_of(pt.caller)))
        posix_exit((unsigned)ARG(0) & 0xff, 0);
    return maybe_later(regs, POSIX_DEFERRED);
}

/* The caller's slice goes on: the system thread cannot give another thread's time away,
 * and the kernel's time slices interleave the threads anyway. */
static int64_t sys_sched_yield(uint64_t *regs) { (void)regs; return 0; }

/* nanosleep and clock_nanosleep: the caller is answered at its deadline (futex.c). */
static int64_t sleep_until(uint64_t *regs, uint64_t deadline)
{
    return maybe_later(regs, futex_sleep(pt.caller, deadline));
}

static int64_t sys_nanosleep(uint64_t *regs)
{
    uint64_t deadline;
    int64_t e = futex_deadline(ARG(0), &deadline);
    return e ? e : sleep_until(regs, deadline);
}

/* Relative, or TIMER_ABSTIME against the clock's own time (the TSC's, plus the boot time
 * for CLOCK_REALTIME); `rem` is never written: no signal interrupts a sleep. */
static int64_t sys_clock_nanosleep(uint64_t *regs)
{
    uint64_t id = ARG(0), deadline;
    if (id > LX_CLOCK_BOOTTIME || id == LX_CLOCK_PROCESS_CPUTIME_ID ||
        id == LX_CLOCK_THREAD_CPUTIME_ID)
        return -LX_EINVAL;
    if (ARG(1) & ~(uint64_t)LX_TIMER_ABSTIME)
        return -LX_EINVAL;
    uint64_t base = id == LX_CLOCK_REALTIME || id == LX_CLOCK_REALTIME_COARSE
                        ? rt_kip->boot_time : 0;
    int64_t e = ARG(1) & LX_TIMER_ABSTIME ? futex_deadline_at(ARG(2), base, &deadline)
                                          : futex_deadline(ARG(2), &deadline);
    return e ? e : sleep_until(regs, deadline);
}

static int64_t sys_exit_group(uint64_t *regs) { posix_exit((unsigned)ARG(0) & 0xff, 0); }

static int64_t sys_futex(uint64_t *regs)
{
    uint64_t addr = ARG(0), op = ARG(1) & ~(uint64_t)(LX_FUTEX_PRIVATE | LX_FUTEX_CLOCK_REALTIME);
    uint32_t val3 = (uint32_t)ARG(5);
    switch (op) {
    case LX_FUTEX_WAIT:
        return maybe_later(regs, futex_wait(pt.caller, addr, (uint32_t)ARG(2), ARG(3)));
    case LX_FUTEX_WAKE:
        return futex_wake(addr, (uint32_t)ARG(2));
    case LX_FUTEX_REQUEUE:
        return futex_requeue(addr, (uint32_t)ARG(2), (uint32_t)ARG(3), ARG(4), 0);
    case LX_FUTEX_CMP_REQUEUE:
        return futex_requeue(addr, (uint32_t)ARG(2), (uint32_t)ARG(3), ARG(4), &val3);
    default:
        return -LX_ENOSYS;
    }
}

static int64_t sys_rt_sigprocmask(uint64_t *regs)
{
    uint64_t how = ARG(0), set = ARG(1), old = ARG(2);
    if (ARG(3) != 8 || how > 2)
        return -LX_EINVAL;
    if ((set && mapper_user(set, 8, L4_FPAGE_R)) || (old && mapper_user(old, 8, L4_FPAGE_W)))
        return -LX_EFAULT;
    uint64_t prev = pt.sigmask;
    if (set) {
        uint64_t s = *(const uint64_t *)set;
        pt.sigmask = how == 0 ? prev | s : how == 1 ? prev & ~s : s;
    }
    if (old)
        *(uint64_t *)old = prev;
    return 0;
}

/* A signal to ourselves ends the task as its default action would (no handlers yet). */
static int64_t signal_self(uint64_t sig)
{
    if (sig >= LX_NSIG)
        return -LX_EINVAL;
    if (!sig)
        return 0;
    char why[32];
    snprintf(why, sizeof(why), "killed by signal %lu", sig);
    posix_exit(128 + (unsigned)sig, why);
}
/* A signal to any thread of the program acts on the whole program (no handlers yet). */
static int64_t sys_tkill(uint64_t *regs)
{
    return thread_live_tid(ARG(0)) ? signal_self(ARG(1)) : -LX_ESRCH;
}
static int64_t sys_tgkill(uint64_t *regs)
{
    return ARG(0) == pt.task && thread_live_tid(ARG(1)) ? signal_self(ARG(2)) : -LX_ESRCH;
}
static int64_t sys_kill(uint64_t *regs)
{
    return ARG(0) == pt.task || ARG(0) == 0 ? signal_self(ARG(1)) : -LX_EPERM;
}

static void put_field(char *dst, const char *src)
{
    size_t n = strlen(src);
    memcpy(dst, src, n + 1);
}

static int64_t sys_uname(uint64_t *regs)
{
    if (mapper_user(ARG(0), sizeof(struct lx_utsname), L4_FPAGE_W))
        return -LX_EFAULT;
    struct lx_utsname *u = (struct lx_utsname *)ARG(0);
    memset(u, 0, sizeof(*u));
    put_field(u->sysname, "Ell Four");
    put_field(u->nodename, "ellfour");
    put_field(u->release, "1");
    put_field(u->version, "posix personality, part 1");
    put_field(u->machine, "x86_64");
    put_field(u->domainname, "(none)");
    return 0;
}

static int64_t sys_arch_prctl(uint64_t *regs)
{
    if (ARG(0) != LX_ARCH_SET_FS)
        return -LX_EINVAL;
    if (!l4_is_canonical(ARG(1)) || ARG(1) >= L4_USER_END)
        return -LX_EPERM;
    regs[POSIX_FS] = ARG(1);     /* the short reply's second word sets the FS base */
    regs[POSIX_REPLY] = POSIX_REPLY_FS;
    return 0;
}

/* Nanoseconds from TSC ticks, without overflowing for years of uptime. */
static uint64_t tsc_ns(uint64_t tsc)
{
    uint64_t hz = rt_kip->tsc_hz ? rt_kip->tsc_hz : 1000000000;
    return tsc / hz * 1000000000ULL + tsc % hz * 1000000000ULL / hz;
}

static int64_t sys_clock_gettime(uint64_t *regs)
{
    uint64_t id = ARG(0), ns = tsc_ns(rt_rdtsc());
    if (id > LX_CLOCK_BOOTTIME)
        return -LX_EINVAL;
    if (mapper_user(ARG(1), sizeof(struct lx_timespec), L4_FPAGE_W))
        return -LX_EFAULT;
    int64_t sec = (int64_t)(ns / 1000000000ULL);
    if (id == LX_CLOCK_REALTIME || id == LX_CLOCK_REALTIME_COARSE)
        sec += (int64_t)rt_kip->boot_time;
    *(struct lx_timespec *)ARG(1) = (struct lx_timespec){ sec, (int64_t)(ns % 1000000000ULL) };
    return 0;
}

static int64_t sys_getrandom(uint64_t *regs)
{
    uint64_t buf = ARG(0), len = ARG(1) > 33554431 ? 33554431 : ARG(1);
    if (ARG(2) & ~7ULL)
        return -LX_EINVAL;
    if (mapper_user(buf, len, L4_FPAGE_W))
        return -LX_EFAULT;
    return sas_entropy_fill((void *)buf, len) ? -LX_EIO : (int64_t)len;
}

static const sys_fn table[LX_NSYSCALLS] = {
    [LX_read] = sys_read, [LX_write] = sys_write, [LX_open] = sys_open,
    [LX_close] = sys_close, [LX_fstat] = sys_fstat, [LX_lseek] = sys_lseek,
    [LX_mmap] = sys_mmap, [LX_mprotect] = sys_mprotect, [LX_munmap] = sys_munmap,
    [LX_brk] = sys_brk, [LX_rt_sigprocmask] = sys_rt_sigprocmask, [LX_ioctl] = sys_ioctl,
    [LX_readv] = sys_readv, [LX_writev] = sys_writev, [LX_mremap] = sys_mremap,
    [LX_madvise] = sys_madvise, [LX_getpid] = sys_getpid, [LX_exit] = sys_exit,
    [LX_clone] = sys_clone, [LX_futex] = sys_futex, [LX_sched_yield] = sys_sched_yield,
    [LX_nanosleep] = sys_nanosleep, [LX_clock_nanosleep] = sys_clock_nanosleep,
    [LX_kill] = sys_kill, [LX_uname] = sys_uname, [LX_arch_prctl] = sys_arch_prctl,
    [LX_gettid] = sys_gettid, [LX_tkill] = sys_tkill,
    [LX_set_tid_address] = sys_set_tid_address, [LX_clock_gettime] = sys_clock_gettime,
    [LX_exit_group] = sys_exit_group, [LX_tgkill] = sys_tgkill, [LX_openat] = sys_openat,
    [LX_getrandom] = sys_getrandom, [LX_pread64] = sys_pread64, [LX_pwrite64] = sys_pwrite64,
    [LX_preadv] = sys_preadv, [LX_pwritev] = sys_pwritev,
    [LX_fcntl] = sys_fcntl, [LX_fsync] = sys_fsync, [LX_fdatasync] = sys_fsync,
    [LX_ftruncate] = sys_ftruncate, [LX_fstatfs] = sys_fstatfs,
};

static uint8_t logged[LX_NSYSCALLS / 8];

/* -ENOSYS, with one log line per call number. */
static int64_t unsupported(uint64_t nr)
{
    uint64_t bit = nr < LX_NSYSCALLS ? nr : LX_NSYSCALLS - 1;
    if (!(logged[bit / 8] & (1u << (bit % 8)))) {
        logged[bit / 8] |= (uint8_t)(1u << (bit % 8));
        printf("posix: task %u '%s': unsupported system call %lu (%s): -ENOSYS\n", pt.task,
               pt.name, nr, syscall_name(nr));
    }
    return -LX_ENOSYS;
}

unsigned posix_syscall(uint64_t *regs)
{
    uint64_t nr = regs[L4_EXS_NR];
    sys_fn fn = nr < LX_NSYSCALLS ? table[nr] : 0;
    regs[L4_EXR_RAX] = (uint64_t)(fn ? fn(regs) : unsupported(nr));
    if (regs[POSIX_REPLY] == POSIX_REPLY_RESULT)
        return L4_EXR_FS;
    if (regs[POSIX_REPLY] == POSIX_REPLY_NONE)
        return 0;
    regs[L4_EXR_FS] = regs[POSIX_FS];
    return L4_EXR_WORDS;
}
