/*
 * fortify.c — the three glibc _FORTIFY_SOURCE entry points that Debian's liblmdb.a and
 * libsodium.a call and musl lacks (DESIGN.md §8). Each does what the unchecked call does,
 * after the check glibc would make.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
    va_list ap;
    int n;
    (void)flag;
    va_start(ap, fmt);
    n = vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}

int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...)
{
    va_list ap;
    int n;
    (void)flag;
    va_start(ap, fmt);
    n = vsnprintf(s, slen, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= slen)
        abort();                 /* glibc's __chk_fail: the buffer was too small */
    return n;
}

void __explicit_bzero_chk(void *p, size_t n, size_t dstlen)
{
    if (n > dstlen)
        abort();
    explicit_bzero(p, n);
}
