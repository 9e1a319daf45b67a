/*
 * cap_tag.c — the keyed-BLAKE2b tag chain of a capability and the per-object keys.
 *
 * Why BLAKE2b keyed by the previous tag: it is a PRF with 128-bit keys (BLAKE2b's minimum
 * key length is 16 bytes, exactly one tag), one compression per link after the key block,
 * and libsodium ships it. Each link's input carries its index, and link 0's input carries
 * base, epoch and rgen, so a link cannot be moved to another position or another object.
 */
#include <string.h>
#include <sodium.h>
#include <capstore/cap.h>
#include "cap_impl.h"

/* crypto_kdf's 8-byte context: names this use of the master key, and the version. */
static const char kdf_ctx[crypto_kdf_CONTEXTBYTES] = { 'e', 'l', 'l', '4', 'c', 'a', 'p', '1' };

_Static_assert(CAP_KEY_BYTES == crypto_kdf_KEYBYTES, "master key is a crypto_kdf key");
_Static_assert(CAP_TAG_BYTES >= crypto_generichash_KEYBYTES_MIN, "a tag keys the next link");
_Static_assert(CAP_TAG_BYTES >= crypto_generichash_BYTES_MIN, "tag length allowed");

void cap_object_key(const uint8_t master[CAP_KEY_BYTES], uint64_t base,
                    uint8_t k[CAP_KEY_BYTES])
{
    crypto_kdf_derive_from_key(k, CAP_KEY_BYTES, base, kdf_ctx, master);
}

/* t[0]: the object key over the fixed header (without nlinks, which grows) and link 0. */
static void root_tag(const struct cap *c, const uint8_t k[CAP_KEY_BYTES],
                     uint8_t out[CAP_TAG_BYTES])
{
    const size_t hdr = offsetof(struct cap, link);
    uint8_t msg[offsetof(struct cap, link) + sizeof(struct cap_link)];

    memcpy(msg, c, hdr);
    memset(msg + offsetof(struct cap, nlinks), 0, hdr - offsetof(struct cap, nlinks));
    memcpy(msg + hdr, &c->link[0], sizeof(struct cap_link));
    crypto_generichash(out, CAP_TAG_BYTES, msg, sizeof msg, k, CAP_KEY_BYTES);
}

/* t[i], i >= 1: the previous tag over the link's index and the link. */
static void link_tag(const uint8_t prev[CAP_TAG_BYTES], uint64_t i, const struct cap_link *l,
                     uint8_t out[CAP_TAG_BYTES])
{
    uint8_t msg[8 + sizeof(struct cap_link)];

    memcpy(msg, &i, 8);                  /* little-endian by the wire-format assertion */
    memcpy(msg + 8, l, sizeof *l);
    crypto_generichash(out, CAP_TAG_BYTES, msg, sizeof msg, prev, CAP_TAG_BYTES);
}

void cap_tag_compute(const struct cap *c, const uint8_t k[CAP_KEY_BYTES],
                     uint8_t chain[][CAP_TAG_BYTES])
{
    root_tag(c, k, chain[0]);
    for (unsigned i = 1; i < c->nlinks; i++)
        link_tag(chain[i - 1], i, &c->link[i], chain[i]);
}

void cap_link_nonce(const struct cap_link *l, struct cap_link *out)
{
    static const uint8_t zero[sizeof l->nonce];

    *out = *l;
    if (memcmp(out->nonce, zero, sizeof zero) == 0)
        randombytes_buf(out->nonce, sizeof out->nonce);
}

enum sas_error cap_derive(const struct cap *parent, const struct cap_link *link,
                          struct cap *child)
{
    enum sas_error e = cap_wellformed(parent);

    if (e != SAS_OK)
        return e;
    if (parent->nlinks >= CAP_LINKS_MAX)
        return SAS_ECAP_DEPTH;
    if (!cap_link_valid(link))
        return SAS_ECAP_MALFORMED;
    if (!cap_link_narrows(cap_last(parent), link))
        return SAS_ECAP_AMPLIFY;
    struct cap c = *parent;
    cap_link_nonce(link, &c.link[c.nlinks]);
    link_tag(parent->tag, c.nlinks, &c.link[c.nlinks], c.tag);
    c.nlinks++;
    *child = c;
    return SAS_OK;
}
