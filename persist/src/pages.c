/*
 * pages.c — reading, writing and discarding object pages (persist.h), one run at a time
 * (run.c has the layout). A write that covers a whole run does not read the old value.
 */
#include <string.h>
#include "run.h"

/* Call step for each run that [addr, addr + n pages) touches: run base, first page, count. */
typedef enum sas_error (*run_step)(struct persist_txn *t, uint64_t base, unsigned first,
                                   unsigned cnt, const uint8_t *data, uint8_t *out);

static enum sas_error each_run(struct persist_txn *t, uint64_t addr, size_t n, run_step step,
                               const uint8_t *data, uint8_t *out)
{
    uint64_t rb = run_bytes(t->p);
    enum sas_error e = run_check_range(addr, n);

    while (!e && n) {
        uint64_t base = addr & ~(rb - 1);
        unsigned first = (unsigned)((addr - base) / PG);
        unsigned cnt = t->p->run_pages - first;
        if (cnt > n)
            cnt = (unsigned)n;
        e = step(t, base, first, cnt, data, out);
        addr += (uint64_t)cnt * PG;
        n -= cnt;
        if (data)
            data += (size_t)cnt * PG;
        if (out)
            out += (size_t)cnt * PG;
    }
    return e;
}

static enum sas_error write_step(struct persist_txn *t, uint64_t base, unsigned first,
                                 unsigned cnt, const uint8_t *data, uint8_t *out)
{
    enum sas_error e;
    (void)out;

    if (cnt == t->p->run_pages) {          /* the whole run is replaced: nothing to keep */
        if ((e = run_scratch(t)))
            return e;
        *run_dec_bits(t) = 0;
    } else if ((e = run_load(t, base))) {
        return e;
    }
    for (unsigned i = first; i < first + cnt; i++, data += PG) {
        uint64_t a = base + (uint64_t)i * PG;
        if (run_page_zero(data)) {
            *run_dec_bits(t) &= ~(1u << i);
            continue;
        }
        memcpy(run_dec_page(t, i), data, PG);
        run_csum(t->p, a, data, run_dec_csum(t, i));
        *run_dec_bits(t) |= 1u << i;
    }
    return run_store(t, base);
}

enum sas_error persist_pages_write(struct persist_txn *t, uint64_t addr, size_t n,
                                   const void *data)
{
    enum sas_error e = txn_writable(t);

    if (e)
        return e;
    if ((e = run_check_range(addr, n)))
        return e;
    e = each_run(t, addr, n, write_step, data, NULL);
    return e == SAS_ESTORE_CORRUPT ? e : txn_fail(t, e);
}

static enum sas_error discard_step(struct persist_txn *t, uint64_t base, unsigned first,
                                   unsigned cnt, const uint8_t *data, uint8_t *out)
{
    enum sas_error e;
    (void)data, (void)out;

    if (cnt == t->p->run_pages) {
        *run_dec_bits(t) = 0;
        return run_store(t, base);
    }
    if ((e = run_load(t, base)))
        return e;
    for (unsigned i = first; i < first + cnt; i++)
        *run_dec_bits(t) &= ~(1u << i);
    return run_store(t, base);
}

enum sas_error persist_pages_discard(struct persist_txn *t, uint64_t addr, size_t n)
{
    enum sas_error e = txn_writable(t);

    if (e)
        return e;
    if ((e = run_check_range(addr, n)) || (e = run_scratch(t)))
        return e;
    e = each_run(t, addr, n, discard_step, NULL, NULL);
    return e == SAS_ESTORE_CORRUPT ? e : txn_fail(t, e);
}

static enum sas_error read_step(struct persist_txn *t, uint64_t base, unsigned first,
                                unsigned cnt, const uint8_t *data, uint8_t *out)
{
    uint8_t k[8];
    MDB_val key = { 8, k }, v;
    uint32_t bits;
    enum sas_error e;
    int rc;
    (void)data;

    key_be64(k, base);
    if ((rc = mdb_get(t->txn, t->p->pages, &key, &v)) == MDB_NOTFOUND) {
        memset(out, 0, (size_t)cnt * PG);
        return SAS_OK;
    }
    if (rc)
        return persist_error(rc);
    if ((e = run_check(t->p, &v, &bits)))
        return e;
    for (unsigned i = first; i < first + cnt; i++, out += PG) {
        const uint8_t *cs, *pg;
        if (!(bits & (1u << i))) {
            memset(out, 0, PG);
            continue;
        }
        pg = run_stored_page(&v, bits, i, &cs);
        if (!run_page_ok(t->p, base + (uint64_t)i * PG, pg, cs))
            return SAS_ESTORE_CORRUPT;
        memcpy(out, pg, PG);
    }
    return SAS_OK;
}

enum sas_error persist_pages_read(struct persist_txn *t, uint64_t addr, size_t n, void *out)
{
    return each_run(t, addr, n, read_step, NULL, out);
}

/* Report every page of one stored value (or the value itself, if its layout is bad). */
static int each_value(struct persist_txn *t, const MDB_val *k, const MDB_val *v,
                      persist_page_fn fn, void *arg)
{
    uint64_t base = k->mv_size == 8 ? be64_key(k->mv_data) : UINT64_MAX;
    uint32_t bits;

    if (k->mv_size != 8 || base % run_bytes(t->p) || run_check(t->p, v, &bits))
        return fn(arg, base, NULL, SAS_ESTORE_CORRUPT);
    for (unsigned i = 0; i < t->p->run_pages; i++) {
        const uint8_t *cs, *pg;
        uint64_t a = base + (uint64_t)i * PG;
        if (!(bits & (1u << i)))
            continue;
        pg = run_stored_page(v, bits, i, &cs);
        int ok = run_page_ok(t->p, a, pg, cs);
        if (fn(arg, a, ok ? pg : NULL, ok ? SAS_OK : SAS_ESTORE_CORRUPT))
            return 1;
    }
    return 0;
}

enum sas_error persist_pages_each(struct persist_txn *t, persist_page_fn fn, void *arg)
{
    MDB_cursor *c;
    MDB_val k, v;
    int rc = mdb_cursor_open(t->txn, t->p->pages, &c);

    if (rc)
        return persist_error(rc);
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
        if (each_value(t, &k, &v, fn, arg))
            break;
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND || rc == 0 ? SAS_OK : persist_error(rc);
}
