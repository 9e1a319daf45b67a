/*
 * stat.c — figures of an open store (persist_stat), for `ellfour-store stat` and the
 * page-layout measurements in docs/SAS.md.
 */
#include "store.h"

enum sas_error persist_stat(struct persist *p, struct persist_info *out)
{
    MDB_envinfo ei;
    MDB_stat ps, os;
    MDB_txn *txn;
    int rc;

    if (p->writer)
        return SAS_EBUSY;
    if ((rc = mdb_env_info(p->env, &ei)) || (rc = mdb_txn_begin(p->env, NULL, MDB_RDONLY, &txn)))
        return persist_error(rc);
    if ((rc = mdb_stat(txn, p->pages, &ps)) || (rc = mdb_stat(txn, p->objects, &os))) {
        mdb_txn_abort(txn);
        return persist_error(rc);
    }
    mdb_txn_abort(txn);
    out->format = p->format;
    out->run_pages = p->run_pages;
    out->map_size = ei.me_mapsize;
    out->used_pages = ei.me_last_pgno + 1;
    out->txnid = ei.me_last_txnid;
    out->stored_values = ps.ms_entries;
    out->lmdb_pages = ps.ms_branch_pages + ps.ms_leaf_pages + ps.ms_overflow_pages;
    out->records = os.ms_entries;
    return SAS_OK;
}
