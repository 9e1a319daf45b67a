/*
 * k/lib.h — the kernel's freestanding string and formatting routines (lib/, shared with
 * native user programs) and its small helper macros.
 */
#ifndef K_LIB_H
#define K_LIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <ell/kformat.h>
#include <ell/string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define UNUSED __attribute__((unused))

#endif
