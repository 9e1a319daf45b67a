/*
 * posix_ioerr — injected I/O errors seen through files (run-ioerr-test, under QEMU's
 * blkdebug: reads of sector 1000 fail with EIO, writes of sector 1200 with ENOSPC). The
 * disk file DISK goes through the personality and the block cache. One source, two
 * programs (IOERR_MODE):
 *   1 posix_ioerr       pread of the failing sector: -1, EIO; the pages around it read;
 *                       pwrite of the other succeeds (the block cache writes back) and
 *                       the fsync after it is -1, EIO, once; the file keeps working. Exit code 0 when every check passed.
 *   2 posix_ioerr_mmap  a shared read-only mapping of the disk, then a load from the
 *                       failing page: the program must be ended with a report, not hang
 *                       and not read garbage (it prints "not ok" and exits 0 if the load
 *                       returns).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define DISK        "/disk"
#define READ_FAILS  (1000 * 512)
#define WRITE_FAILS (1200 * 512)

static unsigned bad;

static void check(int ok, const char *what)
{
    printf("posix_ioerr: %s - %s\n", ok ? "ok" : "not ok", what);
    bad += !ok;
}

int main(void)
{
    int fd = open(DISK, O_RDWR);
    check(fd >= 0, "the disk file opens");
    if (fd < 0)
        return 1;
#if IOERR_MODE == 1
    static char buf[4096];
    check(pread(fd, buf, 512, 0) == 512, "the first sector reads");
    errno = 0;
    check(pread(fd, buf, 512, READ_FAILS) == -1 && errno == EIO,
          "a pread of the failing sector: -1, EIO");
    errno = 0;
    check(pread(fd, buf, 4096, READ_FAILS - 2048) == -1 && errno == EIO,
          "a pread of the page holding it: -1, EIO");
    check(pread(fd, buf, 512, READ_FAILS + 4096) == 512, "the next page reads");
    memset(buf, 'w', sizeof(buf));
    errno = 0;
    ssize_t w = pwrite(fd, buf, 512, WRITE_FAILS);
    int s = w == 512 ? fsync(fd) : 0;
    check(w == 512 && s == -1 && errno == EIO,
          "a pwrite of the failing sector (ENOSPC) is cached; its fsync: -1, EIO");
    check(pwrite(fd, buf, 512, 8192) == 512 && !fsync(fd), "another pwrite and fsync succeed");
    check(pread(fd, buf, 512, 0) == 512, "the file still reads after the errors");
    close(fd);
    printf("posix_ioerr: %s\n", bad ? "FAILED" : "all ok");
    return bad ? 1 : 0;
#else
    off_t size = lseek(fd, 0, SEEK_END);
    const volatile char *p = mmap(0, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
    check(p != MAP_FAILED, "the disk mapped read-only and shared");
    if (p == MAP_FAILED)
        return 1;
    check(p[0] == 0, "the first page reads through the mapping");
    printf("posix_ioerr: loading from the failing page; the program must end here\n");
    fflush(stdout);
    char c = p[READ_FAILS];
    printf("posix_ioerr: not ok - the load returned %d\n", c);
    return 0;
#endif
}
