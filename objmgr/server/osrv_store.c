/*
 * osrv_store.c — objmgr's transactions: the one place the store is written.
 *
 * capstore never writes the store: each record it would write comes back through its
 * log (CAPSTORE_LOG), which objmgr drains into `pending`, and objmgr writes it in a
 * transaction of its own. A record goes only with the object it belongs to (its key
 * names the base): in a transaction that also writes that object's first record, or
 * once the object is durable; records of transient objects are never stored; records
 * of no object (capstore's key, domains) go with any transaction. So an object and its
 * capabilities become durable together or not at all.
 *
 * Epochs: every object takes a fresh epoch, and a capability names it. After a crash,
 * epochs handed out but never stored must not be handed out again (an old capability of
 * a lost object would then match a new object at its base): the store holds a bound
 * (meta OSRV_META_EPOCH, big-endian as persist_meta_put_u64 stores it, which
 * `ellfour-store check` reads) above every epoch in use, raised by OSRV_EPOCH_BATCH in a
 * transaction before it is reached, and the counter restarts from it at boot.
 *
 * Dirty pages: before its pages are read, each resident page of an object being
 * committed loses the write right in every task (fpage_unmap), and the dirty bits that
 * unmap reports are folded into the page's own; so the contents cannot change while
 * they are stored, and a write after the commit faults and maps the page writable again.
 * A page stays dirty until a transaction that wrote it has committed.
 */
#include <stdlib.h>
#include <string.h>
#include "osrv.h"

#define PAGE 4096u

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* The object a capstore record belongs to: 'O' be64(base), 'C' be32(dom) be64(base) tag
 * (capstore/src/internal.h); 0 for the others. */
static uint64_t rec_base(const struct osrv_rec *r)
{
    if (r->klen == 9 && r->data[0] == 'O')
        return be64(r->data + 1);
    if (r->klen >= 13 && r->data[0] == 'C')
        return be64(r->data + 5);
    return 0;
}

enum sas_error osrv_drain(struct osrv *s)
{
    for (;;) {
        struct osrv_rec *r = malloc(sizeof *r);
        if (!r)
            return SAS_ENOMEM;
        enum sas_error e = s->env.log(s->env.ctx, r);
        if (e) {
            free(r);
            return e == SAS_ENOTFOUND ? SAS_OK : e;
        }
        r->base = rec_base(r);
        struct osrv_obj *o = r->base ? osrv_obj_find(s, r->base) : 0;
        if (o && !(o->flags & OBJ_PERSISTENT)) {     /* transient: memory only */
            free(r);
            continue;
        }
        r->next = 0;
        *s->pending_tail = r;
        s->pending_tail = &r->next;
    }
}

void osrv_pending_forget(struct osrv *s, uint64_t base)
{
    struct osrv_rec **p = &s->pending;
    s->pending_tail = &s->pending;
    while (*p) {
        struct osrv_rec *r = *p;
        if (r->base == base) {
            *p = r->next;
            free(r);
            continue;
        }
        p = &r->next;
        s->pending_tail = p;
    }
}

void osrv_pending_release(struct osrv *s, uint64_t base)
{
    for (struct osrv_rec *r = s->pending; r; r = r->next)
        if (r->base == base)
            r->base = 0;
}

/* May record r go in a transaction of objs[0..n) and ch? */
static int rec_goes(struct osrv *s, const struct osrv_rec *r, struct osrv_obj **objs,
                    unsigned n, const struct osrv_change *ch)
{
    if (!r->base || (ch && ch->base == r->base))
        return 1;
    for (unsigned i = 0; i < n; i++)
        if (objs[i]->base == r->base)
            return 1;
    struct osrv_obj *o = osrv_obj_find(s, r->base);
    return o && o->durable;
}

/* Folds the dirty bits of o's resident pages in, taking the write right from every task. */
static void fold_dirty(struct osrv *s, struct osrv_obj *o)
{
    for (uint32_t f = o->pages; f != OSRV_NIL; f = s->frames[f].onext)
        if (s->env.unmap(s->env.ctx, osrv_frame(s, f), L4_FPAGE_W) & 2u)
            s->frames[f].dirty = 1;
}

