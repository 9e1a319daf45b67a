/*
 * linux_abi.h — the slice of Linux's x86-64 system-call ABI the personality answers:
 * call numbers, errno values, flags and the structures it fills. Freestanding (the
 * system thread is native code, and the host tests include it with glibc): every name
 * carries an LX_ prefix so it never collides with a libc's.
 */
#ifndef POSIX_LINUX_ABI_H
#define POSIX_LINUX_ABI_H

#include <stdint.h>

enum lx_sysno {
    LX_read = 0, LX_write = 1, LX_open = 2, LX_close = 3, LX_fstat = 5, LX_lseek = 8,
    LX_mmap = 9, LX_mprotect = 10, LX_munmap = 11, LX_brk = 12, LX_rt_sigprocmask = 14,
    LX_ioctl = 16, LX_pread64 = 17, LX_pwrite64 = 18, LX_readv = 19, LX_writev = 20, LX_mremap = 25, LX_madvise = 28, LX_sched_yield = 24, LX_nanosleep = 35, LX_clock_nanosleep = 230,
    LX_getpid = 39, LX_clone = 56, LX_exit = 60, LX_kill = 62, LX_uname = 63, LX_fcntl = 72, LX_fsync = 74,
    LX_fdatasync = 75, LX_ftruncate = 77, LX_fstatfs = 138, LX_arch_prctl = 158,
    LX_gettid = 186, LX_tkill = 200, LX_futex = 202, LX_set_tid_address = 218, LX_clock_gettime = 228,
    LX_exit_group = 231, LX_tgkill = 234, LX_openat = 257, LX_preadv = 295, LX_pwritev = 296,
    LX_getrandom = 318,
    LX_NSYSCALLS = 512     /* table size; larger numbers are unknown outright */
};

enum lx_errno {
    LX_EPERM = 1, LX_ENOENT = 2, LX_ESRCH = 3, LX_EIO = 5, LX_ENXIO = 6, LX_EBADF = 9, LX_EAGAIN = 11,
    LX_ENOMEM = 12, LX_EACCES = 13, LX_EFAULT = 14, LX_EEXIST = 17, LX_ENODEV = 19,
    LX_EINVAL = 22, LX_ETIMEDOUT = 110, LX_EMFILE = 24, LX_ENOTTY = 25, LX_EFBIG = 27, LX_ENOSPC = 28, LX_ESPIPE = 29, LX_ENOSYS = 38, LX_EOPNOTSUPP = 95
};

/* clone: the flags of a thread (what musl's pthread_create passes) */
#define LX_CLONE_VM             0x00000100
#define LX_CLONE_FS             0x00000200
#define LX_CLONE_FILES          0x00000400
#define LX_CLONE_SIGHAND        0x00000800
#define LX_CLONE_THREAD         0x00010000
#define LX_CLONE_SYSVSEM        0x00040000
#define LX_CLONE_SETTLS         0x00080000
#define LX_CLONE_PARENT_SETTID  0x00100000
#define LX_CLONE_CHILD_CLEARTID 0x00200000
#define LX_CLONE_DETACHED       0x00400000

/* futex: the operation in the low bits; PRIVATE and CLOCK_REALTIME change nothing here */
#define LX_FUTEX_WAIT           0
#define LX_FUTEX_WAKE           1
#define LX_FUTEX_REQUEUE        3
#define LX_FUTEX_CMP_REQUEUE    4
#define LX_FUTEX_PRIVATE        128
#define LX_FUTEX_CLOCK_REALTIME 256

/* mmap and mprotect */
#define LX_PROT_READ      0x1
#define LX_PROT_WRITE     0x2
#define LX_PROT_EXEC      0x4
#define LX_MAP_SHARED     0x01
#define LX_MAP_PRIVATE    0x02
#define LX_MAP_FIXED      0x10
#define LX_MAP_ANONYMOUS  0x20
#define LX_MAP_NORESERVE  0x4000
#define LX_MAP_POPULATE   0x8000
#define LX_MAP_FIXED_NOREPLACE 0x100000

/* open */
#define LX_O_ACCMODE      0x3
#define LX_O_RDONLY       0x0
#define LX_O_WRONLY       0x1
#define LX_O_RDWR         0x2
#define LX_O_CREAT        0x40
#define LX_O_NOCTTY       0x100
#define LX_O_TRUNC        0x200
#define LX_O_APPEND       0x400
#define LX_O_NONBLOCK     0x800
#define LX_O_DSYNC        0x1000
#define LX_O_SYNC         0x101000     /* O_DSYNC | __O_SYNC */
#define LX_O_DIRECTORY    0x10000
#define LX_O_LARGEFILE    0x8000
#define LX_O_CLOEXEC      0x80000
#define LX_AT_FDCWD       (-100)

#define LX_F_GETFD        1
#define LX_F_SETFD        2
#define LX_F_GETFL        3
#define LX_F_SETFL        4
#define LX_FD_CLOEXEC     1
#define LX_SEEK_SET       0
#define LX_SEEK_CUR       1
#define LX_SEEK_END       2

#define LX_TIOCGWINSZ     0x5413
#define LX_ARCH_SET_FS    0x1002
#define LX_CLOCK_REALTIME 0
#define LX_CLOCK_MONOTONIC 1
#define LX_CLOCK_PROCESS_CPUTIME_ID 2
#define LX_CLOCK_THREAD_CPUTIME_ID 3
#define LX_CLOCK_MONOTONIC_RAW 4
#define LX_CLOCK_REALTIME_COARSE 5
#define LX_CLOCK_MONOTONIC_COARSE 6
#define LX_CLOCK_BOOTTIME 7
#define LX_TIMER_ABSTIME 1
#define LX_S_IFCHR        0020000u
#define LX_S_IFREG        0100000u
#define LX_SIGABRT        6
#define LX_NSIG           64

/* auxv types the initial stack carries */
#define LX_AT_NULL   0
#define LX_AT_PHDR   3
#define LX_AT_PHENT  4
#define LX_AT_PHNUM  5
#define LX_AT_PAGESZ 6
#define LX_AT_ENTRY  9
#define LX_AT_UID    11
#define LX_AT_EUID   12
#define LX_AT_GID    13
#define LX_AT_EGID   14
#define LX_AT_SECURE 23
#define LX_AT_RANDOM 25
#define LX_AT_EXECFN 31

struct lx_iovec { uint64_t base, len; };
struct lx_timespec { int64_t sec, nsec; };
struct lx_winsize { uint16_t row, col, xpixel, ypixel; };
struct lx_utsname { char sysname[65], nodename[65], release[65], version[65], machine[65],
                    domainname[65]; };
struct lx_stat {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid, pad0;
    uint64_t rdev;
    int64_t size, blksize, blocks;
    struct lx_timespec atime, mtime, ctime;
    int64_t reserved[3];
};

struct lx_statfs {
    int64_t type, bsize;
    uint64_t blocks, bfree, bavail, files, ffree;
    int32_t fsid[2];
    int64_t namelen, frsize, flags, spare[4];
};
#define LX_EXT4_SUPER_MAGIC 0xef53

_Static_assert(sizeof(struct lx_stat) == 144, "x86-64 struct stat");
_Static_assert(sizeof(struct lx_statfs) == 120, "x86-64 struct statfs");
_Static_assert(sizeof(struct lx_utsname) == 390, "struct utsname");
_Static_assert(sizeof(struct lx_iovec) == 16, "struct iovec");

#endif
