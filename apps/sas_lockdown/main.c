/*
 * sas_lockdown — while the single address space runs, the disk is persist's alone: the
 * virtio-blk driver refuses every other task's BLK_ATTACH (SAS_EPERM, sas/proto/blk.h),
 * and the POSIX personality returns that as EACCES from open("/disk"). This program tries
 * and says what it got: exit 0 for EACCES, 1 for anything else (the disk opened, or
 * another error).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    int fd = open("/disk", O_RDWR);
    if (fd >= 0) {
        printf("sas_lockdown: open /disk succeeded (descriptor %d): the disk is not locked\n",
               fd);
        close(fd);
        return 1;
    }
    if (errno != EACCES) {
        printf("sas_lockdown: open /disk failed with errno %d (%s), want EACCES\n", errno,
               strerror(errno));
        return 1;
    }
    printf("sas_lockdown: open /disk refused: EACCES\n");
    return 0;
}
