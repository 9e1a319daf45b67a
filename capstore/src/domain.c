/*
 * domain.c — persistent, named protection domains and their capability lists (Mungi's
 * APD with one list). A list is kept sorted by (base, tag) so that the check finds an
 * object's capabilities by binary search, and each entry remembers whether its tag has
 * been verified against the object's current epoch and revocation set.
 */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

struct cs_domain *cs_dom_get(struct capstore *cs, domain_id d)
{
    return d >= 1 && d <= cs->ndoms ? &cs->doms[d - 1] : NULL;
}

static int name_valid(const char *name)
{
    size_t n = 0;

    for (; name[n] != '\0'; n++) {
        char ch = name[n];
        if (n >= CAP_DOMAIN_NAME_MAX ||
            !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return n > 0;
}

static enum sas_error doms_reserve(struct capstore *cs)
{
    if (cs->ndoms < cs->doms_cap)
        return SAS_OK;
    uint32_t ncap = cs->doms_cap ? cs->doms_cap * 2 : 8;
    struct cs_domain *d = realloc(cs->doms, ncap * sizeof *d);
    if (d == NULL)
        return SAS_ENOMEM;
    cs->doms = d;
    cs->doms_cap = ncap;
    return SAS_OK;
}

static size_t dom_encode(const struct cs_domain *d, uint8_t locked, uint8_t *val)
{
    size_t n = strlen(d->name);

    val[0] = locked;
    val[1] = (uint8_t)n;
    memcpy(val + 2, d->name, n);
    return 2 + n;
}

static void dom_key(domain_id id, uint8_t key[DOM_KEY_LEN])
{
    key[0] = REC_DOMAIN;
    be32_put(key + 1, id);
}

/* Append a domain in memory; doms_reserve has made room. */
static struct cs_domain *dom_append(struct capstore *cs, domain_id id, const char *name,
                                    size_t n, uint8_t locked)
{
    struct cs_domain *d = &cs->doms[cs->ndoms++];

    memset(d, 0, sizeof *d);
    d->id = id;
    d->locked = locked;
    memcpy(d->name, name, n);
    d->gen = ++cs->next_gen;
    return d;
}

enum sas_error domain_create(struct capstore *cs, const char *name, domain_id *out)
{
    uint8_t key[DOM_KEY_LEN], val[2 + CAP_DOMAIN_NAME_MAX];
    domain_id dummy;

    if (!name_valid(name))
        return SAS_EINVAL;
    if (domain_find(cs, name, &dummy) == SAS_OK)
        return SAS_EDOMAIN_EXISTS;
    if (cs->flags & CAPSTORE_RDONLY)
        return SAS_ESTORE_READONLY;
    enum sas_error e = doms_reserve(cs);
    if (e != SAS_OK)
        return e;
    struct cs_domain tmp = { .id = cs->ndoms + 1 };
    strcpy(tmp.name, name);
    dom_key(tmp.id, key);
    e = cs_put1(cs, key, sizeof key, val, dom_encode(&tmp, 0, val));
    if (e != SAS_OK)
        return e;
    dom_append(cs, tmp.id, name, strlen(name), 0);
    *out = tmp.id;
    return SAS_OK;
}

enum sas_error domain_find(struct capstore *cs, const char *name, domain_id *out)
{
    for (uint32_t i = 0; i < cs->ndoms; i++)
        if (strcmp(cs->doms[i].name, name) == 0) {
            *out = cs->doms[i].id;
            return SAS_OK;
        }
    return SAS_EDOMAIN_NOTFOUND;
}

enum sas_error domain_info(struct capstore *cs, domain_id d, struct domain_info *out)
{
    struct cs_domain *dom = cs_dom_get(cs, d);

    if (dom == NULL)
        return SAS_EDOMAIN_NOTFOUND;
    out->id = dom->id;
    out->locked = dom->locked;
    out->ncaps = dom->n;
    memcpy(out->name, dom->name, sizeof out->name);
    return SAS_OK;
}

enum sas_error domain_lock(struct capstore *cs, domain_id d)
{
    uint8_t key[DOM_KEY_LEN], val[2 + CAP_DOMAIN_NAME_MAX];
    struct cs_domain *dom = cs_dom_get(cs, d);

    if (dom == NULL)
        return SAS_EDOMAIN_NOTFOUND;
    if (dom->locked)
        return SAS_OK;
    if (cs->flags & CAPSTORE_RDONLY)
        return SAS_ESTORE_READONLY;
    dom_key(d, key);
    enum sas_error e = cs_put1(cs, key, sizeof key, val, dom_encode(dom, 1, val));
    if (e != SAS_OK)
        return e;
    dom->locked = 1;
    return SAS_OK;
}

uint32_t cs_dom_lower_bound(const struct cs_domain *dom, uint64_t base)
{
    uint32_t lo = 0, hi = dom->n;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (dom->ent[mid]->cap.base < base)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Where c is, or would go, in dom's list; *found says whether it is there. */
static uint32_t entry_pos(const struct cs_domain *dom, const struct cap *c, int *found)
{
    uint32_t i = cs_dom_lower_bound(dom, c->base);

    for (; i < dom->n && dom->ent[i]->cap.base == c->base; i++) {
        int cmp = memcmp(dom->ent[i]->cap.tag, c->tag, CAP_TAG_BYTES);
        if (cmp >= 0) {
            *found = cmp == 0;
            return i;
        }
    }
    *found = 0;
    return i;
}

static void cap_key(domain_id d, const struct cap *c, uint8_t key[CAP_KEY_LEN])
{
    key[0] = REC_CAP;
    be32_put(key + 1, d);
    be64_put(key + 5, c->base);
    memcpy(key + 13, c->tag, CAP_TAG_BYTES);
}

static enum sas_error ent_reserve(struct cs_domain *dom)
{
    if (dom->n < dom->cap)
        return SAS_OK;
    uint32_t ncap = dom->cap ? dom->cap * 2 : 8;
    struct cs_entry **e = realloc(dom->ent, ncap * sizeof *e);
    if (e == NULL)
        return SAS_ENOMEM;
    dom->ent = e;
    dom->cap = ncap;
    return SAS_OK;
}

/* Put ent at position i of dom's list; ent_reserve has made room. */
static void ent_insert(struct cs_domain *dom, uint32_t i, struct cs_entry *ent)
{
    memmove(&dom->ent[i + 1], &dom->ent[i], (dom->n - i) * sizeof *dom->ent);
    dom->ent[i] = ent;
    dom->n++;
}

enum sas_error domain_add(struct capstore *cs, domain_id d, const struct cap *c, uint64_t now)
{
    uint8_t key[CAP_KEY_LEN];
    struct cs_obj *o;
    int found;
    struct cs_domain *dom = cs_dom_get(cs, d);

    if (dom == NULL)
        return SAS_EDOMAIN_NOTFOUND;
    if (dom->locked)
        return SAS_EDOMAIN_LOCKED;
    enum sas_error e = cs_authenticate(cs, c, &o);
    if (e != SAS_OK)
        return e;
    if (now >= cap_last(c)->expiry)
        return SAS_ECAP_EXPIRED;
    uint32_t i = entry_pos(dom, c, &found);
    if (found)
        return SAS_OK;
    if (cs->flags & CAPSTORE_RDONLY)
        return SAS_ESTORE_READONLY;
    struct cs_entry *ent = malloc(sizeof *ent);
    if (ent == NULL || (e = ent_reserve(dom)) != SAS_OK) {
        free(ent);
        return SAS_ENOMEM;
    }
    cap_key(d, c, key);
    if ((e = cs_put1(cs, key, sizeof key, c, sizeof *c)) != SAS_OK) {
        free(ent);
        return e;
    }
    ent->cap = *c;
    ent->ok_gen = o->gen;
    ent->bad_gen = 0;
    ent_insert(dom, i, ent);
    dom->gen = ++cs->next_gen;
    return SAS_OK;
}

/* Entry i of dom leaves the list and the store (one record deleted). */
static enum sas_error entry_drop(struct capstore *cs, struct cs_domain *dom, uint32_t i)
{
    uint8_t key[CAP_KEY_LEN];

    cap_key(dom->id, &dom->ent[i]->cap, key);
    enum sas_error e = cs_del1(cs, key, sizeof key);
    if (e != SAS_OK)
        return e;
    free(dom->ent[i]);
    memmove(&dom->ent[i], &dom->ent[i + 1], (dom->n - i - 1) * sizeof *dom->ent);
    dom->n--;
    dom->gen = ++cs->next_gen;
    return SAS_OK;
}

enum sas_error domain_remove(struct capstore *cs, domain_id d, const struct cap *c)
{
    int found;
    struct cs_domain *dom = cs_dom_get(cs, d);

    if (dom == NULL)
        return SAS_EDOMAIN_NOTFOUND;
    uint32_t i = entry_pos(dom, c, &found);
    if (!found)
        return SAS_ENOTFOUND;
    if (cs->flags & CAPSTORE_RDONLY)
        return SAS_ESTORE_READONLY;
    return entry_drop(cs, dom, i);
}

enum sas_error domain_remove_base(struct capstore *cs, uint64_t base)
{
    if (cs->flags & CAPSTORE_RDONLY)
        return SAS_ESTORE_READONLY;
    for (uint32_t k = 0; k < cs->ndoms; k++) {
        struct cs_domain *dom = &cs->doms[k];
        uint32_t i = cs_dom_lower_bound(dom, base);
        while (i < dom->n && dom->ent[i]->cap.base == base) {
            enum sas_error e = entry_drop(cs, dom, i);
            if (e != SAS_OK)
                return e;
        }
    }
    return SAS_OK;
}

enum sas_error domain_each(struct capstore *cs,
                           int (*fn)(void *arg, const struct domain_info *d), void *arg)
{
    struct domain_info info;

    for (uint32_t i = 0; i < cs->ndoms; i++) {
        domain_info(cs, cs->doms[i].id, &info);
        if (fn(arg, &info))
            break;
    }
    return SAS_OK;
}

enum sas_error domain_caps_each(struct capstore *cs, domain_id d,
                                int (*fn)(void *arg, const struct cap *c), void *arg)
{
    struct cs_domain *dom = cs_dom_get(cs, d);

    if (dom == NULL)
        return SAS_EDOMAIN_NOTFOUND;
    for (uint32_t i = 0; i < dom->n; i++)
        if (fn(arg, &dom->ent[i]->cap))
            break;
    return SAS_OK;
}

/* ---- Loading ---------------------------------------------------------------------- */

enum sas_error cs_dom_load(struct capstore *cs, const uint8_t *key, const uint8_t *val,
                        size_t vlen)
{
    char name[CAP_DOMAIN_NAME_MAX + 1] = { 0 };
    domain_id id = be32_get(key + 1), dummy;

    /* Ids are dense and stored in order: the next record must be the next id. */
    if (id != cs->ndoms + 1 || vlen < 3 || val[0] > 1 || val[1] != vlen - 2 ||
        val[1] > CAP_DOMAIN_NAME_MAX)
        return SAS_ESTORE_CORRUPT;
    memcpy(name, val + 2, val[1]);
    if (!name_valid(name) || domain_find(cs, name, &dummy) == SAS_OK)
        return SAS_ESTORE_CORRUPT;
    enum sas_error e = doms_reserve(cs);
    if (e != SAS_OK)
        return e;
    dom_append(cs, id, name, val[1], val[0]);
    return SAS_OK;
}

/* Stored order is (domain, base, tag): each capability appends to its domain's list. The
 * tag is not checked here: the entry starts unverified and the check verifies it, so a
 * damaged record denies access through that one capability instead of the whole store. */
enum sas_error cs_dom_load_cap(struct capstore *cs, const uint8_t *key, const uint8_t *val,
                            size_t vlen)
{
    struct cs_domain *dom = cs_dom_get(cs, be32_get(key + 1));
    struct cs_entry *ent;

    if (dom == NULL || vlen != sizeof(struct cap))
        return SAS_ESTORE_CORRUPT;
    if (ent_reserve(dom) != SAS_OK || (ent = malloc(sizeof *ent)) == NULL)
        return SAS_ENOMEM;
    memcpy(&ent->cap, val, sizeof ent->cap);
    ent->ok_gen = ent->bad_gen = 0;
    dom->ent[dom->n++] = ent;
    return SAS_OK;
}

static int ent_cmp(const void *a, const void *b)
{
    const struct cap *x = &(*(struct cs_entry *const *)a)->cap;
    const struct cap *y = &(*(struct cs_entry *const *)b)->cap;

    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    return memcmp(x->tag, y->tag, CAP_TAG_BYTES);
}

/* A value altered on disk no longer matches its key's place: restore the list's order. */
void cs_dom_sort_all(struct capstore *cs)
{
    for (uint32_t i = 0; i < cs->ndoms; i++) {
        struct cs_domain *dom = &cs->doms[i];
        for (uint32_t j = 1; j < dom->n; j++)
            if (ent_cmp(&dom->ent[j - 1], &dom->ent[j]) > 0) {
                qsort(dom->ent, dom->n, sizeof *dom->ent, ent_cmp);
                break;
            }
    }
}

void cs_dom_free_all(struct capstore *cs)
{
    for (uint32_t i = 0; i < cs->ndoms; i++) {
        for (uint32_t j = 0; j < cs->doms[i].n; j++)
            free(cs->doms[i].ent[j]);
        free(cs->doms[i].ent);
    }
    free(cs->doms);
    cs->doms = NULL;
    cs->ndoms = cs->doms_cap = 0;
}
