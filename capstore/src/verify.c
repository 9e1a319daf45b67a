/*
 * verify.c — minting, verification and revocation of capabilities.
 *
 * Verification order is chosen so that nothing is said about a capability before its tag
 * has been checked: canonical form (public bytes only), then the tag chain compared in
 * constant time, then epoch, generation and revocation set, then expiry. The intermediate tags t[i]
 * are secrets even from the holder (with t[i] one could drop the later caveats), so the
 * revocation set is searched without data-dependent branches and the chain is wiped.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "internal.h"

/* Is any tag of chain[0..n-1] in o's revocation set? Constant time in the tags' values. */
static int revset_hit(const struct cs_obj *o, const uint8_t chain[][CAP_TAG_BYTES], unsigned n)
{
    int hit = 0;

    for (uint32_t r = 0; r < o->nrev; r++)
        for (unsigned i = 0; i < n; i++)
            hit |= crypto_verify_16(o->rev[r], chain[i]) == 0;
    return hit;
}

enum sas_error cs_authenticate(struct capstore *cs, const struct cap *c, struct cs_obj **recp)
{
    uint8_t chain[CAP_LINKS_MAX][CAP_TAG_BYTES];
    enum sas_error e = cap_wellformed(c);

    if (e != SAS_OK)
        return e;
    struct cs_obj *o = cs_obj_find(cs, c->base);
    if (o == NULL || !cs->has_master)
        return SAS_ECAP_FORGED;          /* never minted by this store */
    cs_obj_key(cs, o);
    cap_tag_compute(c, o->key, chain);
    cs->stats.macs++;
    if (crypto_verify_16(chain[c->nlinks - 1], c->tag) != 0)
        e = SAS_ECAP_FORGED;
    else if (c->epoch != o->epoch || c->rgen != o->rgen ||
             revset_hit(o, (const uint8_t (*)[CAP_TAG_BYTES])chain, c->nlinks))
        e = SAS_ECAP_REVOKED;
    sodium_memzero(chain, sizeof chain);
    *recp = o;
    return e;
}

enum sas_error cap_verify(struct capstore *cs, const struct cap *c, uint64_t now)
{
    struct cs_obj *o;
    enum sas_error e = cs_authenticate(cs, c, &o);

    if (e != SAS_OK)
        return e;
    return now < cap_last(c)->expiry ? SAS_OK : SAS_ECAP_EXPIRED;
}

/* Store a fresh record for a new incarnation (epoch) of base: generation 1, nothing
 * revoked. Replaces the record of an older incarnation, whose capabilities all die. */
static enum sas_error obj_incarnate(struct capstore *cs, uint64_t base, uint64_t epoch,
                                    struct cs_obj **out)
{
    uint8_t key[OBJ_KEY_LEN], val[OBJ_VAL_HDR];
    struct cs_obj *o = cs_obj_find(cs, base);
    enum sas_error e = o ? SAS_OK : cs_obj_reserve(cs);

    if (e != SAS_OK)
        return e;
    key[0] = REC_OBJ;
    be64_put(key + 1, base);
    e = cs_put1(cs, key, sizeof key, val, cs_obj_encode(epoch, 1, 0, NULL, NULL, val));
    if (e != SAS_OK)
        return e;
    if (o == NULL)
        o = cs_obj_insert(cs, base);
    o->epoch = epoch;
    o->rgen = 1;
    o->nrev = 0;
    o->gen = ++cs->next_gen;
    cs->rev_gen++;
    *out = o;
    return SAS_OK;
}

enum sas_error cap_mint(struct capstore *cs, uint64_t base, uint64_t epoch,
                        const struct cap_link *root, struct cap *out)
{
    struct cs_obj *o = cs_obj_find(cs, base);
    uint8_t chain[1][CAP_TAG_BYTES];
    enum sas_error e = SAS_OK;

    if (!cs_base_valid(base) || epoch == 0 || (o != NULL && epoch < o->epoch))
        return SAS_EINVAL;
    if (!cap_link_valid(root))
        return SAS_ECAP_MALFORMED;
    if ((cs->flags & CAPSTORE_RDONLY) || !cs->has_master)
        return SAS_ESTORE_READONLY;
    if (o == NULL || epoch > o->epoch)
        e = obj_incarnate(cs, base, epoch, &o);
    if (e != SAS_OK)
        return e;
    struct cap c = { .base = base, .epoch = epoch, .rgen = o->rgen, .version = CAP_VERSION,
                     .nlinks = 1 };
    cap_link_nonce(root, &c.link[0]);
    cs_obj_key(cs, o);
    cap_tag_compute(&c, o->key, chain);
    memcpy(c.tag, chain[0], CAP_TAG_BYTES);
    *out = c;
    return SAS_OK;
}

