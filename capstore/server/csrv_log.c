/*
 * csrv_log.c — the capstore server's storage backend (struct capstore_backend): it loads
 * through a source and writes nowhere. Every put and delete the library makes goes into the
 * open write transaction's list, which joins the log at commit (abort drops it); objmgr
 * takes the log's records one by one (CAPSTORE_LOG) and writes them to persist itself.
 *
 * Contract, as the library uses a backend (capstore/src/store.c):
 *  - each: only at open, before anything is written. It walks the source in key order.
 *    Once a record has been committed, the source no longer holds capstore's state (objmgr
 *    writes the log when it likes), so each refuses with SAS_ENOTSUP rather than answer
 *    from a stale store; so does get, always: the library reads nothing but at open, and
 *    a half-right answer would be worse than none.
 *  - put, del: in a write transaction only (else SAS_ESTORE_READONLY); key 1..
 *    CAPSTORE_KEY_MAX bytes and value up to CAPSTORE_VALUE_MAX (what persist's database
 *    and CAPSTORE_LOG carry; else SAS_EINVAL); SAS_EBUSY when the log is full; SAS_ENOMEM.
 *  - one write transaction at a time (SAS_EBUSY); commit cannot fail.
 */
#include <stdlib.h>
#include <string.h>
#include "csrv.h"
#include "internal.h"

/* CAPSTORE_REVSET_MAX (sas/proto/capstore.h) is what an object record of the library's
 * format holds within CAPSTORE_VALUE_MAX, and binds before the library's own limit. */
_Static_assert(OBJ_VAL_HDR + CAPSTORE_REVSET_MAX * CAP_TAG_BYTES <= CAPSTORE_VALUE_MAX &&
               OBJ_VAL_HDR + (CAPSTORE_REVSET_MAX + 1) * CAP_TAG_BYTES > CAPSTORE_VALUE_MAX &&
               CAPSTORE_REVSET_MAX < CAP_REVSET_MAX, "the revocation set the log carries");

void csrv_log_init(struct csrv_log *log, struct csrv_source src)
{
    *log = (struct csrv_log){ .src = src };
    log->tail = &log->head;
    log->txn_tail = &log->txn;
}

static unsigned free_list(struct csrv_rec *r)
{
    unsigned n = 0;
    for (struct csrv_rec *next; r; r = next, n++) {
        next = r->next;
        free(r);
    }
    return n;
}

void csrv_log_free(struct csrv_log *log)
{
    free_list(log->head);
    free_list(log->txn);
    csrv_log_init(log, log->src);
}

int csrv_log_room(const struct csrv_log *log, unsigned n)
{
    return log->n + n <= CAPSTORE_LOG_MAX;
}

struct csrv_rec *csrv_log_take(struct csrv_log *log)
{
    struct csrv_rec *r = log->head;
    if (r == NULL)
        return NULL;
    log->head = r->next;
    if (log->head == NULL)
        log->tail = &log->head;
    log->n--;
    r->next = NULL;
    return r;
}

void csrv_log_untake(struct csrv_log *log, struct csrv_rec *r)
{
    r->next = log->head;
    if (log->head == NULL)
        log->tail = &r->next;
    log->head = r;
    log->n++;
}

/* Does r write the object record of base, or a capability record of it? */
static int names_object(const struct csrv_rec *r, uint64_t base)
{
    if (r->klen == OBJ_KEY_LEN && r->bytes[0] == REC_OBJ)
        return be64_get(r->bytes + 1) == base;
    if (r->klen == CAP_KEY_LEN && r->bytes[0] == REC_CAP)
        return be64_get(r->bytes + 5) == base;
    return 0;
}

unsigned csrv_log_forget(struct csrv_log *log, uint64_t base)
{
    unsigned n = 0;
    struct csrv_rec **p = &log->head;
    log->tail = &log->head;
    while (*p) {
        struct csrv_rec *r = *p;
        if (names_object(r, base)) {
            *p = r->next;
            free(r);
            n++;
        } else {
            p = &r->next;
            log->tail = p;
        }
    }
    log->n -= n;
    log->dropped += n;
    return n;
}

/* ---- The backend ------------------------------------------------------------------ */

static const char read_txn;            /* the token a read transaction gets */

