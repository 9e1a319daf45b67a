/*
 * psrv_ops.c — the requests of sas/proto/persist.h as plain functions over struct psrv
 * (psrv.h). Each first checks its sender (before reading a word of the request), then
 * decodes and checks every word, then makes one call into persist and fills one reply.
 * No IPC: the page of a page request is at s->window, words past MR7 at s->hi, root and
 * the kernel behind psrv_lookup and psrv_alive. The label table, psrv_ops, is at the end,
 * so that the host test dispatches through the server's own.
 */
#include <string.h>
#include <sas/proto/root.h>
#include "psrv.h"

enum { OBJMGR = 1, CAPSTORE = 2 };         /* who may make a request */

/* What the cached id `known` says of `from`: 1 it is that client's (a thread of its task),
 * 0 it is not (and the client is still there), -1 ask root (never known, or gone). Only a
 * sender other than the very thread root named costs the kernel's word on liveness. */
static int cached(l4_threadid_t known, l4_threadid_t from)
{
    if (l4_tid_is_nil(known))
        return -1;
    if (from == known)
        return 1;
    if (!psrv_alive(known))
        return -1;
    return l4_tid_same_task(from, known);
}

/* Asks root for service svc's id again, caches it in *known; 1 if `from` is of its task. */
static int looked_up(struct psrv *s, l4_threadid_t *known, unsigned svc, l4_threadid_t from)
{
    l4_threadid_t id = psrv_lookup(svc);
    if (known == &s->objmgr && id != *known && s->txn) {
        persist_abort(s->txn);             /* the objmgr that opened it is gone */
        s->txn = NULL;
    }
    *known = id;
    return !l4_tid_is_nil(id) && l4_tid_same_task(from, id);
}

/* 1 if the sender is one of the clients `who` may be. The caches are tried first, so a
 * known client never waits for root on account of the other one. */
static int allowed(struct psrv *s, const struct server_msg *msg, unsigned who)
{
    int o = who & OBJMGR ? cached(s->objmgr, msg->from) : 0;
    int c = who & CAPSTORE ? cached(s->capstore, msg->from) : 0;
    if (o == 1 || c == 1)
        return 1;
    return (o < 0 && looked_up(s, &s->objmgr, ROOT_SERVICE_OBJMGR, msg->from)) ||
           (c < 0 && looked_up(s, &s->capstore, ROOT_SERVICE_CAPSTORE, msg->from));
}

/* The answer to a sender that may not make the request: nothing read, nothing changed. */
static enum server_action refused(struct server_msg *msg)
{
    return server_reply(msg, SAS_EPERM, 0, 0);
}

static unsigned u_of(const struct server_msg *msg) { return l4_msgtag_u(msg->tag); }

/* The transaction a read goes through: the open write transaction, else one of its own
 * (*own set: end it with read_done). */
static enum sas_error read_txn(struct psrv *s, struct persist_txn **t, int *own)
{
    *own = !s->txn;
    if (s->txn) {
        *t = s->txn;
        return SAS_OK;
    }
    return persist_begin(s->p, 0, t);
}

static void read_done(struct persist_txn *t, int own)
{
    if (own)
        persist_abort(t);
}

/* ---- transactions ---- */

static enum server_action op_begin(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    if (!allowed(s, msg, OBJMGR))
        return refused(msg);
    if (u_of(msg))
        return server_reply(msg, SAS_EINVAL, 0, 0);
    if (s->txn)
        return server_reply(msg, SAS_EBUSY, 0, 0);
    return server_reply(msg, persist_begin(s->p, 1, &s->txn), 0, 0);
}

static enum server_action op_commit(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    if (!allowed(s, msg, OBJMGR))
        return refused(msg);
    if (u_of(msg) || !s->txn)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    enum sas_error e = persist_commit(s->txn);
    s->txn = NULL;
    return server_reply(msg, e, 0, 0);
}

static enum server_action op_abort(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    if (!allowed(s, msg, OBJMGR))
        return refused(msg);
    if (u_of(msg) || !s->txn)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    persist_abort(s->txn);
    s->txn = NULL;
    return server_reply(msg, SAS_OK, 0, 0);
}

