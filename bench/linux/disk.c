/*
 * disk.c — /disk-bench, the Linux side of the disk benchmark: the operations of
 * bench/disk/ops.h (the same source as Ell Four's) on /dev/vda, the virtio-blk disk
 * bench/run attaches with the same image and flags as for Ell Four. A static musl program
 * of its own beside /init (which spawns it last, with its environment: iters=N), so that
 * /init, whose fork and posix_spawn are measured, stays as small as it was.
 *
 * Debian builds virtio-blk as modules: bench/run appends them to the initramfs (a second
 * cpio) with /modules.order, their names in load order, and this program loads them with
 * finit_module. Without them (a cache made before fetch-kernel kept modules) the disk is
 * not measured, and a BENCH-INFO line says why.
 *
 * What Linux counts: idle is the kernel's own idle time, /proc/timer_list's per-CPU
 * idle_sleeptime + iowait_sleeptime (nanoseconds of ktime, kept by the NO_HZ code from
 * tick_nohz_idle_enter until the idle loop is left or an interrupt enters; up to date
 * whenever a task runs, as the CPU is then not idle), converted to TSC cycles with the
 * ratio measured at start (tsc_per_ns; 1 under -icount shift=0). The device operations
 * are /sys/block/vda/stat's: read + write + flush I/Os, read + write sectors, flush I/Os.
 * After the disk's operations, the pair of Ell Four's sas_commit_1page:
 *   msync_1page   msync(MS_SYNC) of one page of a shared mapping of /dev/vda (in the raw
 *                 region, which LMDB never touches), written (untimed) before each msync:
 *                 the page's write-back and the device's flush, measured as the disk's
 *                 operations are (disk_measure: excluding idle, with device operations)
 * Before it looks for the disk, it measures the pairs of the single address space's
 * other rows, which need none (objects.c).
 * Exit status 0, also when the disk is not measured; 1 after "disk_bench: WHAT failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "../common/measure.h"
#include "../disk/ops.h"
#include "objects.h"

#define DISK        "/dev/vda"
#define DISK_STAT   "/sys/block/vda/stat"
#define MODULES     "/modules.order"

static double tsc_per_ns;
static char text[1 << 18];              /* /proc/timer_list, a few KiB per CPU and timer */

