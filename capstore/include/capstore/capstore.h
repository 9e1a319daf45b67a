/*
 * capstore/capstore.h — capstore's logic as a library: minting, verification, revocation,
 * persistent protection domains and the access check the pager asks for. No IPC inside:
 * the capstore server wraps these calls in its receive loop; cmocka tests call them here.
 *
 * Contract:
 *  - Every function returns enum sas_error (0 = SAS_OK). Arguments and authority are
 *    checked before anything changes; a failed call changes nothing, in memory or stored.
 *  - State lives in a key-value table reached through struct capstore_backend (persist's
 *    named database "capstore" in the system, a memory table in tests). Every change is
 *    one write transaction, committed before the call returns.
 *  - Time is wall-clock seconds passed in by the caller (the servers take it from the
 *    kernel info page), so expiry is testable. A capability is valid while now < expiry.
 *  - Not thread-safe: the server is single-threaded, one request at a time.
 *
 * The model, its decisions and measured costs: docs/SAS.md, "Capabilities and protection
 * domains".
 */
#ifndef CAPSTORE_CAPSTORE_H
#define CAPSTORE_CAPSTORE_H

#include <stddef.h>
#include <stdint.h>
#include <capstore/cap.h>

#define CAPSTORE_FORMAT        1u    /* version of the records below ("V") */
#define CAP_REVSET_MAX        64u    /* revoked capabilities per object and generation */
#define CAP_DOMAIN_NAME_MAX   31u    /* bytes of a domain name: [A-Za-z0-9._-]+ */
#define CAP_DCACHE_ENTRIES  1024u    /* decision cache slots (direct-mapped) */

/* ---- Storage interface ------------------------------------------------------------ */

typedef int (*capstore_kv_fn)(void *arg, const void *key, size_t klen, const void *val,
                              size_t vlen);

/*
 * A transactional key-value table, the shape of persist_db_*: get returns a pointer valid
 * until the transaction ends; each visits keys >= from in key order (bytewise) until fn
 * returns non-zero. get returns SAS_ENOTFOUND for a missing key. At most one write
 * transaction is open at a time.
 */
struct capstore_backend {
    void *ctx;
    enum sas_error (*begin)(void *ctx, int write, void **txn);
    enum sas_error (*commit)(void *ctx, void *txn);
    void (*abort)(void *ctx, void *txn);
    enum sas_error (*get)(void *ctx, void *txn, const void *key, size_t klen,
                          const void **val, size_t *vlen);
    enum sas_error (*put)(void *ctx, void *txn, const void *key, size_t klen,
                          const void *val, size_t vlen);
    enum sas_error (*del)(void *ctx, void *txn, const void *key, size_t klen);
    enum sas_error (*each)(void *ctx, void *txn, const void *from, size_t fromlen,
                           capstore_kv_fn fn, void *arg);
};

/* A table in memory (tests, benchmarks). It outlives the capstores opened on it, so a
 * test can close and reopen to prove what is stored. Puts and deletes take effect at once:
 * capstore writes one record per transaction, except when it creates its key. */
struct capstore_mem;
enum sas_error capstore_mem_new(struct capstore_mem **out);
void capstore_mem_free(struct capstore_mem *m);
struct capstore_backend capstore_mem_backend(struct capstore_mem *m);
/* Make the n-th next put or delete (0 = the very next) fail with e; e = SAS_OK disarms. */
void capstore_mem_fail(struct capstore_mem *m, unsigned n, enum sas_error e);
/* Number of records, and raw access for tests that tamper with stored bytes. */
size_t capstore_mem_count(const struct capstore_mem *m);
void *capstore_mem_value(struct capstore_mem *m, const void *key, size_t klen, size_t *vlen);

/* ---- The store -------------------------------------------------------------------- */

struct capstore;

#define CAPSTORE_RDONLY 0x1u   /* never write: no key is created if the store has none */

/*
 * capstore_open — load everything stored through be (a copy of *be is kept): the master
 * key, object records, domains and their lists. On first use (no key stored) draw a master
 * key from libsodium's randombytes and store it, unless CAPSTORE_RDONLY.
 * Errors: SAS_ENOMEM; SAS_ESTORE_VERSION (records of a newer capstore format);
 * SAS_ESTORE_CORRUPT (a record of the wrong size or an unknown kind); the backend's.
 */
enum sas_error capstore_open(const struct capstore_backend *be, unsigned flags,
                             struct capstore **out);

/* capstore_close — free cs, wiping its keys from memory. */
void capstore_close(struct capstore *cs);

/* capstore_has_key — 1 if a master key exists (a read-only open of a new store has none). */
int capstore_has_key(const struct capstore *cs);

/* ---- Capabilities ----------------------------------------------------------------- */