/* ---- pages ---- */

/* A page request's words: MR0 = a page-aligned address, and one map item. */
static int page_request(const struct server_msg *msg)
{
    return u_of(msg) == 1 && l4_msgtag_t_words(msg->tag) == 2 &&
           !(msg->m->w[0] % PERSIST_PAGE);
}

static enum server_action op_page_write(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    if (!allowed(s, msg, OBJMGR))
        return refused(msg);
    if (!page_request(msg) || !s->txn)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    return server_reply(msg, persist_pages_write(s->txn, msg->m->w[0], 1, s->window), 0, 0);
}

static enum server_action op_page_read(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    struct persist_txn *t;
    int own;
    if (!allowed(s, msg, OBJMGR))
        return refused(msg);
    if (!page_request(msg))
        return server_reply(msg, SAS_EINVAL, 0, 0);
    enum sas_error e = read_txn(s, &t, &own);
    if (!e) {
        e = persist_pages_read(t, msg->m->w[0], 1, s->window);
        read_done(t, own);
    }
    return server_reply(msg, e, 0, 0);
}

static enum server_action op_pages_discard(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    if (!allowed(s, msg, OBJMGR))
        return refused(msg);
    if (u_of(msg) != 2 || !s->txn)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    return server_reply(msg, psrv_pages_discard(s->txn, msg->m->w[0], msg->m->w[1]), 0, 0);
}

/* ---- object records ---- */

static enum server_action op_record_put(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    uint8_t rec[PERSIST_RECORD_MAX];
    if (!allowed(s, msg, OBJMGR))
        return refused(msg);
    uint64_t len = u_of(msg) >= 2 ? msg->m->w[1] : 0;
    if (!len || len > PERSIST_RECORD_MAX || u_of(msg) != 2 + persist_words(len) || !s->txn)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    persist_unpack(msg->m, s->hi, 2, rec, len);
    return server_reply(msg, persist_record_put(s->txn, msg->m->w[0], rec, len), 0, 0);
}

static enum server_action op_record_del(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    if (!allowed(s, msg, OBJMGR))
        return refused(msg);
    if (u_of(msg) != 1 || !s->txn)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    return server_reply(msg, persist_record_del(s->txn, msg->m->w[0]), 0, 0);
}

static enum server_action op_record_next(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    struct persist_txn *t;
    const void *rec;
    uint64_t base;
    size_t len;
    int own;
    if (!allowed(s, msg, OBJMGR))
        return refused(msg);
    if (u_of(msg) != 1)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    enum sas_error e = read_txn(s, &t, &own);
    if (e)
        return server_reply(msg, e, 0, 0);
    if ((e = psrv_record_next(t, msg->m->w[0], &base, &rec, &len))) {
        read_done(t, own);
        return server_reply(msg, e, 0, 0);
    }
    msg->m->w[0] = base;
    msg->m->w[1] = len;
    if (len > PERSIST_RECORD_MAX) {         /* the caller can skip it, from base + 1 */
        read_done(t, own);
        return server_reply(msg, SAS_ENOTSUP, 2, 0);
    }
    persist_pack(msg->m, s->hi, 2, rec, len);   /* while t still holds the bytes */
    read_done(t, own);
    return server_reply(msg, SAS_OK, 2 + persist_words(len), 0);
}

/* ---- metadata ---- */

/* The key of a META request (MR0 = length, MR1..MR2 = bytes) as a C string. */
static enum sas_error meta_key(const struct server_msg *msg, char key[PERSIST_META_KEY_MAX + 1])
{
    uint64_t k = msg->m->w[0];
    if (!k || k > PERSIST_META_KEY_MAX)
        return SAS_EINVAL;
    persist_unpack(msg->m, 0, 1, key, k);
    key[k] = 0;
    return strlen(key) == k ? SAS_OK : SAS_EINVAL;
}

