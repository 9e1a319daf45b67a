/*
 * sas/entropy.h — randomness for native programs (and, through the POSIX personality,
 * for getrandom, AT_RANDOM and libsodium's randombytes): the CPU's RDRAND, never a fixed
 * seed. The root task checks sas_entropy_available() before it starts anything and stops
 * the boot on a CPU without RDRAND, so every other program may rely on it.
 *
 * RDRAND can fail transiently (carry clear) when its buffer runs dry under heavy use;
 * as Intel's DRNG guide recommends, each word is retried up to SAS_ENTROPY_RETRIES times
 * before the source is declared broken. A word of all ones is treated as a failure too:
 * some AMD parts return it, with carry set, after a suspend when RDRAND is broken.
 * (QEMU's `-seed 1`, used by ./ellfour bench only, makes RDRAND deterministic.)
 */
#ifndef SAS_ENTROPY_H
#define SAS_ENTROPY_H

#include <stddef.h>
#include <stdint.h>
#include <sas/errors.h>

#define SAS_ENTROPY_RETRIES 10u

/* 1 if the CPU has RDRAND (CPUID leaf 1, ECX bit 30), else 0. */
int sas_entropy_available(void);

/* One random 64-bit word in *out. Returns SAS_OK; SAS_ENOTSUP if the CPU lacks RDRAND;
 * SAS_EIO if RDRAND failed SAS_ENTROPY_RETRIES times in a row (*out is then unchanged). */
enum sas_error sas_entropy_u64(uint64_t *out);

/* Fills buf with n random bytes. Returns as sas_entropy_u64; on an error buf may be
 * partly filled and must not be used. */
enum sas_error sas_entropy_fill(void *buf, size_t n);

#endif