static enum sas_error lb_begin(void *ctx, int write, void **txn)
{
    struct csrv_log *log = ctx;
    if (!write) {
        *txn = (void *)&read_txn;
        return SAS_OK;
    }
    if (log->writing)
        return SAS_EBUSY;
    log->writing = 1;
    *txn = log;
    return SAS_OK;
}

static enum sas_error lb_commit(void *ctx, void *txn)
{
    struct csrv_log *log = ctx;
    if (txn != log)
        return SAS_OK;                 /* a read transaction */
    if (log->txn) {
        *log->tail = log->txn;
        log->tail = log->txn_tail;
        for (struct csrv_rec *r = log->txn; r; r = r->next)
            log->appended++;
        log->written = 1;
    }
    log->txn = NULL;
    log->txn_tail = &log->txn;
    log->writing = 0;
    return SAS_OK;
}

static void lb_abort(void *ctx, void *txn)
{
    struct csrv_log *log = ctx;
    if (txn != log)
        return;
    log->n -= free_list(log->txn);
    log->txn = NULL;
    log->txn_tail = &log->txn;
    log->writing = 0;
}

static enum sas_error lb_get(void *ctx, void *txn, const void *key, size_t klen,
                             const void **val, size_t *vlen)
{
    (void)ctx, (void)txn, (void)key, (void)klen, (void)val, (void)vlen;
    return SAS_ENOTSUP;
}

/* Appends a record to the open transaction. */
static enum sas_error append(struct csrv_log *log, void *txn, unsigned op, const void *key,
                             size_t klen, const void *val, size_t vlen)
{
    if (txn != log || !log->writing)
        return SAS_ESTORE_READONLY;
    if (klen < 1 || klen > CAPSTORE_KEY_MAX || vlen > CAPSTORE_VALUE_MAX)
        return SAS_EINVAL;
    if (!csrv_log_room(log, 1))
        return SAS_EBUSY;
    struct csrv_rec *r = malloc(sizeof *r + klen + vlen);
    if (r == NULL)
        return SAS_ENOMEM;
    *r = (struct csrv_rec){ NULL, (uint8_t)op, (uint8_t)klen, (uint16_t)vlen };
    memcpy(r->bytes, key, klen);
    if (vlen)
        memcpy(r->bytes + klen, val, vlen);
    *log->txn_tail = r;
    log->txn_tail = &r->next;
    log->n++;
    return SAS_OK;
}

static enum sas_error lb_put(void *ctx, void *txn, const void *key, size_t klen,
                             const void *val, size_t vlen)
{
    return append(ctx, txn, CAPSTORE_LOG_PUT, key, klen, val, vlen);
}

static enum sas_error lb_del(void *ctx, void *txn, const void *key, size_t klen)
{
    return append(ctx, txn, CAPSTORE_LOG_DEL, key, klen, NULL, 0);
}

/* Bytewise key order, a shorter key first when it is a prefix of the other. */
static int keycmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

static enum sas_error lb_each(void *ctx, void *txn, const void *from, size_t fromlen,
                              capstore_kv_fn fn, void *arg)
{
    struct csrv_log *log = ctx;
    struct csc_record rec;
    uint8_t last[CAPSTORE_KEY_MAX];
    size_t lastlen = 0;
    (void)txn;
    if (log->written || log->txn)
        return SAS_ENOTSUP;
    for (;;) {
        enum sas_error e = log->src.next(log->src.arg, last, lastlen, &rec);
        if (e != SAS_OK)
            return e == SAS_ENOTFOUND ? SAS_OK : e;
        /* The source must move forward: a key out of order could loop for ever. */
        if (rec.klen < 1 || rec.klen > CAPSTORE_KEY_MAX || rec.vlen > CAPSTORE_VALUE_MAX ||
            (lastlen && keycmp(rec.key, rec.klen, last, lastlen) <= 0))
            return SAS_ESTORE_CORRUPT;
        memcpy(last, rec.key, rec.klen);
        lastlen = rec.klen;
        if ((fromlen == 0 || keycmp(rec.key, rec.klen, from, fromlen) >= 0) &&
            fn(arg, rec.key, rec.klen, rec.value, rec.vlen))
            return SAS_OK;
    }
}

struct capstore_backend csrv_log_backend(struct csrv_log *log)
{
    return (struct capstore_backend){ .ctx = log, .begin = lb_begin, .commit = lb_commit,
                                      .abort = lb_abort, .get = lb_get, .put = lb_put,
                                      .del = lb_del, .each = lb_each };
}
