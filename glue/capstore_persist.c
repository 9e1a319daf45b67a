/*
 * capstore_persist.c — capstore's storage interface mapped one to one onto persist's
 * transactions and named-database calls; persist translates LMDB's errors.
 */
#include <glue/capstore_persist.h>

static enum sas_error pb_begin(void *ctx, int write, void **txn)
{
    struct capstore_persist *cp = ctx;

    return persist_begin(cp->p, write, (struct persist_txn **)txn);
}

static enum sas_error pb_commit(void *ctx, void *txn)
{
    (void)ctx;
    return persist_commit(txn);
}

static void pb_abort(void *ctx, void *txn)
{
    (void)ctx;
    persist_abort(txn);
}

static enum sas_error pb_get(void *ctx, void *txn, const void *key, size_t klen,
                             const void **val, size_t *vlen)
{
    return persist_db_get(txn, ((struct capstore_persist *)ctx)->db, key, klen, val, vlen);
}

static enum sas_error pb_put(void *ctx, void *txn, const void *key, size_t klen,
                             const void *val, size_t vlen)
{
    return persist_db_put(txn, ((struct capstore_persist *)ctx)->db, key, klen, val, vlen);
}

static enum sas_error pb_del(void *ctx, void *txn, const void *key, size_t klen)
{
    return persist_db_del(txn, ((struct capstore_persist *)ctx)->db, key, klen);
}

static enum sas_error pb_each(void *ctx, void *txn, const void *from, size_t fromlen,
                              capstore_kv_fn fn, void *arg)
{
    return persist_db_each(txn, ((struct capstore_persist *)ctx)->db, from, fromlen, fn, arg);
}

enum sas_error capstore_persist_attach(struct persist *p, struct capstore_persist *cp,
                                       struct capstore_backend *be)
{
    enum sas_error e = persist_db_open(p, CAPSTORE_DB_NAME, &cp->db);

    if (e != SAS_OK)
        return e;
    cp->p = p;
    *be = (struct capstore_backend){ .ctx = cp, .begin = pb_begin, .commit = pb_commit,
                                     .abort = pb_abort, .get = pb_get, .put = pb_put,
                                     .del = pb_del, .each = pb_each };
    return SAS_OK;
}
