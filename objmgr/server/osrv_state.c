/*
 * osrv_state.c — the objmgr server's memory: the frame pool, the resident pages found by
 * address and by object, the objects' own state, and the bindings of tasks to domains.
 */
#include <stdlib.h>
#include <string.h>
#include <sas/layout.h>
#include "osrv.h"

#define PAGE 4096u

static unsigned hash64(uint64_t v)
{
    v ^= v >> 29;
    v *= 0xbf58476d1ce4e5b9ULL;
    v ^= v >> 32;
    return (unsigned)(v & (OSRV_HASH - 1));
}

enum sas_error osrv_init(struct osrv *s, const struct osrv_env *env, void *pool,
                         uint32_t nframes)
{
    memset(s, 0, sizeof *s);
    s->env = *env;
    s->pool = pool;
    s->nframes = s->nfree = nframes;
    s->frames = calloc(nframes ? nframes : 1, sizeof *s->frames);
    if (!s->frames)
        return SAS_ENOMEM;
    for (uint32_t i = 0; i < nframes; i++)
        s->frames[i].hnext = i + 1 < nframes ? i + 1 : OSRV_NIL;
    s->free_head = nframes ? 0 : OSRV_NIL;
    for (unsigned i = 0; i < OSRV_HASH; i++)
        s->phash[i] = OSRV_NIL;
    s->pending_tail = &s->pending;
    s->dgen = 1;
    return obj_table_new(SAS_OBJECT_BASE, SAS_OBJECT_END, &s->table);
}

void osrv_fini(struct osrv *s)
{
    for (unsigned i = 0; i < OSRV_HASH; i++)
        while (s->ohash[i]) {
            struct osrv_obj *o = s->ohash[i];
            s->ohash[i] = o->hnext;
            free(o);
        }
    while (s->pending) {
        struct osrv_rec *r = s->pending;
        s->pending = r->next;
        free(r);
    }
    free(s->frames);
    obj_table_free(s->table);
    s->frames = 0;
    s->table = 0;
}

struct osrv_obj *osrv_obj_find(struct osrv *s, uint64_t base)
{
    struct osrv_obj *o = s->ohash[hash64(base)];
    while (o && o->base != base)
        o = o->hnext;
    return o;
}

enum sas_error osrv_obj_add(struct osrv *s, const struct obj_record *r, uint8_t durable)
{
    struct osrv_obj *o = calloc(1, sizeof *o);
    if (!o)
        return SAS_ENOMEM;
    *o = (struct osrv_obj){ .base = r->base, .size = r->size, .epoch = r->epoch,
                            .flags = r->flags, .owner = (domain_id)r->owner,
                            .durable = durable, .pages = OSRV_NIL };
    unsigned h = hash64(r->base);
    o->hnext = s->ohash[h];
    s->ohash[h] = o;
    return SAS_OK;
}

/* Frees o (its pages must be freed first). */
void osrv_obj_drop(struct osrv *s, struct osrv_obj *o)
{
    struct osrv_obj **p = &s->ohash[hash64(o->base)];
    while (*p && *p != o)
        p = &(*p)->hnext;
    if (*p)
        *p = o->hnext;
    free(o);
}

uint32_t osrv_page_find(const struct osrv *s, uint64_t va)
{
    uint32_t f = s->phash[hash64(va)];
    while (f != OSRV_NIL && s->frames[f].va != va)
        f = s->frames[f].hnext;
    return f;
}

/* A frame from the free list for va in o, zeroed, entered by address and by object. The
 * caller fills it. */
uint32_t osrv_page_new(struct osrv *s, struct osrv_obj *o, uint64_t va)
{
    uint32_t f = s->free_head;
    if (f == OSRV_NIL)
        return OSRV_NIL;
    struct osrv_page *p = &s->frames[f];
    s->free_head = p->hnext;
    s->nfree--;
    s->resident++;
    unsigned h = hash64(va);
    *p = (struct osrv_page){ va, s->phash[h], o->pages, 0 };
    s->phash[h] = f;
    o->pages = f;
    return f;
}

