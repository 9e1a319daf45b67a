/*
 * capstore/cap.h — the capability value and the operations any holder can do offline.
 *
 * A capability is 232 bytes of plain data: a program may keep it in memory, send it in a
 * message, store it in an object or print it (cap_format). It names one incarnation of an
 * object by its base address and objmgr's creation epoch, states capstore's revocation
 * generation for it, and carries a chain of one to CAP_LINKS_MAX links. Link 0
 * is set by capstore when it mints; every further link is a caveat appended by a holder
 * with cap_derive(), without asking capstore. Each link states rights, an expiry and a byte
 * range; a well-formed chain narrows monotonically, so the last link is what the
 * capability grants.
 *
 * The tag chains like a macaroon's (docs/SAS.md, "Capabilities and protection domains"):
 *   k      = crypto_kdf(master key, subkey id = base, context "ell4cap1")   (32 bytes)
 *   t[0]   = BLAKE2b-128(key k,      base | epoch | rgen | version | 0^3 | link[0])
 *   t[i]   = BLAKE2b-128(key t[i-1], le64(i) | link[i])                     (i >= 1)
 *   tag    = t[nlinks-1]
 * A holder knows only the last tag, so it can append links but never remove one: that
 * would need an earlier t[i], which BLAKE2b does not give back.
 *
 * Derivation is deterministic in everything but each link's nonce: cap_mint and
 * cap_derive draw it at random when it is zero, so two holders given "read-only" from
 * the same parent get different capabilities, and each can be revoked alone.
 *
 * Wire format: the little-endian bytes of struct cap, exactly as laid out below (the
 * _Static_asserts fix every offset). Canonical form: reserved bytes and unused links are
 * zero; verification refuses anything else, so flipping any bit of the 232 bytes makes a
 * capability fail (tests flip all 1,856 bits).
 *
 * Freestanding apart from libsodium: the client library may use these functions as is.
 */
#ifndef CAPSTORE_CAP_H
#define CAPSTORE_CAP_H

#include <stddef.h>
#include <stdint.h>
#include <sas/errors.h>

/* Rights. */
#define CAP_R_READ     0x01u
#define CAP_R_WRITE    0x02u
#define CAP_R_EXEC     0x04u
#define CAP_R_DELETE   0x08u   /* delete or resize the object */
#define CAP_R_GRANT    0x10u   /* revoke every capability of the object (rgen bump) */
#define CAP_R_ALL      0x1fu

#define CAP_VERSION     1u
#define CAP_LINKS_MAX   6u     /* link 0 (minted) + up to 5 attenuations */
#define CAP_TAG_BYTES   16u    /* 128-bit tags */
#define CAP_KEY_BYTES   32u    /* master and per-object keys */
#define CAP_NO_EXPIRY   UINT64_MAX
#define CAP_RANGE_ALL   UINT64_MAX /* len of a link covering the whole object (off 0) */

/* Expiry is wall-clock seconds since 1970 UTC (the RTC's resolution, read by the kernel
 * into the KIP); a link is valid while now < expiry. Range is [off, off + len) in bytes
 * from the object's base. */
struct cap_link {
    uint64_t expiry;
    uint64_t off;
    uint64_t len;
    uint8_t  rights;
    uint8_t  nonce[7];     /* random: tells apart siblings with equal caveats */
};

struct cap {
    uint64_t base;         /* the object's base address: its name */
    uint64_t epoch;        /* objmgr's creation epoch: which object lived at base */
    uint32_t rgen;         /* capstore's revocation generation of the object when minted */
    uint8_t  version;      /* CAP_VERSION */
    uint8_t  nlinks;       /* 1 .. CAP_LINKS_MAX */
    uint8_t  reserved[2];  /* zero */
    struct cap_link link[CAP_LINKS_MAX];
    uint8_t  tag[CAP_TAG_BYTES];
};

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "wire format is little-endian");
_Static_assert(sizeof(struct cap_link) == 32, "cap_link layout");
_Static_assert(offsetof(struct cap_link, off) == 8, "cap_link layout");
_Static_assert(offsetof(struct cap_link, len) == 16, "cap_link layout");
_Static_assert(offsetof(struct cap_link, rights) == 24, "cap_link layout");
_Static_assert(offsetof(struct cap_link, nonce) == 25, "cap_link layout");
_Static_assert(offsetof(struct cap, epoch) == 8, "cap layout");
_Static_assert(offsetof(struct cap, rgen) == 16, "cap layout");
_Static_assert(offsetof(struct cap, version) == 20, "cap layout");
_Static_assert(offsetof(struct cap, nlinks) == 21, "cap layout");
_Static_assert(offsetof(struct cap, link) == 24, "cap layout");
_Static_assert(offsetof(struct cap, tag) == 24 + 32 * CAP_LINKS_MAX, "cap layout");
_Static_assert(sizeof(struct cap) == 232, "cap wire size");

/* Text form: "cap1:" and 464 lowercase hex digits of the wire bytes, NUL-terminated. */
#define CAP_TEXT_BYTES (5 + 2 * sizeof(struct cap) + 1)

/* The link that states what c grants (the last one). c must be well-formed. */
static inline const struct cap_link *cap_last(const struct cap *c)
{
    return &c->link[c->nlinks - 1];
}

/*
 * cap_wellformed — check c's canonical form and that each link narrows the one before:
 * rights a subset, expiry no later, range inside. Says nothing about the tag.
 * Errors: SAS_ECAP_MALFORMED.
 */
enum sas_error cap_wellformed(const struct cap *c);

/*
 * cap_derive — append one caveat link to parent, giving *child (which may alias parent).
 * Offline: needs no key. parent is not verified here (it cannot be without the key); a
 * bad parent gives a child that will not verify.
 * A zero link->nonce is replaced by a random one in the child.
 * Errors: SAS_ECAP_MALFORMED (parent not canonical, link with unknown rights or an empty
 * or wrapping range),
 * SAS_ECAP_AMPLIFY (link has a right the parent lacks, a later expiry, or a range not
 * inside the parent's), SAS_ECAP_DEPTH (parent already has CAP_LINKS_MAX links).
 */
enum sas_error cap_derive(const struct cap *parent, const struct cap_link *link,
                          struct cap *child);

/*
 * cap_tag_compute — the tag chain of c under the object key k: fills chain[0..nlinks-1]
 * with t[0..nlinks-1] (see above). c must be well-formed. Used by capstore to mint and
 * verify; exposed for tests and tools.
 */
void cap_tag_compute(const struct cap *c, const uint8_t k[CAP_KEY_BYTES],
                     uint8_t chain[][CAP_TAG_BYTES]);

/* cap_object_key — derive the per-object key of base from the master key. */
void cap_object_key(const uint8_t master[CAP_KEY_BYTES], uint64_t base,
                    uint8_t k[CAP_KEY_BYTES]);

/* cap_format — write c's text form into buf (CAP_TEXT_BYTES). */
void cap_format(const struct cap *c, char buf[CAP_TEXT_BYTES]);

/* cap_parse — read a text form. Errors: SAS_EINVAL (not "cap1:" + 464 hex digits). */
enum sas_error cap_parse(const char *text, struct cap *out);

/* A link from its parts, with a zero nonce (cap_derive and cap_mint then draw one). */
static inline struct cap_link cap_link_make(unsigned rights, uint64_t expiry, uint64_t off,
                                            uint64_t len)
{
    struct cap_link l = { .expiry = expiry, .off = off, .len = len, .rights = (uint8_t)rights };
    return l;
}

#endif
