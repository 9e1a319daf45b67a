/*
 * objtab.c — capstore's object records (epoch, revocation set, cached object key) in an
 * open-addressing hash table keyed by base address: the check path finds one in a probe
 * or two, whatever the number of objects.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sas/layout.h>
#include "internal.h"

int cs_base_valid(uint64_t base)
{
    return base % SAS_PAGE_SIZE == 0 && base >= SAS_OBJECT_BASE && base < SAS_OBJECT_END;
}

static size_t slot_of(uint64_t base, size_t cap)
{
    uint64_t h = (base >> 12) * 0x9e3779b97f4a7c15ull;   /* Fibonacci hashing */
    return (size_t)(h >> 24) & (cap - 1);
}

struct cs_obj *cs_obj_find(struct capstore *cs, uint64_t base)
{
    if (cs->objs_cap == 0)
        return NULL;
    for (size_t i = slot_of(base, cs->objs_cap);; i = (i + 1) & (cs->objs_cap - 1)) {
        if (cs->objs[i].base == base)
            return &cs->objs[i];
        if (cs->objs[i].base == 0)
            return NULL;
    }
}

static struct cs_obj *slot_for_insert(struct cs_obj *tab, size_t cap, uint64_t base)
{
    size_t i = slot_of(base, cap);

    while (tab[i].base != 0)
        i = (i + 1) & (cap - 1);
    return &tab[i];
}

/* Keep the load factor at most 1/2 so that probes stay short. Moves records. */
enum sas_error cs_obj_reserve(struct capstore *cs)
{
    if ((cs->objs_n + 1) * 2 <= cs->objs_cap)
        return SAS_OK;
    size_t ncap = cs->objs_cap ? cs->objs_cap * 2 : 64;
    struct cs_obj *tab = calloc(ncap, sizeof *tab);
    if (tab == NULL)
        return SAS_ENOMEM;
    for (size_t i = 0; i < cs->objs_cap; i++)
        if (cs->objs[i].base != 0)
            *slot_for_insert(tab, ncap, cs->objs[i].base) = cs->objs[i];
    free(cs->objs);
    cs->objs = tab;
    cs->objs_cap = ncap;
    return SAS_OK;
}

struct cs_obj *cs_obj_insert(struct capstore *cs, uint64_t base)
{
    struct cs_obj *o = slot_for_insert(cs->objs, cs->objs_cap, base);

    memset(o, 0, sizeof *o);
    o->base = base;
    o->gen = ++cs->next_gen;
    cs->objs_n++;
    return o;
}

void cs_obj_key(struct capstore *cs, struct cs_obj *o)
{
    if (!o->has_key) {
        cap_object_key(cs->master, o->base, o->key);
        o->has_key = 1;
    }
}

size_t cs_obj_encode(uint64_t epoch, uint32_t rgen, uint32_t nrev,
                  const uint8_t (*rev)[CAP_TAG_BYTES], const uint8_t *extra, uint8_t *out)
{
    uint32_t n = nrev + (extra != NULL);

    memcpy(out, &epoch, 8);
    memcpy(out + 8, &rgen, 4);
    memcpy(out + 12, &n, 4);
    if (nrev)
        memcpy(out + OBJ_VAL_HDR, rev, (size_t)nrev * CAP_TAG_BYTES);
    if (extra)
        memcpy(out + OBJ_VAL_HDR + (size_t)nrev * CAP_TAG_BYTES, extra, CAP_TAG_BYTES);
    return OBJ_VAL_HDR + (size_t)n * CAP_TAG_BYTES;
}

enum sas_error cs_obj_load(struct capstore *cs, const uint8_t *key, const uint8_t *val,
                        size_t vlen)
{
    uint64_t epoch;
    uint32_t rgen, n;

    if (vlen < OBJ_VAL_HDR)
        return SAS_ESTORE_CORRUPT;
    memcpy(&epoch, val, 8);
    memcpy(&rgen, val + 8, 4);
    memcpy(&n, val + 12, 4);
    uint64_t base = be64_get(key + 1);
    if (!cs_base_valid(base) || epoch == 0 || rgen == 0 || n > CAP_REVSET_MAX ||
        vlen != OBJ_VAL_HDR + (size_t)n * CAP_TAG_BYTES || cs_obj_find(cs, base) != NULL)
        return SAS_ESTORE_CORRUPT;
    enum sas_error e = cs_obj_reserve(cs);
    if (e != SAS_OK)
        return e;
    uint8_t (*rev)[CAP_TAG_BYTES] = NULL;
    if (n && (rev = malloc(CAP_REVSET_MAX * CAP_TAG_BYTES)) == NULL)
        return SAS_ENOMEM;
    struct cs_obj *o = cs_obj_insert(cs, base);
    o->epoch = epoch;
    o->rgen = rgen;
    o->nrev = n;
    o->rev = rev;
    if (n)
        memcpy(rev, val + OBJ_VAL_HDR, (size_t)n * CAP_TAG_BYTES);
    return SAS_OK;
}

void cs_obj_free_all(struct capstore *cs)
{
    for (size_t i = 0; i < cs->objs_cap; i++) {
        free(cs->objs[i].rev);
        sodium_memzero(cs->objs[i].key, sizeof cs->objs[i].key);
    }
    free(cs->objs);
    cs->objs = NULL;
    cs->objs_n = cs->objs_cap = 0;
}
