/*
 * k/lib.h — the kernel's freestanding string and formatting routines.
 */
#ifndef K_LIB_H
#define K_LIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

/* Formats %s %c %d %i %u %x %p with optional 'l'/'ll'/'z' and a zero-padded width.
 * Each character goes to put(c, arg). Returns the number of characters produced. */
int kformat(void (*put)(int c, void *arg), void *arg, const char *fmt, va_list ap);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define UNUSED __attribute__((unused))

#endif