static enum sas_error write_records(struct osrv *s, struct osrv_obj **objs, unsigned n,
                                    const struct osrv_change *ch)
{
    enum sas_error e = SAS_OK;
    for (struct osrv_rec *r = s->pending; r && !e; r = r->next) {
        if (!rec_goes(s, r, objs, n, ch))
            continue;
        if (r->op == 1)
            e = s->env.db_put(s->env.ctx, r->data, r->klen, r->data + r->klen, r->vlen);
        else if ((e = s->env.db_del(s->env.ctx, r->data, r->klen)) == SAS_ENOTFOUND)
            e = SAS_OK;            /* its put never reached the store: nothing to undo */
    }
    for (unsigned i = 0; i < n && !e; i++) {
        struct obj_record rec;
        uint8_t enc[OBJ_RECORD_BYTES];
        if (objs[i]->durable && !objs[i]->record_stale)
            continue;
        if ((e = obj_find(s->table, objs[i]->base, &rec)))
            break;
        obj_encode(&rec, enc);
        e = s->env.record_put(s->env.ctx, rec.base, enc, sizeof enc);
    }
    return e;
}

static enum sas_error write_change(struct osrv *s, const struct osrv_change *ch)
{
    enum sas_error e = SAS_OK;
    if (!ch || !ch->base)
        return SAS_OK;
    if (ch->put) {
        uint8_t enc[OBJ_RECORD_BYTES];
        obj_encode(ch->put, enc);
        e = s->env.record_put(s->env.ctx, ch->base, enc, sizeof enc);
    } else {
        e = s->env.record_del(s->env.ctx, ch->base);
    }
    if (!e && ch->npages)
        e = s->env.discard(s->env.ctx, ch->discard, ch->npages);
    return e;
}

static enum sas_error write_pages(struct osrv *s, struct osrv_obj **objs, unsigned n,
                                  uint64_t *pages)
{
    enum sas_error e = SAS_OK;
    for (unsigned i = 0; i < n && !e; i++)
        for (uint32_t f = objs[i]->pages; f != OSRV_NIL && !e; f = s->frames[f].onext)
            if (s->frames[f].dirty) {
                e = s->env.page_write(s->env.ctx, s->frames[f].va, osrv_frame(s, f));
                (*pages)++;
            }
    return e;
}

/* After a commit: the records written leave `pending`, the objects are durable, their
 * pages clean. */
static void committed(struct osrv *s, struct osrv_obj **objs, unsigned n,
                      const struct osrv_change *ch)
{
    struct osrv_rec **p = &s->pending;
    s->pending_tail = &s->pending;
    while (*p) {
        struct osrv_rec *r = *p;
        if (rec_goes(s, r, objs, n, ch)) {
            *p = r->next;
            free(r);
            continue;
        }
        p = &r->next;
        s->pending_tail = p;
    }
    for (unsigned i = 0; i < n; i++) {
        objs[i]->durable = 1;
        objs[i]->record_stale = 0;
        for (uint32_t f = objs[i]->pages; f != OSRV_NIL; f = s->frames[f].onext)
            s->frames[f].dirty = 0;
    }
}

enum sas_error osrv_txn(struct osrv *s, struct osrv_obj **objs, unsigned n,
                        const struct osrv_change *ch, uint64_t *pages)
{
    uint64_t written = 0, bound = s->epoch_reserved;
    enum sas_error e = osrv_drain(s);
    if (e)
        return e;
    for (unsigned i = 0; i < n; i++)
        fold_dirty(s, objs[i]);
    if (obj_next_epoch(s->table) + OSRV_EPOCH_BATCH / 2 > bound)
        bound = obj_next_epoch(s->table) + OSRV_EPOCH_BATCH;
    uint8_t be[8];
    for (unsigned i = 0; i < 8; i++)
        be[i] = (uint8_t)(bound >> (56 - 8 * i));
    if ((e = s->env.begin(s->env.ctx)))
        return e;
    if (!(e = write_records(s, objs, n, ch)) && !(e = write_change(s, ch)) &&
        !(e = write_pages(s, objs, n, &written)))
        e = s->env.meta_put(s->env.ctx, OSRV_META_EPOCH, be, sizeof be);
    if (e) {
        s->env.abort(s->env.ctx);
        return e;
    }
    if ((e = s->env.commit(s->env.ctx)))
        return e;
    committed(s, objs, n, ch);
    s->epoch_reserved = bound;
    s->st.commits++;
    s->st.pages_written += written;
    if (pages)
        *pages = written;
    return SAS_OK;
}

enum sas_error osrv_epoch_reserve(struct osrv *s)
{
    if (obj_next_epoch(s->table) < s->epoch_reserved)
        return SAS_OK;
    return osrv_txn(s, 0, 0, 0, 0);
}