/*
 * cap_mint — a new capability for the object at base, of objmgr's creation epoch, with the
 * one link *root (a zero nonce is replaced by a random one). Trusted: only objmgr (at
 * object creation) and the server's own grant path call it. The first mint for an epoch
 * newer than capstore has seen for base starts a fresh record (generation 1, nothing
 * revoked): every capability of the older object at that address is dead from then on.
 * Errors: SAS_EINVAL (base not page-aligned or outside the object region, epoch 0 or
 * older than the epoch capstore knows for base),
 * SAS_ECAP_MALFORMED (root: unknown rights, padding, empty or wrapping range),
 * SAS_ESTORE_READONLY (opened CAPSTORE_RDONLY), SAS_ENOMEM, the backend's.
 */
enum sas_error cap_mint(struct capstore *cs, uint64_t base, uint64_t epoch,
                        const struct cap_link *root, struct cap *out);

/*
 * cap_verify — is c authentic, current and unexpired at now? Walks the tag chain under the
 * object's key, compares the tag in constant time, then the epoch and generation against
 * the object's record, then the revocation set. (cap_check also compares the epoch with
 * the object objmgr found, which capstore's record may not have seen yet.)
 * Errors, in the order checked: SAS_ECAP_MALFORMED, SAS_ECAP_FORGED (tag wrong, or no
 * object record: never minted here), SAS_ECAP_REVOKED, SAS_ECAP_EXPIRED.
 */
enum sas_error cap_verify(struct capstore *cs, const struct cap *c, uint64_t now);

/*
 * cap_revoke — revoke c and every capability derived from it (their chains pass through
 * c's tag); c's ancestors and siblings stay valid. Holding c is the authority: c must
 * verify (an expired c may still be revoked). Takes effect for cap_check at once; the
 * caller must unmap the object's pages (docs/SAS.md). Revoking a revoked capability
 * gives SAS_ECAP_REVOKED, like any use of it.
 * Errors: those of cap_verify except SAS_ECAP_EXPIRED; SAS_ECAP_REVSET_FULL (the object
 * already has CAP_REVSET_MAX revoked capabilities this epoch: revoke all instead);
 * SAS_ESTORE_READONLY; SAS_ENOMEM; the backend's.
 */
enum sas_error cap_revoke(struct capstore *cs, const struct cap *c);

/*
 * cap_revoke_all — bump the object's revocation generation (the "epoch bump"): every
 * capability of the object dies, and its revocation set is emptied (it can only name dead
 * capabilities). authority must verify at now, hold CAP_R_GRANT, and cover the whole
 * object (off 0, len CAP_RANGE_ALL). New capabilities are minted at the new generation.
 * Errors: those of cap_verify; SAS_ECAP_DENIED (no grant right or a narrowed range);
 * SAS_ECAP_EPOCH (2^32 generations used: retire the address); SAS_ESTORE_READONLY; the backend's.
 */
enum sas_error cap_revoke_all(struct capstore *cs, const struct cap *authority, uint64_t now);

/*
 * cap_retire — bump the generation of base without authority: objmgr calls it when the
 * object is deleted, so its capabilities die at once (a later object at the address has a
 * newer epoch anyway, which kills them too).
 * Nothing to do (SAS_OK) if no capability of base was ever minted.
 * Errors: SAS_EINVAL (bad base), SAS_ECAP_EPOCH, SAS_ESTORE_READONLY, the backend's.
 */
enum sas_error cap_retire(struct capstore *cs, uint64_t base);

/* cap_object_state — the epoch and generation capstore holds for base.
 * Errors: SAS_ENOTFOUND (no capability was ever minted for it). */
enum sas_error cap_object_state(struct capstore *cs, uint64_t base, uint64_t *epoch,
                                uint32_t *rgen);

/* ---- Protection domains ----------------------------------------------------------- */

typedef uint32_t domain_id;   /* 1, 2, ... in creation order; never reused */

struct domain_info {
    domain_id id;
    int       locked;
    uint32_t  ncaps;
    char      name[CAP_DOMAIN_NAME_MAX + 1];
};

/*
 * domain_create — a new, empty, unlocked domain called name.
 * Errors: SAS_EINVAL (name empty, too long, or not [A-Za-z0-9._-]), SAS_EDOMAIN_EXISTS,
 * SAS_ESTORE_READONLY, SAS_ENOMEM, the backend's.
 */
enum sas_error domain_create(struct capstore *cs, const char *name, domain_id *out);

/* domain_find — the id of name. Errors: SAS_EDOMAIN_NOTFOUND. */
enum sas_error domain_find(struct capstore *cs, const char *name, domain_id *out);

/* domain_info — describe d. Errors: SAS_EDOMAIN_NOTFOUND. */
enum sas_error domain_info(struct capstore *cs, domain_id d, struct domain_info *out);

/*
 * domain_lock — lock d for good: its list can no longer grow (removal stays allowed, as
 * it only ever takes authority away). Locking a locked domain is SAS_OK.
 * Errors: SAS_EDOMAIN_NOTFOUND, SAS_ESTORE_READONLY, the backend's.
 */
