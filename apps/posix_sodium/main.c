/*
 * posix_sodium — Debian's libsodium.a, unmodified, in a musl program on Ell Four:
 * sodium_init() succeeds; keyed BLAKE2b (crypto_generichash) and HMAC-SHA-512-256
 * (crypto_auth) give the host's bytes (sodium_expected.h, from expect.c); and
 * randombytes_buf prints 16 bytes, which must differ between two boots (the test script
 * compares). Exits with the number of failed checks.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "sodium_expected.h"
#include "vectors.h"

static int check(const char *what, int ok)
{
    printf("posix_sodium: %s: %s\n", what, ok ? "ok" : "FAILED");
    return !ok;
}

static void hex(const char *what, const unsigned char *b, size_t n)
{
    char out[2 * 64 + 1];
    sodium_bin2hex(out, sizeof(out), b, n);
    printf("posix_sodium: %s %s\n", what, out);
}

int main(void)
{
    unsigned char gkey[crypto_generichash_KEYBYTES], akey[crypto_auth_KEYBYTES];
    unsigned char hash[crypto_generichash_BYTES], mac[crypto_auth_BYTES], rnd[16];
    int bad = check("sodium_init", sodium_init() == 0);
    vector_key(gkey, sizeof(gkey), 1);
    vector_key(akey, sizeof(akey), 100);
    crypto_generichash(hash, sizeof(hash), (const unsigned char *)vector_message,
                       sizeof(vector_message) - 1, gkey, sizeof(gkey));
    crypto_auth(mac, (const unsigned char *)vector_message, sizeof(vector_message) - 1, akey);
    hex("generichash", hash, sizeof(hash));
    hex("auth", mac, sizeof(mac));
    bad += check("crypto_generichash as on the host", !memcmp(hash, expect_generichash, 32));
    bad += check("crypto_auth as on the host", !memcmp(mac, expect_auth, 32));
    randombytes_buf(rnd, sizeof(rnd));
    hex("random", rnd, sizeof(rnd));
    return bad;
}
