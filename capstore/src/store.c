/*
 * store.c — opening and closing a capstore: loading every record, creating the master key
 * on first use, and the one-record write transactions every change is made of.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "internal.h"

static const uint8_t key_version[1] = { 'V' };
static const uint8_t key_master[1] = { 'K' };

enum sas_error cs_put1(struct capstore *cs, const void *key, size_t klen, const void *val,
                       size_t vlen)
{
    void *t;
    enum sas_error e = cs->be.begin(cs->be.ctx, 1, &t);

    if (e != SAS_OK)
        return e;
    e = cs->be.put(cs->be.ctx, t, key, klen, val, vlen);
    if (e != SAS_OK) {
        cs->be.abort(cs->be.ctx, t);
        return e;
    }
    return cs->be.commit(cs->be.ctx, t);
}

enum sas_error cs_del1(struct capstore *cs, const void *key, size_t klen)
{
    void *t;
    enum sas_error e = cs->be.begin(cs->be.ctx, 1, &t);

    if (e != SAS_OK)
        return e;
    e = cs->be.del(cs->be.ctx, t, key, klen);
    if (e != SAS_OK) {
        cs->be.abort(cs->be.ctx, t);
        return e;
    }
    return cs->be.commit(cs->be.ctx, t);
}

/* One stored record, by kind. Capability records ('C') sort before the domains ('D') they
 * belong to, so they are loaded in a second pass over the table. */
struct load_ctx {
    struct capstore *cs;
    int pass;
    enum sas_error err;
};

static enum sas_error load_record(struct capstore *cs, int pass, const uint8_t *k, size_t kl,
                                  const uint8_t *v, size_t vl)
{
    if (kl == 1 && k[0] == 'V') {
        uint32_t fmt;
        if (vl != 4)
            return SAS_ESTORE_CORRUPT;
        memcpy(&fmt, v, 4);
        return fmt > CAPSTORE_FORMAT ? SAS_ESTORE_VERSION : SAS_OK;
    }
    if (kl == 1 && k[0] == 'K') {
        if (vl != CAP_KEY_BYTES)
            return SAS_ESTORE_CORRUPT;
        if (pass == 0) {
            memcpy(cs->master, v, CAP_KEY_BYTES);
            cs->has_master = 1;
        }
        return SAS_OK;
    }
    if (kl == OBJ_KEY_LEN && k[0] == REC_OBJ)
        return pass == 0 ? cs_obj_load(cs, k, v, vl) : SAS_OK;
    if (kl == DOM_KEY_LEN && k[0] == REC_DOMAIN)
        return pass == 0 ? cs_dom_load(cs, k, v, vl) : SAS_OK;
    if (kl == CAP_KEY_LEN && k[0] == REC_CAP)
        return pass == 1 ? cs_dom_load_cap(cs, k, v, vl) : SAS_OK;
    return SAS_ESTORE_CORRUPT;
}

static int load_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct load_ctx *l = arg;

    l->err = load_record(l->cs, l->pass, key, klen, val, vlen);
    return l->err != SAS_OK;
}

static enum sas_error load_all(struct capstore *cs)
{
    void *t;
    struct load_ctx l = { .cs = cs, .err = SAS_OK };
    enum sas_error e = cs->be.begin(cs->be.ctx, 0, &t);

    if (e != SAS_OK)
        return e;
    for (l.pass = 0; l.pass < 2 && e == SAS_OK && l.err == SAS_OK; l.pass++)
        e = cs->be.each(cs->be.ctx, t, NULL, 0, load_one, &l);
    cs->be.abort(cs->be.ctx, t);
    if (e == SAS_OK && l.err == SAS_OK)
        cs_dom_sort_all(cs);
    return e != SAS_OK ? e : l.err;
}

/* First use: a master key from the system's randomness, stored with the format version. */
static enum sas_error create_master(struct capstore *cs)
{
    void *t;
    uint32_t fmt = CAPSTORE_FORMAT;
    enum sas_error e = cs->be.begin(cs->be.ctx, 1, &t);

    if (e != SAS_OK)
        return e;
    randombytes_buf(cs->master, CAP_KEY_BYTES);
    e = cs->be.put(cs->be.ctx, t, key_version, 1, &fmt, sizeof fmt);
    if (e == SAS_OK)
        e = cs->be.put(cs->be.ctx, t, key_master, 1, cs->master, CAP_KEY_BYTES);
    if (e != SAS_OK) {
        cs->be.abort(cs->be.ctx, t);
        return e;
    }
    e = cs->be.commit(cs->be.ctx, t);
    cs->has_master = e == SAS_OK;
    return e;
}

enum sas_error capstore_open(const struct capstore_backend *be, unsigned flags,
                             struct capstore **out)
{
    if (sodium_init() < 0)
        return SAS_EIO;                  /* no source of randomness */
    struct capstore *cs = calloc(1, sizeof *cs);
    if (cs == NULL)
        return SAS_ENOMEM;
    cs->be = *be;
    cs->flags = flags;
    enum sas_error e = load_all(cs);
    if (e == SAS_OK && !cs->has_master && !(flags & CAPSTORE_RDONLY))
        e = create_master(cs);
    if (e != SAS_OK) {
        capstore_close(cs);
        return e;
    }
    *out = cs;
    return SAS_OK;
}

void capstore_close(struct capstore *cs)
{
    if (cs == NULL)
        return;
    cs_obj_free_all(cs);
    cs_dom_free_all(cs);
    sodium_memzero(cs->master, sizeof cs->master);
    free(cs);
}

int capstore_has_key(const struct capstore *cs)
{
    return cs->has_master;
}

void capstore_stats(const struct capstore *cs, struct capstore_stats *out)
{
    *out = cs->stats;
}
