/*
 * rng.h — the seeded generator of the in-guest fuzzers (fuzz/, ipcdiff/): xorshift64*,
 * so a failure replays from its seed. Each fuzzer seeds its states its own way.
 */
#ifndef TESTS_QEMU_RNG_H
#define TESTS_QEMU_RNG_H

#include <stdint.h>

static inline uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dULL;
}

static inline uint64_t rng_below(uint64_t *s, uint64_t n)
{
    return rng_next(s) % n;
}

#endif