/* Takes frame f out of the address hash and onto the free list. */
static void page_release(struct osrv *s, uint32_t f)
{
    struct osrv_page *p = &s->frames[f];
    uint32_t *link = &s->phash[hash64(p->va)];
    while (*link != f)
        link = &s->frames[*link].hnext;
    *link = p->hnext;
    p->va = 0;
    p->dirty = 0;
    p->hnext = s->free_head;
    s->free_head = f;
    s->nfree++;
    s->resident--;
}

/* Frees o's resident pages in [from, to), taken from every task first (so no task keeps
 * a frame that will hold another object's page). */
void osrv_pages_free(struct osrv *s, struct osrv_obj *o, uint64_t from, uint64_t to)
{
    uint32_t *link = &o->pages;
    while (*link != OSRV_NIL) {
        uint32_t f = *link;
        if (s->frames[f].va < from || s->frames[f].va >= to) {
            link = &s->frames[f].onext;
            continue;
        }
        *link = s->frames[f].onext;
        s->env.unmap(s->env.ctx, osrv_frame(s, f), L4_FPAGE_RWX);
        page_release(s, f);
    }
}

static enum sas_error bind_fresh(struct osrv *s, unsigned task, struct osrv_binding *b)
{
    char name[OSRV_DOMAIN_NAME];
    l4_threadid_t lt0;
    domain_id d;
    int created = 0;
    enum sas_error e = s->env.task_domain(s->env.ctx, task, &lt0, name);
    if (e == SAS_ENOTFOUND || (!e && l4_tid_task(lt0) != task))
        return SAS_EPERM;
    if (e || (e = s->env.domain(s->env.ctx, name, &d, &created)))
        return e;
    /* A new domain is durable at once: an id handed out must never be handed out again. */
    if (created && (e = osrv_txn(s, 0, 0, 0, 0)))
        return e;
    s->st.domains += created;
    *b = (struct osrv_binding){ lt0, d };
    return SAS_OK;
}

int osrv_bound(struct osrv *s, l4_threadid_t from, domain_id *out)
{
    unsigned task = l4_tid_task(from);
    if (task >= OSRV_TASKS)
        return -1;
    struct osrv_binding *b = &s->bind[task];
    if (l4_tid_is_nil(b->lthread0) ||
        (from != b->lthread0 && !s->env.alive(s->env.ctx, b->lthread0)))
        return -1;
    *out = b->dom;
    return 0;
}

enum sas_error osrv_bind(struct osrv *s, l4_threadid_t from, domain_id *out)
{
    unsigned task = l4_tid_task(from);
    if (!osrv_bound(s, from, out))
        return SAS_OK;
    if (task >= OSRV_TASKS)
        return SAS_EPERM;
    struct osrv_binding *b = &s->bind[task];
    enum sas_error e = bind_fresh(s, task, b);
    if (e) {
        b->lthread0 = L4_NILTHREAD;
        return e;
    }
    *out = b->dom;
    return SAS_OK;
}

enum sas_error osrv_restore(struct osrv *s)
{
    uint8_t buf[OBJ_RECORD_BYTES + 8], be[8];
    uint64_t from = SAS_OBJECT_BASE, base, next = 0;
    size_t len;
    enum sas_error e;
    while (!(e = s->env.record_next(s->env.ctx, from, &base, buf, sizeof buf, &len))) {
        struct obj_record r;
        if ((e = obj_decode(buf, len, &r)) || (e = obj_restore(s->table, &r)))
            return e;
        if (!(r.flags & OBJ_FREED) && (e = osrv_obj_add(s, &r, 1)))
            return e;
        from = base + 1;
    }
    if (e != SAS_ENOTFOUND)
        return e;
    e = s->env.meta_get(s->env.ctx, OSRV_META_EPOCH, be, sizeof be, &len);
    for (unsigned i = 0; !e && i < 8; i++)
        next = next << 8 | be[i];
    if (!e && len == sizeof be)
        obj_set_next_epoch(s->table, next);     /* epochs below it may have been used */
    else if (e != SAS_ENOTFOUND)
        return e ? e : SAS_ESTORE_CORRUPT;
    s->epoch_reserved = obj_next_epoch(s->table);
    return SAS_OK;
}
