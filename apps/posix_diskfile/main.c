/*
 * posix_diskfile — the disk file's calls one by one (qemu.lmdb.file, on a scratch image and
 * a block cache of 4 pages): fstat's size, lseek/read/write, pread/pwrite at any alignment,
 * fcntl, ftruncate, fsync/fdatasync, an O_DSYNC descriptor, and two shared read-only views
 * of one page that must both show every pwrite at once — also after the cache dropped the
 * page (more pages read than it holds) and the views fault it in again; writev gathered
 * across the personality's 64 KiB staging buffer, short at the end of the disk, refused
 * whole for a bad buffer, and flushing once through an O_DSYNC descriptor. Prints
 * "ok"/"not ok" per check; the exit code is the number that failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <sas/sysinfo.h>

#define DISK "/disk"
#define PAGE 4096

static unsigned bad;

static void check(int ok, const char *what)
{
    printf("posix_diskfile: %s - %s\n", ok ? "ok" : "not ok", what);
    bad += !ok;
}

static void plain_calls(int fd, off_t size)
{
    char b[64], r[64];
    check(lseek(fd, 0, SEEK_END) == size, "lseek(SEEK_END) is the device's size");
    check(lseek(fd, 3 * PAGE + 100, SEEK_SET) == 3 * PAGE + 100, "lseek(SEEK_SET)");
    memset(b, 'w', sizeof(b));
    check(write(fd, b, sizeof(b)) == sizeof(b) && lseek(fd, 0, SEEK_CUR) == 3 * PAGE + 164,
          "write advances the position");
    check(pread(fd, r, sizeof(r), 3 * PAGE + 100) == sizeof(r) && !memcmp(r, b, sizeof(r)),
          "pread sees the write");
    check(pread(fd, r, sizeof(r), size) == 0, "pread at the end: 0");
    check(pwrite(fd, b, 1, size) == -1 && errno == ENOSPC, "pwrite at the end: ENOSPC");
    check(pread(fd, r, sizeof(r), size - 10) == 10, "pread across the end: short");
    check(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC, "fcntl FD_CLOEXEC");
    check((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR, "fcntl F_GETFL");
    check(ftruncate(fd, size) == 0 && ftruncate(fd, size + PAGE) == -1 && errno == EFBIG,
          "ftruncate within the device only");
    check(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync and fdatasync");
}

/* Two views of page 5; pwrite through a second, O_DSYNC, descriptor. */
static void views(int fd, off_t size)
{
    int wfd = open(DISK, O_WRONLY | O_DSYNC | O_CLOEXEC);
    const char *a = mmap(0, 8 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    const char *b = mmap(0, PAGE, PROT_READ, MAP_SHARED, fd, 5 * PAGE);
    char r[PAGE];
    check(wfd >= 0 && a != MAP_FAILED && b != MAP_FAILED, "an O_DSYNC descriptor and two views");
    if (wfd < 0 || a == MAP_FAILED || b == MAP_FAILED)
        return;
    check(a[5 * PAGE] == b[0], "both views show the same byte");
    check(pwrite(wfd, "first", 6, 5 * PAGE + 10) == 6, "pwrite (O_DSYNC) into the mapped page");
    check(!strcmp(a + 5 * PAGE + 10, "first") && !strcmp(b + 10, "first"),
          "both views see the pwrite at once");
    for (int i = 0; i < 16; i++)                 /* more pages than the cache holds */
        pread(fd, r, PAGE, (off_t)(20 + i) * PAGE);
    check(pwrite(wfd, "second", 7, 5 * PAGE + 10) == 7, "pwrite after the page was dropped");
    check(!strcmp(a + 5 * PAGE + 10, "second") && !strcmp(b + 10, "second"),
          "both views fault the page in again and see it");
    check(mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED,
          "a writable file mapping is refused");
    check(mmap(0, 2 * PAGE, PROT_READ, MAP_SHARED, fd, size - PAGE) == MAP_FAILED,
          "a view past the end is refused");
    check(munmap((void *)b, PAGE) == 0 && munmap((void *)a, 8 * PAGE) == 0, "munmap of the views");
    close(wfd);
}

/* The device's flushes so far (BLK_INFO, asked natively). */
static uint64_t flushes(void)
{
    struct blk_info bi;
    return sas_disk_info(&bi) ? 0 : bi.flushes;
}

static void gathered_writes(int fd, off_t size)
{
    static char src[160 * 1024], back[sizeof(src)];
    size_t lens[] = { 100, 70000, 1, 3 * PAGE + 17, 60000 }, total = 0;
    struct iovec v[5];
    for (size_t i = 0; i < sizeof(src); i++)
        src[i] = (char)(i * 7 + i / 4096);
    for (unsigned i = 0; i < 5; i++) {
        v[i] = (struct iovec){ src + total, lens[i] };
        total += lens[i];
    }
    off_t at = 7 * PAGE + 123;
    check(lseek(fd, at, SEEK_SET) == at && writev(fd, v, 5) == (ssize_t)total &&
          lseek(fd, 0, SEEK_CUR) == at + (off_t)total, "writev of 5 buffers: all, position moved");
    check(pread(fd, back, total, at) == (ssize_t)total && !memcmp(back, src, total),
          "writev's bytes read back in order");
    struct iovec bad_iov[2] = { { src, 10 }, { (void *)8, 10 } };
    check(writev(fd, bad_iov, 2) == -1 && errno == EFAULT &&
          pread(fd, back, 10, at + (off_t)total) == 10 && memcmp(back, src, 10),
          "writev with a bad buffer: EFAULT, nothing written");
    check(pwritev(fd, v, 2, size - 50) == 50 && pwritev(fd, v, 2, size) == -1 && errno == ENOSPC,
          "pwritev across the end: short; at the end: ENOSPC");
    int dfd = open(DISK, O_WRONLY | O_DSYNC);
    uint64_t before = flushes();
    check(dfd >= 0 && pwritev(dfd, v, 5, at) == (ssize_t)total && flushes() == before + 1,
          "pwritev through O_DSYNC: one flush for all its buffers");
    close(dfd);
}

int main(void)
{
    struct stat st;
    int fd = open(DISK, O_RDWR | O_CREAT, 0600);
    check(fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 64 * PAGE,
          "open and fstat: a regular file the size of the device");
    if (bad)
        return bad;
    printf("posix_diskfile: %s holds %lld bytes\n", DISK, (long long)st.st_size);
    check(open("/nowhere", O_RDONLY) == -1 && errno == ENOENT, "other paths: ENOENT");
    check(open(DISK, O_RDWR | O_TRUNC) == -1 && errno == EINVAL, "O_TRUNC: EINVAL");
    plain_calls(fd, st.st_size);
    views(fd, st.st_size);
    gathered_writes(fd, st.st_size);
    check(close(fd) == 0, "close");
    return (int)bad;
}
