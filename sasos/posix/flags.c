/*
 * flags.c — Linux's mmap/mprotect and open flags in Ell Four's terms. Anything we would
 * not honour exactly is refused here, so no call is ever answered "successfully" wrong.
 */
#include "posix.h"
#include <l4/fpage.h>

unsigned prot_to_rights(unsigned prot)
{
    unsigned r = 0;
    if (prot & (LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC))
        r |= L4_FPAGE_R;      /* x86 pages cannot be write- or execute-only */
    if (prot & LX_PROT_WRITE)
        r |= L4_FPAGE_W;
    if (prot & LX_PROT_EXEC)
        r |= L4_FPAGE_X;
    return r;
}

int prot_allows(unsigned prot, unsigned access)
{
    return (access & ~prot_to_rights(prot)) == 0 && prot_to_rights(prot) != 0;
}

#define MMAP_KNOWN (LX_MAP_SHARED | LX_MAP_PRIVATE | LX_MAP_FIXED | LX_MAP_ANONYMOUS | \
                    LX_MAP_NORESERVE | LX_MAP_POPULATE | LX_MAP_FIXED_NOREPLACE)

int mmap_check(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, int64_t fd)
{
    (void)addr;
    if (!len || len > (1ULL << 46) || (prot & ~7ULL) || (flags & ~(uint64_t)MMAP_KNOWN))
        return -LX_EINVAL;
    if (!(flags & LX_MAP_ANONYMOUS)) {
        if (fd < 0)
            return -LX_EBADF;
        uint64_t kind = flags & (LX_MAP_SHARED | LX_MAP_PRIVATE);
        if (kind != LX_MAP_SHARED)
            return kind == LX_MAP_PRIVATE ? -LX_ENODEV : -LX_EINVAL;
        if ((prot & ~(uint64_t)LX_PROT_READ) || (flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)))
            return -LX_EOPNOTSUPP;
        return 0;
    }
    if ((flags & (LX_MAP_SHARED | LX_MAP_PRIVATE)) != LX_MAP_PRIVATE)
        return (flags & LX_MAP_SHARED) && !(flags & LX_MAP_PRIVATE) ? -LX_EOPNOTSUPP
                                                                   : -LX_EINVAL;
    if (flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE))
        return -LX_EOPNOTSUPP;
    return 0;
}

#define OPEN_KEPT (LX_O_ACCMODE | LX_O_APPEND | LX_O_NONBLOCK | LX_O_CLOEXEC)
#define OPEN_IGNORED (LX_O_NOCTTY | LX_O_LARGEFILE)

#define DISK_KEPT (LX_O_ACCMODE | LX_O_NONBLOCK | LX_O_CLOEXEC | LX_O_SYNC)
#define DISK_IGNORED (LX_O_NOCTTY | LX_O_LARGEFILE | LX_O_CREAT)

int64_t disk_open_flags(uint64_t flags)
{
    if ((flags & LX_O_ACCMODE) == LX_O_ACCMODE || (flags & ~(uint64_t)(DISK_KEPT | DISK_IGNORED)))
        return -LX_EINVAL;
    return (int64_t)(flags & DISK_KEPT);
}

int64_t open_flags(uint64_t flags)
{
    if ((flags & LX_O_ACCMODE) == LX_O_ACCMODE || (flags & ~(uint64_t)(OPEN_KEPT | OPEN_IGNORED)))
        return -LX_EINVAL;
    return (int64_t)(flags & OPEN_KEPT);
}
