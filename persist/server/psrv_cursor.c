/*
 * psrv_cursor.c — the two walks the server needs that persist.h does not offer, done with
 * LMDB cursors over persist's own databases: the only file of the server that reads
 * persist's private headers. Both keep a request's cost to the entries it concerns:
 *  - the next object record (persist_record_each walks them all from the first, which
 *    would make objmgr's walk, one PERSIST_RECORD_NEXT per record, quadratic);
 *  - discarding a range (persist_pages_discard visits every run of the range, stored or
 *    not: a request for a large sparse object would hold the server for hours); here
 *    persist_pages_discard is called only on the stored runs the range overlaps.
 */
#include "run.h"
#include "psrv.h"

/* The first key >= from in dbi (8-byte big-endian keys), and its value. */
static enum sas_error next_key(struct persist_txn *t, MDB_dbi dbi, uint64_t from, uint64_t *key,
                               MDB_val *val)
{
    uint8_t k[8];
    MDB_val kv = { 8, k };
    MDB_cursor *c;
    int rc = mdb_cursor_open(t->txn, dbi, &c);

    if (rc)
        return persist_error(rc);
    key_be64(k, from);
    rc = mdb_cursor_get(c, &kv, val, MDB_SET_RANGE);
    mdb_cursor_close(c);
    if (rc)
        return persist_error(rc);
    if (kv.mv_size != 8)
        return SAS_ESTORE_CORRUPT;
    *key = be64_key(kv.mv_data);
    return SAS_OK;
}

enum sas_error psrv_record_next(struct persist_txn *t, uint64_t from, uint64_t *base,
                                const void **rec, size_t *len)
{
    MDB_val v;
    enum sas_error e = next_key(t, t->p->objects, from, base, &v);

    if (!e) {
        *rec = v.mv_data;
        *len = v.mv_size;
    }
    return e;
}

enum sas_error psrv_pages_discard(struct persist_txn *t, uint64_t addr, uint64_t n)
{
    enum sas_error e = txn_writable(t);
    uint64_t rb = run_bytes(t->p), at, end, key;
    MDB_val v;

    if (!e)
        e = run_check_range(addr, n);
    if (e)
        return e;
    end = addr + n * PG;                    /* checked: inside the object region */
    for (at = addr & ~(rb - 1); !e; at = key + rb) {
        if ((e = next_key(t, t->p->pages, at, &key, &v)))
            return e == SAS_ENOTFOUND ? SAS_OK : e;
        if (key >= end)
            break;
        uint64_t lo = key > addr ? key : addr, hi = key + rb < end ? key + rb : end;
        e = persist_pages_discard(t, lo, (hi - lo) / PG);
    }
    return e;
}
