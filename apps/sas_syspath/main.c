/*
 * sas_syspath — the system thread's own accesses to an object on the program's behalf
 * (issue 20's "system-thread paths" test): system calls whose buffer is an object's
 * pages, which the system thread must fault in through objmgr itself.
 *
 * It creates a transient object of 5 pages, "syspath", and fills its 20480 bytes with 320
 * lines of 64 bytes each, line k (0..319) being
 *     "objline " + k in 3 decimal digits + " " + 51 letters 'a' + (k + j) % 26 + "\n"
 * e.g. "objline 000 abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxy" and a newline.
 * Then:
 *   1. write(1, obj, 20480): one call, larger than stdio's buffer; must return 20480 and
 *      print all 320 lines;
 *   2. pwrite(fd, obj, 4096, 0) on /dev/console opened for writing: must return 4096 and
 *      print lines 0..63 again;
 *   3. write(1, a, 10) with `a` in the object region but in no object (the object's end
 *      plus 64 MiB; objmgr's first fit puts nothing there while this runs): must return -1
 *      with errno EFAULT, and the program goes on.
 * Last it prints the FNV-1a 64 checksum of the 20480 bytes and the verdict:
 *     sas_syspath: checksum 0123456789abcdef of 20480 bytes
 *     sas_syspath: ok
 * (the test can recompute the checksum over the 320 lines it captured). Exit 0 only if
 * every check held; else 1, with a "sas_syspath: FAILED: ..." line for each that did not.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sas.h>

#define SIZE 20480u
#define LINE 64u
#define PREFIX 12u                     /* "objline NNN " */
#define PWRITE_BYTES 4096u
#define STRAY_GAP (64ULL << 20)        /* past the object: no object there */

static int bad;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("sas_syspath: FAILED: %s (errno %d)\n", what, errno);
        bad = 1;
    }
}

static void fill(char *p)
{
    for (unsigned k = 0; k < SIZE / LINE; k++) {
        char *l = p + k * LINE;
        char head[PREFIX + 1];
        snprintf(head, sizeof(head), "objline %03u ", k);
        memcpy(l, head, PREFIX);
        for (unsigned j = 0; j < LINE - PREFIX - 1; j++)
            l[PREFIX + j] = (char)('a' + (k + j) % 26);
        l[LINE - 1] = '\n';
    }
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    while (n--)
        h = (h ^ *p++) * 0x100000001b3ULL;
    return h;
}

int main(void)
{
    void *base;
    enum sas_error e = sas_create(SIZE, 0, "syspath", 0, &base);
    if (e) {
        printf("sas_syspath: FAILED: sas_create: %s\n", sas_strerror(e));
        return 1;
    }
    char *obj = base;
    fill(obj);
    printf("sas_syspath: object at %p, write(1) of %u bytes from it\n", base, SIZE);
    fflush(stdout);                    /* our lines before the object's */
    check(write(1, obj, SIZE) == (ssize_t)SIZE, "write(1, obj, 20480)");

    int fd = open("/dev/console", O_WRONLY);
    check(fd >= 0, "open /dev/console");
    printf("sas_syspath: pwrite of %u bytes from it to /dev/console\n", PWRITE_BYTES);
    fflush(stdout);
    check(fd >= 0 && pwrite(fd, obj, PWRITE_BYTES, 0) == (ssize_t)PWRITE_BYTES,
          "pwrite(console, obj, 4096, 0)");

    const char *stray = obj + SIZE + STRAY_GAP;
    errno = 0;
    ssize_t r = write(1, stray, 10);
    check(r == -1 && errno == EFAULT, "write(1) from no object: EFAULT");
    printf("sas_syspath: write(1) from %p (no object): %zd, %s\n", (const void *)stray, r,
           strerror(errno));

    printf("sas_syspath: checksum %016llx of %u bytes\n",
           (unsigned long long)fnv1a((const unsigned char *)obj, SIZE), SIZE);
    printf("sas_syspath: %s\n", bad ? "FAILED" : "ok");
    return bad;
}
