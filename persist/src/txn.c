/*
 * txn.c — transactions. persist enforces LMDB's rules that MDB_NOLOCK leaves to the
 * caller: one write transaction at a time, and no write transaction begins while a read
 * transaction is open (without the lock file LMDB cannot see readers, and the writer
 * could reuse pages an older reader still looks at).
 */
#include <stdlib.h>
#include "store.h"

enum sas_error persist_begin(struct persist *p, int write, struct persist_txn **out)
{
    struct persist_txn *t;
    int rc;

    if (write && p->rdonly)
        return SAS_ESTORE_READONLY;
    if (write && (p->writer || p->readers))
        return SAS_EBUSY;
    if (!(t = calloc(1, sizeof *t)))
        return SAS_ENOMEM;
    if ((rc = mdb_txn_begin(p->env, NULL, write ? 0 : MDB_RDONLY, &t->txn))) {
        free(t);
        return persist_error(rc);
    }
    t->p = p;
    t->write = !!write;
    if (write)
        p->writer = 1;
    else
        p->readers++;
    *out = t;
    return SAS_OK;
}

static void txn_free(struct persist_txn *t)
{
    if (t->write)
        t->p->writer = 0;
    else
        t->p->readers--;
    free(t->run);
    free(t);
}

void persist_abort(struct persist_txn *t)
{
    if (!t)
        return;
    mdb_txn_abort(t->txn);
    txn_free(t);
}

enum sas_error persist_commit(struct persist_txn *t)
{
    enum sas_error e = t->err;

    if (e)
        mdb_txn_abort(t->txn);
    else
        e = persist_error(mdb_txn_commit(t->txn));   /* LMDB frees the txn either way */
    txn_free(t);
    return e;
}

enum sas_error txn_fail(struct persist_txn *t, enum sas_error e)
{
    if (e && t->write && !t->err)
        t->err = e;
    return e;
}

enum sas_error txn_writable(struct persist_txn *t)
{
    if (!t->write)
        return SAS_ESTORE_READONLY;
    return t->err;
}

void key_be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

uint64_t be64_key(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | in[i];
    return v;
}
