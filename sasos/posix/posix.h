/*
 * posix.h — the personality's pure logic: the region table (regions.c), the descriptor
 * table (fdtable.c), flag translation (flags.c) and the initial stack (initstack.c). No
 * IPC and no global state here, so the host tests (tests/unit/test_posix.c) run all of it;
 * the system thread (main.c, syscalls.c, mapper.c) holds one of each table and does the
 * IPC. Return values follow the kernel's convention: 0 or a result, else -LX_E*.
 */
#ifndef POSIX_POSIX_H
#define POSIX_POSIX_H

#include <stddef.h>
#include <stdint.h>
#include "linux_abi.h"

#define POSIX_PAGE        0x1000ULL
#define POSIX_MAX_REGIONS 256u
#define POSIX_MAX_FDS     64u

/* ---- regions.c: the task's address regions, sorted and disjoint ---- */
enum region_kind {
    REGION_IMAGE = 1,   /* the program's ELF image: root pages it */
    REGION_ANON = 2,    /* anonymous memory (mmap, the stack): pages from sigma0 */
    REGION_FILE = 3,    /* a read-only shared mapping of the disk: pages from the block cache */
};
struct region {
    uint64_t start, end;      /* page-aligned, start < end */
    uint64_t off;             /* REGION_FILE: the disk offset at start */
    uint8_t kind;             /* enum region_kind */
    uint8_t prot;             /* LX_PROT_* */
};
struct region_table {
    struct region r[POSIX_MAX_REGIONS];
    unsigned n;
};
/* Adds [start, end) (page-aligned, non-empty). -EINVAL if malformed, -EEXIST if it
 * overlaps a region, -ENOMEM if the table is full. */
int region_add(struct region_table *t, uint64_t start, uint64_t end, unsigned kind,
               unsigned prot);
/* region_add of a REGION_FILE whose first page is the disk's page at `off`. */
int region_add_file(struct region_table *t, uint64_t start, uint64_t end, unsigned prot,
                    uint64_t off);
/* The region holding va, or NULL. */
const struct region *region_find(const struct region_table *t, uint64_t va);
/* First fit: the lowest a >= lo with [a, a + len) free of regions and inside [lo, hi),
 * in *at (lo and len page-aligned, len > 0, lo < hi; else -EINVAL). -ENOMEM if no gap
 * of [lo, hi) is that long. Costs a binary search and one step per region of [lo, a). */
int region_gap(const struct region_table *t, uint64_t lo, uint64_t hi, uint64_t len,
               uint64_t *at);
/* Removes whatever of [start, end) is mapped, splitting regions at the edges. Image
 * regions are not removed (-EINVAL, nothing changed). -ENOMEM if a split would not fit. */
int region_remove(struct region_table *t, uint64_t start, uint64_t end);
/* Sets prot on [start, end), which must be wholly covered by anonymous regions
 * (-ENOMEM otherwise, as Linux), splitting at the edges. */
int region_protect(struct region_table *t, uint64_t start, uint64_t end, unsigned prot);

/* ---- fdtable.c: file descriptors ---- */
enum fd_kind { FD_NONE = 0, FD_CONSOLE = 1, FD_DISK = 2 };
struct fd_entry {
    uint8_t kind;             /* enum fd_kind */
    uint8_t cloexec;
    uint32_t flags;           /* LX_O_ACCMODE | LX_O_APPEND | LX_O_NONBLOCK | LX_O_DSYNC */
    uint64_t pos;             /* FD_DISK: the file position */
};
struct fd_table {
    struct fd_entry fd[POSIX_MAX_FDS];
};
/* 0, 1 and 2 on the console (read, write, write), the rest free. */
void fd_init(struct fd_table *t);
/* The lowest free descriptor, now of `kind`; -EMFILE if none. */
int fd_alloc(struct fd_table *t, unsigned kind, uint32_t flags);
/* The entry of open descriptor fd, or NULL (bad or closed). */
struct fd_entry *fd_get(struct fd_table *t, int64_t fd);
int fd_close(struct fd_table *t, int64_t fd);     /* 0 or -EBADF */

/* ---- flags.c: Linux flags to Ell Four's ---- */
/* L4_FPAGE_* rights for LX_PROT_* (write implies read, as on x86). */
unsigned prot_to_rights(unsigned prot);
/* 1 if an access of L4_FPAGE_* rights `access` is allowed on pages with `prot`. */
int prot_allows(unsigned prot, unsigned access);
/* Checks an mmap request: 0, -EINVAL (bad length, flags or prot), -EBADF (a file
 * mapping without a descriptor), -ENODEV (a private file mapping) or -EOPNOTSUPP (shared
 * anonymous, MAP_FIXED, or a shared file mapping that is not read-only). A file mapping
 * is MAP_SHARED with PROT_READ (or PROT_NONE); the caller checks the descriptor. */
int mmap_check(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, int64_t fd);
/* The open flags kept for a descriptor, or -EINVAL for flags we do not honour. */
int64_t open_flags(uint64_t flags);
/* The same for the disk file, which exists already: O_CREAT is ignored, O_DSYNC and
 * O_SYNC are kept (each write then ends in a device flush); O_TRUNC, O_APPEND, O_EXCL and
 * O_DIRECTORY are -EINVAL. */
int64_t disk_open_flags(uint64_t flags);

/* ---- initstack.c: what the kernel would put on a new Linux process's stack ---- */
struct stack_args {
    const char *const *argv;  /* NULL-terminated */
    const char *const *envp;  /* NULL-terminated */
    uint64_t phdr, phent, phnum, entry;
    uint8_t random[16];       /* AT_RANDOM's bytes */
};
/* Builds argc, argv, envp and auxv below `top`, in the buffer `mem` that stands for the
 * addresses [top - size, top) (in the guest, mem == top - size). Returns the initial
 * stack pointer (16-byte aligned, pointing at argc), or 0 if size is too small. */
uint64_t stack_build(uint8_t *mem, uint64_t top, uint64_t size, const struct stack_args *a);
/* Number of auxv entries stack_build writes, AT_NULL included. */
#define STACK_AUXV_ENTRIES 13u

#endif
