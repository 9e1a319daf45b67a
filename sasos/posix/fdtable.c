/*
 * fdtable.c — file descriptors: the console and the disk file (with its position). The
 * table behaves as Linux's: lowest free number first,
 * closed numbers are reused, a bad number is -EBADF.
 */
#include "posix.h"

void fd_init(struct fd_table *t)
{
    for (unsigned i = 0; i < POSIX_MAX_FDS; i++)
        t->fd[i] = (struct fd_entry){ 0 };
    t->fd[0] = (struct fd_entry){ FD_CONSOLE, 0, LX_O_RDONLY, 0 };
    t->fd[1] = (struct fd_entry){ FD_CONSOLE, 0, LX_O_WRONLY, 0 };
    t->fd[2] = (struct fd_entry){ FD_CONSOLE, 0, LX_O_WRONLY, 0 };
}

int fd_alloc(struct fd_table *t, unsigned kind, uint32_t flags)
{
    for (unsigned i = 0; i < POSIX_MAX_FDS; i++) {
        if (t->fd[i].kind == FD_NONE) {
            t->fd[i] = (struct fd_entry){ (uint8_t)kind, (flags & LX_O_CLOEXEC) != 0,
                                          flags & ~(uint32_t)LX_O_CLOEXEC, 0 };
            return (int)i;
        }
    }
    return -LX_EMFILE;
}

struct fd_entry *fd_get(struct fd_table *t, int64_t fd)
{
    if (fd < 0 || fd >= (int64_t)POSIX_MAX_FDS || t->fd[fd].kind == FD_NONE)
        return 0;
    return &t->fd[fd];
}

int fd_close(struct fd_table *t, int64_t fd)
{
    struct fd_entry *e = fd_get(t, fd);
    if (!e)
        return -LX_EBADF;
    *e = (struct fd_entry){ 0 };
    return 0;
}
