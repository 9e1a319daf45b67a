/*
 * posix_hello — a musl program on Ell Four (docs/POSIX.md): printf, snprintf of floats,
 * qsort, malloc of HELLO_MALLOC_MIB MiB touched page by page, the clocks, uname and
 * getpid, each checked. Prints one "posix_hello: ..." line per check and exits with the
 * number of failed checks (0: all well), which root reports.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef HELLO_MALLOC_MIB
#define HELLO_MALLOC_MIB 100
#endif

static int check(const char *what, int ok)
{
    printf("posix_hello: %s: %s\n", what, ok ? "ok" : "FAILED");
    return !ok;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int sorted(void)
{
    int v[1000];
    for (int i = 0; i < 1000; i++)
        v[i] = (i * 7919) % 1000;
    qsort(v, 1000, sizeof(v[0]), cmp_int);
    for (int i = 0; i < 1000; i++)
        if (v[i] != i)
            return 0;
    return 1;
}

static int floats(void)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%.3f %g %e", 3.14159265, 0.1 + 0.2, 12345.678);
    printf("posix_hello: floats \"%s\"\n", buf);
    return !strcmp(buf, "3.142 0.3 1.234568e+04");
}

/* Touches every page of a big block, then reads every page back. */
static int big_malloc(size_t mib)
{
    size_t n = mib << 20;
    unsigned char *p = malloc(n);
    if (!p)
        return 0;
    for (size_t i = 0; i < n; i += 4096)
        p[i] = (unsigned char)(i >> 12);
    for (size_t i = 0; i < n; i += 4096)
        if (p[i] != (unsigned char)(i >> 12))
            return 0;
    printf("posix_hello: %zu MiB at %p touched page by page\n", mib, (void *)p);
    free(p);
    return 1;
}

static int clocks(void)
{
    struct timespec r, m1, m2;
    if (clock_gettime(CLOCK_REALTIME, &r) || clock_gettime(CLOCK_MONOTONIC, &m1) ||
        clock_gettime(CLOCK_MONOTONIC, &m2))
        return 0;
    printf("posix_hello: realtime %lld s, monotonic %lld.%09ld s\n", (long long)r.tv_sec,
           (long long)m1.tv_sec, m1.tv_nsec);
    /* After 2020 and monotonic never goes back. */
    return r.tv_sec > 1577836800 && (m2.tv_sec > m1.tv_sec ||
           (m2.tv_sec == m1.tv_sec && m2.tv_nsec >= m1.tv_nsec));
}

int main(int argc, char **argv)
{
    struct utsname u;
    int bad = 0;
    printf("posix_hello: hello from musl, argv[0] \"%s\", argc %d, pid %d, main at %p\n",
           argc ? argv[0] : "", argc, (int)getpid(), (void *)main);
    bad += check("argv", argc == 1 && !strcmp(argv[0], "posix_hello"));
    bad += check("qsort", sorted());
    bad += check("snprintf of floats", floats());
    bad += check("malloc", big_malloc(HELLO_MALLOC_MIB));
    bad += check("clock_gettime", clocks());
    bad += check("uname", !uname(&u) && !strcmp(u.machine, "x86_64"));
    printf("posix_hello: uname \"%s\" \"%s\"\n", u.sysname, u.release);
    return bad;
}