static enum server_action op_meta_put(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    char key[PERSIST_META_KEY_MAX + 1];
    uint8_t val[PERSIST_META_VAL_MAX];
    if (!allowed(s, msg, OBJMGR))
        return refused(msg);
    uint64_t vlen = u_of(msg) >= 4 ? msg->m->w[3] : UINT64_MAX;
    if (vlen > PERSIST_META_VAL_MAX || u_of(msg) != 4 + persist_words(vlen) ||
        meta_key(msg, key) || !s->txn)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    persist_unpack(msg->m, s->hi, 4, val, vlen);
    return server_reply(msg, persist_meta_put(s->txn, key, val, vlen), 0, 0);
}

static enum server_action op_meta_get(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    char key[PERSIST_META_KEY_MAX + 1];
    uint8_t val[PERSIST_META_VAL_MAX];
    struct persist_txn *t;
    size_t len = 0;
    int own;
    if (!allowed(s, msg, OBJMGR))
        return refused(msg);
    if (u_of(msg) != 3 || meta_key(msg, key) || !strncmp(key, "persist.", 8))
        return server_reply(msg, SAS_EINVAL, 0, 0);
    enum sas_error e = read_txn(s, &t, &own);
    if (!e) {
        e = persist_meta_get(t, key, val, sizeof val, &len);
        read_done(t, own);
    }
    if (!e && len > PERSIST_META_VAL_MAX)
        e = SAS_ENOTSUP;
    if (e)
        return server_reply(msg, e, 0, 0);
    msg->m->w[0] = len;
    persist_pack(msg->m, s->hi, 1, val, len);
    return server_reply(msg, SAS_OK, 1 + persist_words(len), 0);
}

/* ---- the "capstore" database ---- */

/* DB_PUT's and DB_DEL's words: MR0 = klen | vlen << 16, the bytes from MR1 into b. */
static enum sas_error db_entry(const struct psrv *s, const struct server_msg *msg, uint8_t *b,
                               size_t *klen, size_t *vlen)
{
    uint64_t w = u_of(msg) ? msg->m->w[0] : 0;
    *klen = w & 0xffff;
    *vlen = (w >> 16) & 0xffff;
    if (!*klen || *klen > PERSIST_DB_KEY_MAX || *vlen > PERSIST_DB_VAL_MAX || w >> 32 ||
        u_of(msg) != 1 + persist_words(*klen + *vlen))
        return SAS_EINVAL;
    persist_unpack(msg->m, s->hi, 1, b, *klen + *vlen);
    return SAS_OK;
}

static enum server_action op_db_put(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    uint8_t b[PERSIST_DB_KEY_MAX + PERSIST_DB_VAL_MAX];
    size_t klen, vlen;
    if (!allowed(s, msg, OBJMGR))
        return refused(msg);
    if (db_entry(s, msg, b, &klen, &vlen) || !s->txn)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    return server_reply(msg, persist_db_put(s->txn, s->capdb, b, klen, b + klen, vlen), 0, 0);
}

static enum server_action op_db_del(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    uint8_t b[PERSIST_DB_KEY_MAX + PERSIST_DB_VAL_MAX];
    size_t klen, vlen;
    if (!allowed(s, msg, OBJMGR))
        return refused(msg);
    if (db_entry(s, msg, b, &klen, &vlen) || vlen || !s->txn)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    return server_reply(msg, persist_db_del(s->txn, s->capdb, b, klen), 0, 0);
}

/* What DB_NEXT's walk found: the entry after `after` (alen 0: the first). */
struct db_next {
    const void *after;
    size_t alen;
    const uint8_t *key, *val;
    size_t klen, vlen;
};

static int db_next_step(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct db_next *n = arg;
    if (n->alen && klen == n->alen && !memcmp(key, n->after, klen))
        return 0;                            /* the key itself: the one after it */
    *n = (struct db_next){ n->after, n->alen, key, val, klen, vlen };
    return 1;
}