enum sas_error domain_lock(struct capstore *cs, domain_id d);

/*
 * domain_add — put c into d's list after verifying it at now. Adding a capability already
 * there is SAS_OK. Errors: SAS_EDOMAIN_NOTFOUND, SAS_EDOMAIN_LOCKED, those of cap_verify,
 * SAS_ESTORE_READONLY, SAS_ENOMEM, the backend's.
 */
enum sas_error domain_add(struct capstore *cs, domain_id d, const struct cap *c,
                          uint64_t now);

/*
 * domain_remove — take c out of d's list (matched by base and tag). The caller must unmap
 * the object's pages from d. Errors: SAS_EDOMAIN_NOTFOUND, SAS_ENOTFOUND (c not in the
 * list), SAS_ESTORE_READONLY, the backend's.
 */
enum sas_error domain_remove(struct capstore *cs, domain_id d, const struct cap *c);

/*
 * domain_remove_base — take every capability of the object at base out of every domain's
 * list: the object is gone, so they can only be dead (cap_retire), and kept they would
 * only lengthen lists and the store. One stored record deleted per capability; O(log n)
 * per domain. Errors: SAS_ESTORE_READONLY, the backend's (the ones removed before the
 * failure stay removed, each its own transaction).
 */
enum sas_error domain_remove_base(struct capstore *cs, uint64_t base);

/* Visit every domain in id order / every capability of d in (base, tag) order, until fn
 * returns non-zero. domain_caps_each errors: SAS_EDOMAIN_NOTFOUND. */
enum sas_error domain_each(struct capstore *cs,
                           int (*fn)(void *arg, const struct domain_info *d), void *arg);
enum sas_error domain_caps_each(struct capstore *cs, domain_id d,
                                int (*fn)(void *arg, const struct cap *c), void *arg);

/* ---- The access check ------------------------------------------------------------- */

/* Why an access was allowed or denied. The deny reasons are ordered by how far the
 * closest capability got: it covered the page, then had the rights, then was unexpired,
 * then failed authentication or revocation. */
enum cap_reason {
    CAP_ALLOWED = 0,
    CAP_DENY_NO_CAP,      /* the domain holds no capability for the object */
    CAP_DENY_RANGE,       /* capabilities exist, none covers the page */
    CAP_DENY_RIGHTS,      /* one covers the page but lacks a requested right */
    CAP_DENY_EXPIRED,     /* one would allow it, but its expiry has passed */
    CAP_DENY_REVOKED,     /* one would allow it, but it is revoked, or of an older object */
    CAP_DENY_FORGED,      /* one would allow it, but its stored tag does not verify */
};

/* cap_reason_str — a short English phrase for r; never NULL. */
const char *cap_reason_str(enum cap_reason r);

/* The object the faulting address lies in, as objmgr found it. */
struct cap_object {
    uint64_t base;        /* page-aligned */
    uint64_t size;        /* bytes, a multiple of the page size */
    uint64_t epoch;       /* objmgr's creation epoch of the object */
};

struct cap_decision {
    uint8_t  allow;       /* 1: map the page with `rights` */
    uint8_t  reason;      /* enum cap_reason */
    uint8_t  rights;      /* allow: the matching capability's rights */
    uint8_t  cached;      /* answered from the decision cache */
    uint32_t candidates;  /* capabilities for the object in the domain (0 when cached) */
    uint64_t lo, hi;      /* the answer holds for every page in [lo, hi) ... */
    uint64_t valid_until; /* ... while now < valid_until (allow: the capability's expiry) */
    uint8_t  tag[CAP_TAG_BYTES]; /* the capability that matched or came closest; zeros if none */
};

/*
 * cap_check — may domain d access the page holding addr in obj with the rights in access?
 * Answers in *out with the reason (see enum cap_reason). Range caveats count at page
 * granularity: a capability covers a page only if its range holds the whole page, since
 * the MMU cannot enforce less. Among capabilities that allow, the first in (base, tag)
 * order is named. Decisions are cached per (domain, object and epoch, access) until the
 * domain's list changes or any revocation happens.
 * Errors (no decision then): SAS_EINVAL (obj misaligned, empty or of epoch 0, addr outside
 * obj, access zero or with unknown bits), SAS_EDOMAIN_NOTFOUND.
 */
enum sas_error cap_check(struct capstore *cs, domain_id d, const struct cap_object *obj,
                         uint64_t addr, unsigned access, uint64_t now,
                         struct cap_decision *out);

/* Decision-cache counters since open, for tests and benchmarks. */
struct capstore_stats {
    uint64_t checks, cache_hits, macs;   /* macs: tag chains computed */
};
void capstore_stats(const struct capstore *cs, struct capstore_stats *out);

#endif