/* Store o with tag appended to its revocation set, then apply it in memory. */
static enum sas_error revset_add(struct capstore *cs, struct cs_obj *o, const uint8_t *tag)
{
    uint8_t key[OBJ_KEY_LEN], val[OBJ_VAL_HDR + CAP_REVSET_MAX * CAP_TAG_BYTES];

    if (o->nrev >= CAP_REVSET_MAX)
        return SAS_ECAP_REVSET_FULL;
    if (o->rev == NULL && (o->rev = malloc(CAP_REVSET_MAX * CAP_TAG_BYTES)) == NULL)
        return SAS_ENOMEM;
    key[0] = REC_OBJ;
    be64_put(key + 1, o->base);
    enum sas_error e = cs_put1(cs, key, sizeof key, val,
                               cs_obj_encode(o->epoch, o->rgen, o->nrev,
                                          (const uint8_t (*)[CAP_TAG_BYTES])o->rev, tag, val));
    if (e != SAS_OK)
        return e;
    memcpy(o->rev[o->nrev++], tag, CAP_TAG_BYTES);
    o->gen = ++cs->next_gen;
    cs->rev_gen++;
    return SAS_OK;
}

/* Store o with the next generation and an empty revocation set, then apply it. */
static enum sas_error rgen_bump(struct capstore *cs, struct cs_obj *o)
{
    uint8_t key[OBJ_KEY_LEN], val[OBJ_VAL_HDR];

    if (o->rgen == UINT32_MAX)
        return SAS_ECAP_EPOCH;
    key[0] = REC_OBJ;
    be64_put(key + 1, o->base);
    enum sas_error e = cs_put1(cs, key, sizeof key, val,
                               cs_obj_encode(o->epoch, o->rgen + 1, 0, NULL, NULL, val));
    if (e != SAS_OK)
        return e;
    o->rgen++;
    o->nrev = 0;
    o->gen = ++cs->next_gen;
    cs->rev_gen++;
    return SAS_OK;
}

enum sas_error cap_revoke(struct capstore *cs, const struct cap *c)
{
    struct cs_obj *o;
    enum sas_error e = cs_authenticate(cs, c, &o);

    if (e != SAS_OK)
        return e;
    if (cs->flags & CAPSTORE_RDONLY)
        return SAS_ESTORE_READONLY;
    return revset_add(cs, o, c->tag);
}

enum sas_error cap_revoke_all(struct capstore *cs, const struct cap *authority, uint64_t now)
{
    struct cs_obj *o;
    enum sas_error e = cs_authenticate(cs, authority, &o);

    if (e != SAS_OK)
        return e;
    const struct cap_link *l = cap_last(authority);
    if (now >= l->expiry)
        return SAS_ECAP_EXPIRED;
    if (!(l->rights & CAP_R_GRANT) || l->off != 0 || l->len != CAP_RANGE_ALL)
        return SAS_ECAP_DENIED;
    if (cs->flags & CAPSTORE_RDONLY)
        return SAS_ESTORE_READONLY;
    return rgen_bump(cs, o);
}

enum sas_error cap_retire(struct capstore *cs, uint64_t base)
{
    if (!cs_base_valid(base))
        return SAS_EINVAL;
    struct cs_obj *o = cs_obj_find(cs, base);
    if (o == NULL)
        return SAS_OK;                   /* no capability of it ever existed */
    if (cs->flags & CAPSTORE_RDONLY)
        return SAS_ESTORE_READONLY;
    return rgen_bump(cs, o);
}

enum sas_error cap_object_state(struct capstore *cs, uint64_t base, uint64_t *epoch,
                                uint32_t *rgen)
{
    struct cs_obj *o = cs_obj_find(cs, base);

    if (o == NULL)
        return SAS_ENOTFOUND;
    *epoch = o->epoch;
    *rgen = o->rgen;
    return SAS_OK;
}
