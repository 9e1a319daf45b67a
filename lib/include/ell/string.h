/*
 * ell/string.h — the memory and string routines of freestanding code (the kernel, native
 * programs): lib/string.c, compiled once for the kernel's flags and once for user code's.
 * Hosted code (tools, host tests) takes them from its libc instead.
 */
#ifndef ELL_STRING_H
#define ELL_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

#endif
