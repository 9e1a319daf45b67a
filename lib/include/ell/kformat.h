/*
 * ell/kformat.h — a small printf engine for freestanding code: the kernel's log and
 * panics, native programs' printf (lib/kformat.c).
 */
#ifndef ELL_KFORMAT_H
#define ELL_KFORMAT_H

#include <stdarg.h>

/* Formats %s %c %d %i %u %x %p with optional 'l'/'ll'/'z' and a zero-padded width.
 * Each character goes to put(c, arg). Returns the number of characters produced. */
int kformat(void (*put)(int c, void *arg), void *arg, const char *fmt, va_list ap);

#endif
