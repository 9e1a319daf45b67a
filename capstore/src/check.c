/*
 * check.c — the access check the pager asks on a fault: may this domain touch this page
 * of this object this way, and if not, why not.
 *
 * Cost model (figures in docs/SAS.md): a decision-cache hit is a hash and a few compares.
 * A miss binary-searches the domain's sorted list for the object's capabilities and tests
 * each one's last link against page, access and time; the tag is recomputed only if the
 * object's epoch or revocation set changed since that entry last verified (entries are
 * verified when added), so a cold check costs no MAC in the common case.
 */
#include <string.h>
#include <sas/layout.h>
#include "internal.h"

static const char *const reason_text[] = {
    [CAP_ALLOWED]      = "allowed",
    [CAP_DENY_NO_CAP]  = "no capability for the object",
    [CAP_DENY_RANGE]   = "no capability covers the page",
    [CAP_DENY_RIGHTS]  = "capability lacks the right",
    [CAP_DENY_EXPIRED] = "capability expired",
    [CAP_DENY_REVOKED] = "capability revoked",
    [CAP_DENY_FORGED]  = "stored capability does not verify",
};

const char *cap_reason_str(enum cap_reason r)
{
    return (unsigned)r < sizeof reason_text / sizeof *reason_text ? reason_text[r]
                                                                   : "unknown reason";
}

static int object_valid(const struct cap_object *obj, uint64_t addr)
{
    return obj->base % SAS_PAGE_SIZE == 0 && obj->epoch != 0 && obj->size != 0 && obj->size % SAS_PAGE_SIZE == 0 &&
           obj->base >= SAS_OBJECT_BASE && obj->base < SAS_OBJECT_END &&
           obj->size <= SAS_OBJECT_END - obj->base &&
           addr >= obj->base && addr - obj->base < obj->size;
}

/* Does link l grant the whole page at offset page_off? (The MMU cannot do less.) */
static int covers(const struct cap_link *l, uint64_t page_off)
{
    return page_off >= l->off && page_off - l->off <= l->len &&
           l->len - (page_off - l->off) >= SAS_PAGE_SIZE;
}

/* Is the entry's tag good for the object as it is now? Remembers the answer per gen. */
static enum cap_reason authentic(struct capstore *cs, struct cs_entry *ent)
{
    struct cs_obj *o = cs_obj_find(cs, ent->cap.base);

    if (o != NULL && ent->ok_gen == o->gen)
        return CAP_ALLOWED;
    if (o != NULL && ent->bad_gen == o->gen)
        return ent->bad_reason;
    enum sas_error e = cs_authenticate(cs, &ent->cap, &o);
    if (e == SAS_OK) {
        ent->ok_gen = o->gen;
        return CAP_ALLOWED;
    }
    enum cap_reason r = e == SAS_ECAP_REVOKED ? CAP_DENY_REVOKED : CAP_DENY_FORGED;
    if (o != NULL) {
        ent->bad_gen = o->gen;
        ent->bad_reason = (uint8_t)r;
    }
    return r;
}

/* One candidate, tested cheapest first; the reason says how far it got. */
static enum cap_reason judge(struct capstore *cs, struct cs_entry *ent,
                             const struct cap_object *obj, uint64_t page_off, unsigned access,
                             uint64_t now)
{
    if (ent->ok_gen == 0 && cap_wellformed(&ent->cap) != SAS_OK)
        return CAP_DENY_FORGED;      /* loaded from the store, damaged there */
    const struct cap_link *l = cap_last(&ent->cap);
    if (!covers(l, page_off))
        return CAP_DENY_RANGE;
    if (access & ~l->rights)
        return CAP_DENY_RIGHTS;
    if (now >= l->expiry)
        return CAP_DENY_EXPIRED;
    if (ent->cap.epoch != obj->epoch)
        return CAP_DENY_REVOKED;     /* for an object that lived here before */
    return authentic(cs, ent);
}

