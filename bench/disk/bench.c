/*
 * bench/disk/bench.c — the disk measured from a musl program on Ell Four: the operations
 * of ops.h (shared with the Linux /init) on the personality's disk file DISK, the whole
 * virtio-blk device, through the block cache in the driver's task. bench/run boots it
 * alone ("start=disk_bench") on the image it made on the host.
 *
 * What Ell Four counts: idle is sas_idle_tsc(), the TSC cycles the kernel spent halted
 * (from a hlt until the halt ends or a device interrupt arrives), so an iteration is the
 * guest instructions executed excluding idle, every task's: the program, the personality,
 * the driver, the kernel. The device operations are the driver's BLK_INFO counters
 * (sas_disk_info).
 * Exit code 0; 1 after "disk_bench: WHAT failed" on the first error.
 */
#include <errno.h>
#include <stdio.h>
#include "ops.h"
#include "../common/measure.h"
#include "../common/kip.h"

#define DISK "/disk"

static void device_now(struct disk_counts *c)
{
    struct blk_info bi;
    if (sas_disk_info(&bi))
        disk_fail("BLK_INFO", EIO);
    c->requests = bi.requests;
    c->bytes = bi.bytes;
    c->flushes = bi.flushes;
}

int main(void)
{
    static const struct disk_system ellfour = { DISK, device_now, sas_idle_tsc, NULL, NULL };
    struct blk_info bi;
    iters = bench_cmdline_iters();
    if (sas_disk_info(&bi))
        disk_fail("finding the virtio_blk service", ENODEV);
    disk_bench_run(&ellfour);
    return 0;
}
