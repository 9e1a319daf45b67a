/*
 * kv.c — key/value access shared by the object records, the metadata and other modules'
 * named databases. One put/get/del/each underneath all three, so their error handling is
 * written once.
 */
#include <string.h>
#include "store.h"

static int reserved_name(const char *name)
{
    return !strcmp(name, "pages") || !strcmp(name, "objects") || !strcmp(name, "meta");
}

enum sas_error persist_db_open(struct persist *p, const char *name, persist_db *out)
{
    MDB_txn *txn;
    MDB_dbi dbi;
    int rc;

    if (!name || !*name || reserved_name(name))
        return SAS_EINVAL;
    if (p->writer || p->readers)
        return SAS_EBUSY;
    if ((rc = mdb_txn_begin(p->env, NULL, p->rdonly ? MDB_RDONLY : 0, &txn)))
        return persist_error(rc);
    if ((rc = mdb_dbi_open(txn, name, p->rdonly ? 0 : MDB_CREATE, &dbi))) {
        mdb_txn_abort(txn);
        return persist_error(rc);
    }
    if ((rc = mdb_txn_commit(txn)))
        return persist_error(rc);
    *out = dbi;
    return SAS_OK;
}

static enum sas_error kv_get(struct persist_txn *t, MDB_dbi dbi, const void *key, size_t klen,
                             const void **val, size_t *vlen)
{
    MDB_val k = { klen, (void *)key }, v;
    int rc;

    if (!klen || klen > 511)
        return SAS_EINVAL;
    if ((rc = mdb_get(t->txn, dbi, &k, &v)))
        return persist_error(rc);
    *val = v.mv_data;
    *vlen = v.mv_size;
    return SAS_OK;
}

static enum sas_error kv_put(struct persist_txn *t, MDB_dbi dbi, const void *key, size_t klen,
                             const void *val, size_t vlen)
{
    MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
    enum sas_error e = txn_writable(t);

    if (e)
        return e;
    if (!klen || klen > 511)
        return SAS_EINVAL;
    return txn_fail(t, persist_error(mdb_put(t->txn, dbi, &k, &v, 0)));
}

static enum sas_error kv_del(struct persist_txn *t, MDB_dbi dbi, const void *key, size_t klen)
{
    MDB_val k = { klen, (void *)key };
    enum sas_error e = txn_writable(t);

    if (e)
        return e;
    if (!klen || klen > 511)
        return SAS_EINVAL;
    e = persist_error(mdb_del(t->txn, dbi, &k, NULL));
    return e == SAS_ENOTFOUND ? e : txn_fail(t, e);   /* a missing key changes nothing */
}

static enum sas_error kv_each(struct persist_txn *t, MDB_dbi dbi, const void *from,
                              size_t fromlen, persist_kv_fn fn, void *arg)
{
    MDB_cursor *c;
    MDB_val k = { fromlen, (void *)from }, v;
    int rc = mdb_cursor_open(t->txn, dbi, &c);

    if (rc)
        return persist_error(rc);
    rc = mdb_cursor_get(c, &k, &v, from ? MDB_SET_RANGE : MDB_FIRST);
    while (!rc) {
        if (fn(arg, k.mv_data, k.mv_size, v.mv_data, v.mv_size))
            break;
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? SAS_OK : persist_error(rc);
}

/* Other modules' databases. */
enum sas_error persist_db_get(struct persist_txn *t, persist_db db, const void *key,
                              size_t klen, const void **val, size_t *vlen)
{
    return kv_get(t, db, key, klen, val, vlen);
}

enum sas_error persist_db_put(struct persist_txn *t, persist_db db, const void *key,
                              size_t klen, const void *val, size_t vlen)
{
    return kv_put(t, db, key, klen, val, vlen);
}

enum sas_error persist_db_del(struct persist_txn *t, persist_db db, const void *key,
                              size_t klen)
{
    return kv_del(t, db, key, klen);
}

enum sas_error persist_db_each(struct persist_txn *t, persist_db db, const void *from,
                               size_t fromlen, persist_kv_fn fn, void *arg)
{
    if (from && !fromlen)
        return SAS_EINVAL;
    return kv_each(t, db, from, fromlen, fn, arg);
}

/* Copy a value out: the common shape of record and metadata reads. */
static enum sas_error get_copy(struct persist_txn *t, MDB_dbi dbi, const void *key,
                               size_t klen, void *val, size_t cap, size_t *len)
{
    const void *v = NULL;
    size_t vlen = 0;
    enum sas_error e = kv_get(t, dbi, key, klen, &v, &vlen);

    if (e)
        return e;
    memcpy(val, v, vlen < cap ? vlen : cap);
    *len = vlen;
    return SAS_OK;
}

/* Object records. */
enum sas_error persist_record_put(struct persist_txn *t, uint64_t base, const void *rec,
                                  size_t len)
{
    uint8_t k[8];

    if (!len || len > 1024)
        return SAS_EINVAL;
    key_be64(k, base);
    return kv_put(t, t->p->objects, k, 8, rec, len);
}

enum sas_error persist_record_get(struct persist_txn *t, uint64_t base, void *rec, size_t cap,
                                  size_t *len)
{
    uint8_t k[8];

    key_be64(k, base);
    return get_copy(t, t->p->objects, k, 8, rec, cap, len);
}

enum sas_error persist_record_del(struct persist_txn *t, uint64_t base)
{
    uint8_t k[8];

    key_be64(k, base);
    return kv_del(t, t->p->objects, k, 8);
}

struct rec_walk {
    persist_record_fn fn;
    void *arg;
};

static int rec_step(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct rec_walk *w = arg;
    /* A key of the wrong length is damage; report it with an impossible base. */
    uint64_t base = klen == 8 ? be64_key(key) : UINT64_MAX;
    return w->fn(w->arg, base, val, vlen);
}

enum sas_error persist_record_each(struct persist_txn *t, persist_record_fn fn, void *arg)
{
    struct rec_walk w = { fn, arg };
    return kv_each(t, t->p->objects, NULL, 0, rec_step, &w);
}

/* Metadata. */
enum sas_error meta_get_raw(struct persist_txn *t, const char *key, void *val, size_t cap,
                            size_t *len)
{
    return get_copy(t, t->p->meta, key, strlen(key), val, cap, len);
}

enum sas_error meta_put_raw(struct persist_txn *t, const char *key, const void *val,
                            size_t len)
{
    return kv_put(t, t->p->meta, key, strlen(key), val, len);
}

static int own_key(const char *key)
{
    return !strncmp(key, "persist.", 8);
}

enum sas_error persist_meta_get(struct persist_txn *t, const char *key, void *val, size_t cap,
                                size_t *len)
{
    return meta_get_raw(t, key, val, cap, len);
}

enum sas_error persist_meta_put(struct persist_txn *t, const char *key, const void *val,
                                size_t len)
{
    if (!key || own_key(key))
        return SAS_EINVAL;
    return meta_put_raw(t, key, val, len);
}

enum sas_error persist_meta_get_u64(struct persist_txn *t, const char *key, uint64_t *val)
{
    uint8_t b[8];
    size_t len;
    enum sas_error e = persist_meta_get(t, key, b, sizeof b, &len);

    if (!e && len != 8)
        return SAS_ESTORE_CORRUPT;
    if (!e)
        *val = be64_key(b);
    return e;
}

enum sas_error persist_meta_put_u64(struct persist_txn *t, const char *key, uint64_t val)
{
    uint8_t b[8];

    key_be64(b, val);
    return persist_meta_put(t, key, b, sizeof b);
}