static void allow_fill(struct cap_decision *out, const struct cap *c,
                       const struct cap_object *obj)
{
    const struct cap_link *l = cap_last(c);
    uint64_t end = l->len > obj->size - l->off ? obj->size : l->off + l->len;

    out->allow = 1;
    out->reason = CAP_ALLOWED;
    out->rights = l->rights;
    out->lo = obj->base + ((l->off + SAS_PAGE_SIZE - 1) & ~(SAS_PAGE_SIZE - 1));
    out->hi = obj->base + (end & ~(SAS_PAGE_SIZE - 1));
    out->valid_until = l->expiry;
    memcpy(out->tag, c->tag, CAP_TAG_BYTES);
}

static void deny_fill(struct cap_decision *out, enum cap_reason why, const struct cap *best,
                      const struct cap_object *obj, uint64_t page)
{
    out->reason = (uint8_t)why;
    out->valid_until = UINT64_MAX;   /* time never turns a denial into a grant */
    if (why == CAP_DENY_NO_CAP) {
        out->lo = obj->base;         /* holds for every page of the object */
        out->hi = obj->base + obj->size;
        return;
    }
    out->lo = page;
    out->hi = page + SAS_PAGE_SIZE;
    memcpy(out->tag, best->tag, CAP_TAG_BYTES);
}

static void decide(struct capstore *cs, struct cs_domain *dom, const struct cap_object *obj,
                   uint64_t page, unsigned access, uint64_t now, struct cap_decision *out)
{
    enum cap_reason why = CAP_DENY_NO_CAP;
    const struct cap *best = NULL;

    memset(out, 0, sizeof *out);
    for (uint32_t i = cs_dom_lower_bound(dom, obj->base);
         i < dom->n && dom->ent[i]->cap.base == obj->base; i++) {
        out->candidates++;
        enum cap_reason r = judge(cs, dom->ent[i], obj, page - obj->base, access, now);
        if (r == CAP_ALLOWED) {
            allow_fill(out, &dom->ent[i]->cap, obj);
            return;
        }
        if (r > why) {
            why = r;
            best = &dom->ent[i]->cap;
        }
    }
    deny_fill(out, why, best, obj, page);
}

static struct cs_dce *dce_slot(struct capstore *cs, domain_id d, uint64_t base, unsigned access)
{
    uint64_t h = ((base >> 12) ^ ((uint64_t)d << 40) ^ ((uint64_t)access << 56)) *
                 0x9e3779b97f4a7c15ull;

    return &cs->dcache[(h >> 32) & (CAP_DCACHE_ENTRIES - 1)];
}

static int dce_hit(const struct capstore *cs, const struct cs_dce *c, const struct cs_domain *dom,
                   const struct cap_object *obj, uint64_t page, unsigned access, uint64_t now)
{
    return c->dom == dom->id && c->base == obj->base && c->epoch == obj->epoch &&
           c->access == access &&
           c->dom_gen == dom->gen && c->rev_gen == cs->rev_gen &&
           page >= c->d.lo && page < c->d.hi && now < c->d.valid_until;
}

enum sas_error cap_check(struct capstore *cs, domain_id d, const struct cap_object *obj,
                         uint64_t addr, unsigned access, uint64_t now,
                         struct cap_decision *out)
{
    struct cs_domain *dom = cs_dom_get(cs, d);

    if (!object_valid(obj, addr) || access == 0 || (access & ~CAP_R_ALL))
        return SAS_EINVAL;
    if (dom == NULL)
        return SAS_EDOMAIN_NOTFOUND;
    cs->stats.checks++;
    uint64_t page = addr & ~(SAS_PAGE_SIZE - 1);
    struct cs_dce *c = dce_slot(cs, d, obj->base, access);
    if (dce_hit(cs, c, dom, obj, page, access, now)) {
        cs->stats.cache_hits++;
        *out = c->d;
        out->cached = 1;
        return SAS_OK;
    }
    decide(cs, dom, obj, page, access, now, out);
    *c = (struct cs_dce){ .dom = d, .access = access, .base = obj->base, .epoch = obj->epoch,
                          .dom_gen = dom->gen, .rev_gen = cs->rev_gen, .d = *out };
    return SAS_OK;
}
