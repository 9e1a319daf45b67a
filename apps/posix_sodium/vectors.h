/*
 * vectors.h — fixed inputs for posix_sodium: the guest computes keyed BLAKE2b and
 * HMAC-SHA-512-256 of them with Debian's libsodium.a under musl, and compares with the
 * bytes expect.c computed on the host with the host's libsodium at build time.
 */
#ifndef POSIX_SODIUM_VECTORS_H
#define POSIX_SODIUM_VECTORS_H

static const char vector_message[] = "Ell Four: keyed BLAKE2b and HMAC-SHA-512-256, host == guest";

/* Key byte i is i * 7 + base. */
static inline void vector_key(unsigned char *key, unsigned n, unsigned base)
{
    for (unsigned i = 0; i < n; i++)
        key[i] = (unsigned char)(i * 7 + base);
}

#endif