/* Fills DB_NEXT's reply with what n found (its bytes valid until the txn ends). */
static enum server_action db_next_reply(struct psrv *s, struct server_msg *msg,
                                        const struct db_next *n)
{
    uint8_t b[PERSIST_DB_KEY_MAX + PERSIST_DB_VAL_MAX];
    if (!n->key)
        return server_reply(msg, SAS_ENOTFOUND, 0, 0);
    if (n->klen > PERSIST_DB_KEY_MAX || n->vlen > 0xffff)
        return server_reply(msg, SAS_ENOTSUP, 0, 0);
    msg->m->w[0] = n->klen | (uint64_t)n->vlen << 16;
    persist_pack(msg->m, s->hi, 1, n->key, n->klen);
    if (n->vlen > PERSIST_DB_VAL_MAX)        /* the caller can ask on from its key */
        return server_reply(msg, SAS_ENOTSUP, 1 + persist_words(n->klen), 0);
    memcpy(b, n->key, n->klen);
    memcpy(b + n->klen, n->val, n->vlen);
    persist_pack(msg->m, s->hi, 1, b, n->klen + n->vlen);
    return server_reply(msg, SAS_OK, 1 + persist_words(n->klen + n->vlen), 0);
}

static enum server_action op_db_next(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    uint8_t key[PERSIST_DB_KEY_MAX];
    struct persist_txn *t;
    int own;
    if (!allowed(s, msg, OBJMGR | CAPSTORE))
        return refused(msg);
    uint64_t klen = u_of(msg) ? msg->m->w[0] : UINT64_MAX;
    if (klen > PERSIST_DB_KEY_MAX || u_of(msg) != 1 + persist_words(klen))
        return server_reply(msg, SAS_EINVAL, 0, 0);
    persist_unpack(msg->m, s->hi, 1, key, klen);
    struct db_next n = { key, klen, 0, 0, 0, 0 };
    enum sas_error e = read_txn(s, &t, &own);
    if (e)
        return server_reply(msg, e, 0, 0);
    e = persist_db_each(t, s->capdb, klen ? key : NULL, klen, db_next_step, &n);
    enum server_action a = e ? server_reply(msg, e, 0, 0) : db_next_reply(s, msg, &n);
    read_done(t, own);
    return a;
}

/* ---- figures ---- */

static enum server_action op_stat(void *state, struct server_msg *msg)
{
    struct psrv *s = state;
    struct persist_info i;
    if (!allowed(s, msg, OBJMGR))
        return refused(msg);
    if (u_of(msg))
        return server_reply(msg, SAS_EINVAL, 0, 0);
    enum sas_error e = persist_stat(s->p, &i);
    if (e)
        return server_reply(msg, e, 0, 0);
    *msg->m = (l4_msg_t){ { i.format, i.run_pages, i.map_size, i.used_pages,
                            i.stored_values, i.lmdb_pages, i.records, i.txnid } };
    return server_reply(msg, SAS_OK, 8, 0);
}

/* The busiest first: a commit is pages and records between BEGIN and COMMIT. */
const struct server_op psrv_ops[] = {
    { PERSIST_PAGE_WRITE, 0, SERVER_ITEMS, op_page_write },
    { PERSIST_PAGE_READ, 0, SERVER_ITEMS, op_page_read },
    { PERSIST_RECORD_PUT, 0, 0, op_record_put },
    { PERSIST_DB_PUT, 0, 0, op_db_put },
    { PERSIST_DB_DEL, 0, 0, op_db_del },
    { PERSIST_RECORD_DEL, 0, 0, op_record_del },
    { PERSIST_PAGES_DISCARD, 0, 0, op_pages_discard },
    { PERSIST_BEGIN, 0, 0, op_begin },
    { PERSIST_COMMIT, 0, 0, op_commit },
    { PERSIST_ABORT, 0, 0, op_abort },
    { PERSIST_RECORD_NEXT, 0, 0, op_record_next },
    { PERSIST_DB_NEXT, 0, 0, op_db_next },
    { PERSIST_META_PUT, 0, 0, op_meta_put },
    { PERSIST_META_GET, 0, 0, op_meta_get },
    { PERSIST_STAT, 0, 0, op_stat },
};
const unsigned psrv_nops = SERVER_NOPS(psrv_ops);