/* Reads the whole of `path` into text; returns its length or -1. */
static long slurp(const char *path)
{
    int fd = open(path, O_RDONLY);
    long len = 0, n;
    if (fd < 0)
        return -1;
    while (len < (long)sizeof(text) - 1 && (n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
        len += n;
    close(fd);
    text[len] = 0;
    return len;
}

/* The sum over every CPU of the "  .FIELD: N nsecs" lines of /proc/timer_list. */
static uint64_t timer_list_sum(const char *field)
{
    uint64_t sum = 0;
    size_t flen = strlen(field);
    for (const char *p = text; (p = strstr(p, field)); p += flen) {
        const char *colon = strchr(p, ':');
        if (colon && p[-1] == '.' && (p[flen] == ' ' || p[flen] == ':'))
            sum += strtoull(colon + 1, NULL, 10);
    }
    return sum;
}

static uint64_t idle_now(void)
{
    if (slurp("/proc/timer_list") <= 0)
        disk_fail("reading /proc/timer_list", errno);
    uint64_t ns = timer_list_sum("idle_sleeptime") + timer_list_sum("iowait_sleeptime");
    return (uint64_t)((double)ns * tsc_per_ns + 0.5);
}

/* Fields 1, 3, 5, 7, 16 of /sys/block/vda/stat: read I/Os, read sectors, write I/Os, write
 * sectors, flush I/Os (Documentation/block/stat.rst). */
static void device_now(struct disk_counts *c)
{
    unsigned long long f[17] = { 0 };
    if (slurp(DISK_STAT) <= 0 ||
        sscanf(text, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
               "%llu %llu %llu", &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8],
               &f[9], &f[10], &f[11], &f[12], &f[13], &f[14], &f[15], &f[16]) < 17)
        disk_fail("reading " DISK_STAT, EIO);
    c->requests = f[0] + f[4] + f[15];
    c->bytes = (f[2] + f[6]) * 512;
    c->flushes = f[15];
}

/* The local APIC timer interrupts so far (/proc/interrupts' LOC line): Linux's idle count
 * stops at each, a tick that lands in a device wait included. */
static uint64_t timer_interrupts_now(void)
{
    const char *loc = slurp("/proc/interrupts") > 0 ? strstr(text, "LOC:") : NULL;
    if (!loc)
        disk_fail("reading /proc/interrupts", EIO);
    return strtoull(loc + 4, NULL, 10);
}

/* TSC cycles per nanosecond of the kernel's clock, over a stretch of work. */
static void measure_tsc_per_ns(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    uint64_t t0 = bench_rdtsc();
    for (volatile unsigned i = 0; i < 5000000; i++)
        ;
    uint64_t t1 = bench_rdtsc();
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
    tsc_per_ns = (double)(t1 - t0) / ns;
    printf("BENCH-INFO disk: tsc_per_ns %.6f (%llu TSC cycles in %.0f ns)\n", tsc_per_ns,
           (unsigned long long)(t1 - t0), ns);
}

/* Loads the modules /modules.order names, in its order; 0, or -1 after a BENCH-INFO. */
static int load_modules(void)
{
    char name[64], path[80];
    FILE *order = fopen(MODULES, "r");
    if (!order) {
        printf("BENCH-INFO disk: not measured: the initramfs has no modules (a kernel "
               "cached without them: ./ellfour bench fetches them)\n");
        return -1;
    }
    while (fgets(name, sizeof(name), order)) {
        name[strcspn(name, "\n")] = 0;
        snprintf(path, sizeof(path), "/%s.ko", name);
        int fd = open(path, O_RDONLY);
        if (fd < 0 || syscall(SYS_finit_module, fd, "", 0)) {
            printf("BENCH-INFO disk: not measured: loading %s: %s\n", path, strerror(errno));
            fclose(order);
            return -1;
        }
        close(fd);
    }
    fclose(order);
    return 0;
}

/* Modules, then /dev/vda (devtmpfs makes it when virtio_blk has probed the device). */
static int find_disk(void)
{
    struct stat st;
    mkdir("/proc", 0755);
    mkdir("/sys", 0755);
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    if (load_modules())
        return -1;
    for (int i = 0; i < 100 && stat(DISK, &st); i++)
        usleep(10000);
    if (stat(DISK, &st) || !S_ISBLK(st.st_mode)) {
        printf("BENCH-INFO disk: not measured: no block device " DISK "\n");
        return -1;
    }
    return 0;
}

/* Which virtio the driver negotiated: QEMU's virtio-blk-pci on -machine pc is transitional
 * (legacy and modern); Linux's virtio_pci takes modern unless force_legacy=1. */
static void print_transport(void)
{
    long n = slurp("/sys/block/vda/device/features");
    int modern = n > 32 && text[32] == '1';    /* VIRTIO_F_VERSION_1 */
    printf("BENCH-INFO disk: Linux drives /dev/vda as %s virtio\n",
           n <= 32 ? "unknown" : modern ? "modern (1.0)" : "legacy");
}

static volatile char *sync_page;

static void sync_dirty(unsigned i)
{
    *sync_page = (char)(i + 1);       /* faults: the last msync's write-back cleaned it */
}

static void sync_1page(unsigned i)
{
    (void)i;
    if (msync((void *)sync_page, 4096, MS_SYNC))
        disk_fail("msync", errno);
}

static void measure_msync(const struct disk_system *sys)
{
    unsigned n = disk_clamp(iters, 1, DISK_ITERS), warm = disk_clamp(n / 10, WARM_MIN,
                                                                      DISK_ITERS);
    int fd = open(DISK, O_RDWR);
    void *p = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                                         DISK_LMDB_MAP);
    if (p == MAP_FAILED)
        disk_fail("mapping " DISK, errno);
    sync_page = p;
    disk_measure(sys, "msync_1page", n, warm, sync_dirty, sync_1page);
    munmap(p, 4096);
    close(fd);
}

int main(void)
{
    static const struct disk_system linux_disk = {
        DISK, device_now, idle_now, "timer interrupts", timer_interrupts_now
    };
    const char *v = getenv("iters");
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (v)
        iters = bench_parse_iters(v, 10000);
    unsigned all = iters;            /* disk_bench_run leaves the last operation's count */
    objects_measure();
    if (find_disk())
        return 0;
    print_transport();
    measure_tsc_per_ns();
    disk_bench_run(&linux_disk);
    iters = all;
    measure_msync(&linux_disk);
    return 0;
}
