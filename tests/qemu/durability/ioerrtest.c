/*
 * ioerrtest — injected I/O errors on the raw virtio-blk driver (sas/proto/blk.h), started
 * by run-ioerr-test on a disk under QEMU's blkdebug with werror=report,rerror=report:
 * every read touching sector IOERR_READ fails with EIO, every write touching IOERR_WRITE
 * with ENOSPC (which QEMU's default error policy would answer by pausing the machine). Each
 * failing request must come back as SAS_EIO, promptly, and the driver must keep serving
 * the requests around it. Exit code: the number of failed checks.
 */
#include <native/rt.h>
#include <sas/proto/blk.h>
#include <sas/proto/root.h>

#define IOERR_READ   1000u
#define IOERR_WRITE  1200u

static unsigned bad;

static void check(int ok, const char *what)
{
    printf("ioerrtest: %s - %s\n", ok ? "ok" : "not ok", what);
    bad += !ok;
}

int main(void)
{
    l4_threadid_t blk = L4_NILTHREAD;
    void *buf = 0;
    check(!root_service(root_find(), ROOT_SERVICE_BLK, &blk), "root names the disk driver");
    check(!blk_attach(blk, &buf) && buf, "a buffer mapped from the driver");
    if (bad)
        root_exit(bad);
    check(!blk_read(blk, 0, 1, 0), "sector 0 reads");
    check(blk_read(blk, IOERR_READ, 1, 0) == SAS_EIO, "a read of the failing sector: SAS_EIO");
    check(blk_read(blk, IOERR_READ - 4, 8, 0) == SAS_EIO,
          "a run of 8 sectors across it: SAS_EIO");
    check(!blk_read(blk, IOERR_READ + 1, 1, 0), "the sector after it reads");
    check(blk_write(blk, IOERR_WRITE, 1, 0) == SAS_EIO,
          "a write of the failing sector (ENOSPC): SAS_EIO, the machine not paused");
    check(!blk_write(blk, 10, 1, 0) && !blk_flush(blk), "another write and a flush succeed");
    check(blk_read(blk, IOERR_READ, 1, 0) == SAS_EIO, "the failing sector fails again");
    check(!blk_read(blk, 0, 1, 0), "the driver still serves after the errors");
    root_exit(bad);
}
