/*
 * internal.h — capstore's in-memory state and the record formats it stores.
 *
 * Everything is loaded at open and kept in memory; the backend is written through, one
 * record per change. Stored records (keys are bytewise-ordered, integers big-endian so
 * key order is numeric order):
 *   "V"                          u32 capstore format
 *   "K"                          32-byte master key
 *   'O' be64(base)               u64 epoch, u32 rgen, u32 n, n revoked tags (16 bytes)
 *   'D' be32(id)                 u8 locked, u8 name length, name
 *   'C' be32(id) be64(base) tag  the capability's 232 wire bytes
 */
#ifndef CAPSTORE_INTERNAL_H
#define CAPSTORE_INTERNAL_H

#include <stdint.h>
#include <capstore/capstore.h>
#include "cap_impl.h"

#define REC_OBJ     'O'
#define REC_DOMAIN  'D'
#define REC_CAP     'C'
#define OBJ_KEY_LEN    9u
#define DOM_KEY_LEN    5u
#define CAP_KEY_LEN   29u

/* An object that has had capabilities minted. Never deleted: its rgen must outlive it. */
struct cs_obj {
    uint64_t base;           /* 0: empty hash slot (the guard region is never an object) */
    uint64_t epoch;          /* objmgr's creation epoch of the incarnation minted for */
    uint32_t rgen;           /* revocation generation, 1 at the first mint */
    uint32_t nrev;
    uint64_t gen;            /* changes whenever epoch, rgen or the revocation set does */
    uint8_t (*rev)[CAP_TAG_BYTES]; /* CAP_REVSET_MAX slots once the first is used */
    uint8_t  has_key;
    uint8_t  key[CAP_KEY_BYTES];   /* the object key, derived once */
};

/* One capability in a domain's list, with what the last verification found. */
struct cs_entry {
    struct cap cap;
    uint64_t ok_gen;         /* the object's gen when the tag last verified; 0: never */
    uint64_t bad_gen;        /* the object's gen when it last failed; 0: never */
    uint8_t  bad_reason;     /* enum cap_reason of that failure */
};

struct cs_domain {
    domain_id id;
    uint8_t   locked;
    char      name[CAP_DOMAIN_NAME_MAX + 1];
    uint64_t  gen;           /* changes whenever the list does (decision-cache key) */
    struct cs_entry **ent;   /* sorted by (base, tag) */
    uint32_t  n, cap;
};

/* A cached decision; it answers for (dom, base, access) on pages in [d.lo, d.hi). */
struct cs_dce {
    domain_id dom;
    uint32_t  access;
    uint64_t  base, epoch;
    uint64_t  dom_gen, rev_gen;
    struct cap_decision d;
};

struct capstore {
    struct capstore_backend be;
    unsigned flags;
    int      has_master;
    uint8_t  master[CAP_KEY_BYTES];
    struct cs_obj *objs;     /* open addressing, linear probing, power-of-two size */
    size_t   objs_n, objs_cap;
    struct cs_domain *doms;  /* doms[id - 1] */
    uint32_t ndoms, doms_cap;
    uint64_t next_gen;       /* source of cs_obj.gen and cs_domain.gen values */
    uint64_t rev_gen;        /* bumped by every revocation: flushes the decision cache */
    struct capstore_stats stats;
    struct cs_dce dcache[CAP_DCACHE_ENTRIES];
};

/* Big-endian codecs for keys. */
static inline void be32_put(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}
static inline void be64_put(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}
static inline uint32_t be32_get(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t be64_get(const uint8_t *p)
{
    return (uint64_t)be32_get(p) << 32 | be32_get(p + 4);
}

/* store.c: one-record write transactions. */
enum sas_error cs_put1(struct capstore *cs, const void *key, size_t klen, const void *val,
                       size_t vlen);
enum sas_error cs_del1(struct capstore *cs, const void *key, size_t klen);

/* objtab.c: the object records. */
struct cs_obj *cs_obj_find(struct capstore *cs, uint64_t base);
enum sas_error cs_obj_reserve(struct capstore *cs);      /* room for one more record */
struct cs_obj *cs_obj_insert(struct capstore *cs, uint64_t base); /* after cs_obj_reserve */
void cs_obj_key(struct capstore *cs, struct cs_obj *o);  /* derive o->key if not yet */
#define OBJ_VAL_HDR 16u
size_t cs_obj_encode(uint64_t epoch, uint32_t rgen, uint32_t nrev,
                  const uint8_t (*rev)[CAP_TAG_BYTES], const uint8_t *extra, uint8_t *out);
enum sas_error cs_obj_load(struct capstore *cs, const uint8_t *key, const uint8_t *val,
                        size_t vlen);
void cs_obj_free_all(struct capstore *cs);
int cs_base_valid(uint64_t base);

/* verify.c: authenticity, generation and revocation set of c (no expiry); *recp is the
 * object's record whenever one exists. */
enum sas_error cs_authenticate(struct capstore *cs, const struct cap *c,
                               struct cs_obj **recp);

/* domain.c */
struct cs_domain *cs_dom_get(struct capstore *cs, domain_id d);
enum sas_error cs_dom_load(struct capstore *cs, const uint8_t *key, const uint8_t *val,
                        size_t vlen);
enum sas_error cs_dom_load_cap(struct capstore *cs, const uint8_t *key, const uint8_t *val,
                            size_t vlen);
void cs_dom_free_all(struct capstore *cs);
void cs_dom_sort_all(struct capstore *cs);   /* after loading */
/* Index of the first entry of dom with base >= base (binary search). */
uint32_t cs_dom_lower_bound(const struct cs_domain *dom, uint64_t base);

#endif
