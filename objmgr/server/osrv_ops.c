/*
 * osrv_ops.c — objmgr's protocol (sas/proto/objmgr.h): each handler finds the caller's
 * domain from root's binding first, then validates every word, then changes state.
 */
#include <string.h>
#include <sas/layout.h>
#include <sas/proto/objmgr.h>
#include "osrv.h"

#define PAGE 4096u

/* Word i of the request or reply. */
static uint64_t *word(struct osrv *s, struct server_msg *msg, unsigned i)
{
    return i < L4_MSG_REG_WORDS ? &msg->m->w[i] : &s->mr[i];
}

static enum server_action fail(struct server_msg *msg, enum sas_error e)
{
    return server_reply(msg, e, 0, 0);
}

/* May domain d access addr in the object of rec with `access`? *reason gets capstore's. */
static struct osrv_dce *dce_slot(struct osrv *s, domain_id d, uint64_t base, unsigned access)
{
    uint64_t h = (base >> 12) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)d << 32 ^ access;
    return &s->dcache[(h >> 40) % OSRV_DCACHE];
}

/* The cached allowing decision for (d, the object, access) at page addr, or NULL. */
static const struct osrv_dce *dce_find(struct osrv *s, domain_id d,
                                       const struct obj_record *rec, uint64_t addr,
                                       unsigned access)
{
    const struct osrv_dce *c = dce_slot(s, d, rec->base, access);
    if (c->gen != s->dgen || c->dom != d || c->base != rec->base || c->epoch != rec->epoch ||
        c->access != access || addr < c->lo || addr >= c->hi)
        return 0;
    if (c->valid_until != CAP_NO_EXPIRY &&
        s->env.now_ns(s->env.ctx) / 1000000000u >= c->valid_until)
        return 0;
    return c;
}

/* May domain d access the page at addr in the object of rec with `access`? capstore's
 * decision in *dec, from objmgr's cache when it allowed before (osrv.h). */
static enum sas_error allowed(struct osrv *s, domain_id d, const struct obj_record *rec,
                              uint64_t addr, unsigned access, struct cap_decision *dec)
{
    addr &= ~(uint64_t)(PAGE - 1);
    const struct osrv_dce *c = dce_find(s, d, rec, addr, access);
    if (c) {
        *dec = (struct cap_decision){ .allow = 1, .rights = c->rights, .cached = 1,
                                      .lo = c->lo, .hi = c->hi,
                                      .valid_until = c->valid_until };
        memcpy(dec->tag, c->tag, sizeof dec->tag);
        s->st.dcache_hits++;
        return SAS_OK;
    }
    struct cap_object o = { rec->base, rec->size, rec->epoch };
    s->st.checks++;
    enum sas_error e = s->env.check(s->env.ctx, d, &o, addr, access, dec);
    if (e)
        return e;
    if (!dec->allow)
        return SAS_ECAP_DENIED;
    struct osrv_dce *n = dce_slot(s, d, rec->base, access);
    *n = (struct osrv_dce){ s->dgen, rec->base, rec->epoch, dec->lo, dec->hi,
                            dec->valid_until, d, (uint8_t)access, dec->rights, { 0 } };
    memcpy(n->tag, dec->tag, sizeof n->tag);
    return SAS_OK;
}

/* Capabilities changed (a retire, a grant, an add): every cached decision goes. */
static void decisions_changed(struct osrv *s)
{
    s->dgen++;
}

/* The object holding addr and the caller's right to `access` it. */
static enum sas_error find_allowed(struct osrv *s, domain_id d, uint64_t addr, unsigned access,
                                   struct obj_record *rec)
{
    struct cap_decision dec;
    enum sas_error e = obj_find(s->table, addr, rec);
    return e ? e : allowed(s, d, rec, addr, access, &dec);
}

/* While a commit is in flight: msg waits in the queue (or SAS_EBUSY if it is full). */
static enum server_action queue(struct osrv *s, struct server_msg *msg)
{
    struct osrv_commit *c = &s->c;
    if (c->qn == OSRV_QUEUE)
        return fail(msg, SAS_EBUSY);
    struct osrv_queued *q = &c->q[(c->qhead + c->qn++) % OSRV_QUEUE];
    unsigned u = l4_msgtag_u(msg->tag);
    q->from = msg->from;
    q->tag = msg->tag;
    for (unsigned i = 0; i < u && i < L4_MSG_MAX_WORDS; i++)
        q->w[i] = *word(s, msg, i);
    return SERVER_DEFER;
}

#define WAIT_FOR_COMMIT(s, msg)                                                            \
    do {                                                                                   \
        if ((s)->c.busy)                                                                   \
            return queue(s, msg);                                                          \
    } while (0)

static server_fn op_create, op_delete, op_resize, op_info, op_commit, op_commit_all, op_fault,
    op_stats, op_frame;

static enum server_action op_create(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    domain_id d;
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e)
        return fail(msg, e);
    char label[OBJ_LABEL_BYTES];
    uint64_t size = msg->m->w[0], flags = msg->m->w[1];
    memcpy(label, &msg->m->w[2], sizeof label);
    if (l4_msgtag_u(msg->tag) < 6 || !size || size > SAS_OBJECT_END - SAS_OBJECT_BASE ||
        (flags & ~(uint64_t)OBJ_CREATE_PERSISTENT) || label[OBJ_LABEL_BYTES - 1])
        return fail(msg, SAS_EINVAL);
    if ((e = osrv_epoch_reserve(s)))
        return fail(msg, e);
    struct obj_spec spec = { size, 0, flags ? OBJ_PERSISTENT : 0, d, d,
                             s->env.now_ns(s->env.ctx), label };
    struct obj_record rec, freed;
    struct cap cap;
    if ((e = obj_create(s->table, &spec, &rec)))
        return fail(msg, e);
    if ((e = osrv_obj_add(s, &rec, 0)) ||
        (e = s->env.mint(s->env.ctx, rec.base, rec.epoch, d, &cap))) {
        struct osrv_obj *o = osrv_obj_find(s, rec.base);
        if (o)
            osrv_obj_drop(s, o);
        if (!obj_delete(s->table, rec.base, 0, &freed))
            obj_retire(s->table, freed.epoch, 0, 0);
        osrv_drain(s);
        osrv_pending_forget(s, rec.base);
        return fail(msg, e);
    }
    msg->m->w[0] = rec.base;
    for (unsigned i = 0; i < OBJ_CAP_WORDS; i++)
        memcpy(word(s, msg, 1 + i), (const uint8_t *)&cap + 8 * i, 8);
    return server_reply(msg, SAS_OK, 1 + OBJ_CAP_WORDS, 0);
}

/* The caller's object based at base, with the delete right. */
static enum sas_error deletable(struct osrv *s, struct server_msg *msg, uint64_t base,
                                struct obj_record *rec, struct osrv_obj **o)
{
    domain_id d;
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e || (e = obj_find(s->table, base, rec)))
        return e;
    if (rec->base != base || !(*o = osrv_obj_find(s, base)))
        return SAS_ENOTFOUND;
    return find_allowed(s, d, base, CAP_R_DELETE, rec);
}

/* The range [from, end) of o has left the table: its frames go, its capabilities too if
 * the whole object went, and the quarantined range is free again (every task has lost
 * its pages, and capstore answers for the address no more). */
static void forget_range(struct osrv *s, struct osrv_obj *o, uint64_t from,
                         const struct obj_record *freed)
{
    osrv_pages_free(s, o, from, UINT64_MAX);
    if (freed && freed->size)
        obj_retire(s->table, freed->epoch, 0, 0);
}

static enum server_action op_delete(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct obj_record rec, freed;
    struct osrv_obj *o = 0;
    uint64_t base = msg->m->w[0];
    enum sas_error e = deletable(s, msg, base, &rec, &o);
    if (e)
        return fail(msg, e);
    /* Capabilities die first: no fault can map the object again once it is unmapped. */
    e = s->env.retire(s->env.ctx, base);
    decisions_changed(s);
    if (e)
        return fail(msg, e);
    if (o->durable) {
        struct osrv_change ch = { base, 0, base, rec.size / PAGE };
        if ((e = osrv_txn(s, 0, 0, &ch, 0)))
            return fail(msg, e);
    }
    if ((e = obj_delete(s->table, base, 0, &freed)))
        return fail(msg, e);
    forget_range(s, o, base, &freed);
    osrv_drain(s);
    osrv_pending_forget(s, base);
    osrv_obj_drop(s, o);
    return server_reply(msg, SAS_OK, 0, 0);
}

static enum server_action op_resize(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct obj_record rec, now, freed = { 0 };
    struct osrv_obj *o = 0;
    uint64_t base = msg->m->w[0], size = (msg->m->w[1] + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    enum sas_error e = deletable(s, msg, base, &rec, &o);
    if (e)
        return fail(msg, e);
    if (!size || size < msg->m->w[1])
        return fail(msg, SAS_EINVAL);
    if (o->durable && size < rec.size) {
        now = rec;
        now.size = size;
        struct osrv_change ch = { base, &now, base + size, (rec.size - size) / PAGE };
        if ((e = osrv_txn(s, 0, 0, &ch, 0)))
            return fail(msg, e);
    }
    if ((e = obj_resize(s->table, base, size, &now, &freed)))
        return fail(msg, e);
    /* A grown durable object's record is rewritten by its next commit. */
    if (o->durable && size > rec.size)
        o->durable = 0;
    o->size = now.size;
    forget_range(s, o, base + now.size, &freed);
    msg->m->w[0] = now.size;
    return server_reply(msg, SAS_OK, 1, 0);
}

static enum server_action op_info(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct obj_record rec;
    domain_id d;
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e || (e = find_allowed(s, d, msg->m->w[0], CAP_R_READ, &rec)))
        return fail(msg, e);
    struct osrv_obj *o = osrv_obj_find(s, rec.base);
    msg->m->w[0] = rec.base;
    msg->m->w[1] = rec.size;
    msg->m->w[2] = (rec.flags & OBJ_PERSISTENT ? OBJ_INFO_PERSISTENT : 0) |
                   (o && o->durable ? OBJ_INFO_DURABLE : 0);
    msg->m->w[3] = rec.epoch;
    msg->m->w[4] = rec.owner;
    msg->m->w[5] = rec.ctime;
    for (unsigned i = 0; i < 4; i++)
        memcpy(word(s, msg, 6 + i), rec.label + 8 * i, 8);
    return server_reply(msg, SAS_OK, 10, 0);
}

/* Commits objs[0..n), each checked for the write right on the address given. */
static enum server_action commit_objs(struct osrv *s, struct server_msg *msg,
                                      struct osrv_obj **objs, unsigned n)
{
    uint64_t pages = 0;
    if (!l4_tid_is_nil(s->c.thread)) {          /* the committer runs it: see osrv.h */
        struct osrv_commit *c = &s->c;
        for (unsigned i = 0; i < n; i++)
            (c->objs[i] = objs[i])->committing = 1;
        c->n = n;
        c->client = msg->from;
        c->busy = 1;
        enum sas_error e = s->env.commit_start(s->env.ctx);
        if (!e)
            return SERVER_DEFER;
        for (unsigned i = 0; i < n; i++)
            objs[i]->committing = 0;
        c->busy = 0;
        return fail(msg, e);
    }
    enum sas_error e = osrv_txn(s, objs, n, 0, &pages);
    if (e)
        return fail(msg, e);
    msg->m->w[0] = pages;
    return server_reply(msg, SAS_OK, 1, 0);
}

static enum server_action op_commit(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct osrv_obj *objs[OBJ_COMMIT_MAX];
    uint64_t addrs[OBJ_COMMIT_MAX];
    struct obj_record rec;
    domain_id d;
    unsigned n = 0, want = (unsigned)msg->m->w[0];
    /* The words are copied, not yet read, before the sender is known: binding a new
     * domain makes a transaction, whose IPC and unmaps overwrite the UTCB's words. */
    for (unsigned i = 0; i < OBJ_COMMIT_MAX && i + 1 < l4_msgtag_u(msg->tag); i++)
        addrs[i] = *word(s, msg, 1 + i);
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e)
        return fail(msg, e);
    if (!want || msg->m->w[0] > OBJ_COMMIT_MAX || l4_msgtag_u(msg->tag) < 1 + want)
        return fail(msg, SAS_EINVAL);
    for (unsigned i = 0; i < want; i++) {
        if ((e = find_allowed(s, d, addrs[i], CAP_R_WRITE, &rec)))
            return fail(msg, e);
        if (!(rec.flags & OBJ_PERSISTENT))
            return fail(msg, SAS_EINVAL);
        struct osrv_obj *o = osrv_obj_find(s, rec.base);
        unsigned j = 0;
        while (j < n && objs[j] != o)
            j++;
        if (o && j == n)
            objs[n++] = o;
    }
    return commit_objs(s, msg, objs, n);
}

/* Every persistent object d owns, in one transaction (at most 4,096 of them). */
static enum server_action op_commit_all(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    static struct osrv_obj *objs[OSRV_COMMIT_OBJS];
    struct obj_record rec;
    domain_id d;
    unsigned n = 0;
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e)
        return fail(msg, e);
    for (e = obj_first(s->table, &rec); !e; e = obj_next(s->table, rec.base, &rec)) {
        if (rec.owner != d || !(rec.flags & OBJ_PERSISTENT))
            continue;
        if (n == sizeof objs / sizeof objs[0])
            return fail(msg, SAS_ENOMEM);
        objs[n++] = osrv_obj_find(s, rec.base);
    }
    return commit_objs(s, msg, objs, n);
}

/* The L4 rights a decision allows. */
static unsigned fpage_rights(unsigned cap_rights)
{
    return (cap_rights & (CAP_R_READ | CAP_R_WRITE) ? L4_FPAGE_R : 0) |
           (cap_rights & CAP_R_WRITE ? L4_FPAGE_W : 0) | (cap_rights & CAP_R_EXEC ? L4_FPAGE_X : 0);
}

/* The frame holding va of o: resident, else filled from the store (a durable object) or
 * zeroed. The fill's own writes are no change to commit: its unmap's bits are dropped. */
static enum sas_error page_get(struct osrv *s, struct osrv_obj *o, uint64_t va, uint32_t *out)
{
    uint32_t f = osrv_page_find(s, va);
    if (f != OSRV_NIL) {
        *out = f;
        return SAS_OK;
    }
    if ((f = osrv_page_new(s, o, va)) == OSRV_NIL)
        return SAS_ENOMEM;
    void *page = osrv_frame(s, f);
    enum sas_error e = SAS_OK;
    if (o->durable) {
        /* A map item of a page not mapped here maps nothing: the pool is paged lazily. */
        *(volatile uint8_t *)page = 0;
        e = s->env.page_read(s->env.ctx, va, page);
        s->st.pages_read++;
    } else {
        memset(page, 0, PAGE);
    }
    s->env.unmap(s->env.ctx, page, 0);
    if (e) {
        osrv_pages_free(s, o, va, va + PAGE);
        return e;
    }
    *out = f;
    return SAS_OK;
}

static enum server_action op_fault(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    struct obj_record rec;
    struct cap_decision dec;
    domain_id d;
    uint32_t f;
    uint64_t va = msg->m->w[0] & ~(uint64_t)(PAGE - 1);
    unsigned access = (unsigned)msg->m->w[1];
    /* During a commit: only what memory and capstore answer; the rest waits (osrv.h). */
    if (s->c.busy && (osrv_bound(s, msg->from, &d) || osrv_page_find(s, va) == OSRV_NIL))
        return queue(s, msg);
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e || l4_tid_lthread(msg->from) != 0)
        return fail(msg, e ? e : SAS_EPERM);
    if (l4_msgtag_u(msg->tag) < 2 || !access ||
        (msg->m->w[1] & ~(uint64_t)(CAP_R_READ | CAP_R_WRITE | CAP_R_EXEC)))
        return fail(msg, SAS_EINVAL);
    if ((e = obj_find(s->table, va, &rec)))
        return fail(msg, e);
    struct osrv_obj *o = osrv_obj_find(s, rec.base);
    if (!o)
        return fail(msg, SAS_ENOTFOUND);
    if (o->committing && (access & CAP_R_WRITE))
        return queue(s, msg);
    e = allowed(s, d, &rec, va, access, &dec);
    if (e == SAS_ECAP_DENIED) {
        msg->m->w[0] = dec.reason;
        return server_reply(msg, SAS_ECAP_DENIED, 1, 0);
    }
    if (e || (e = page_get(s, o, va, &f)))
        return fail(msg, e);
    s->st.faults++;
    msg->m->w[0] = l4_fpage((uint64_t)(uintptr_t)osrv_frame(s, f), 12, fpage_rights(dec.rights));
    msg->m->w[1] = va;
    return server_reply(msg, SAS_OK, 0, 2);
}

static enum server_action op_stats(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    domain_id d;
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e)
        return fail(msg, e);
    *msg->m = (l4_msg_t){ { obj_count(s->table), s->resident, s->st.faults, s->st.pages_read,
                            s->st.pages_written, s->st.commits, s->st.checks, s->st.domains } };
    return server_reply(msg, SAS_OK, 8, 0);
}

static enum server_action op_frame(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct obj_record rec;
    domain_id d;
    uint64_t va = msg->m->w[0] & ~(uint64_t)(PAGE - 1);
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e || (e = find_allowed(s, d, va, CAP_R_READ, &rec)))
        return fail(msg, e);
    uint32_t f = osrv_page_find(s, va);
    if (f == OSRV_NIL)
        return fail(msg, SAS_ENOTFOUND);
    msg->m->w[0] = f;
    return server_reply(msg, SAS_OK, 1, 0);
}

/* A capability from words first.. of msg. */
static void cap_from(struct osrv *s, struct server_msg *msg, unsigned first, struct cap *c)
{
    for (unsigned i = 0; i < OBJ_CAP_WORDS; i++)
        memcpy((uint8_t *)c + 8 * i, word(s, msg, first + i), 8);
}

/* A change to c's object's capabilities is durable at once if the object is (else it
 * waits for the object's first commit, with the object: osrv_store.c). */
static enum sas_error caps_changed(struct osrv *s, const struct cap *c)
{
    struct osrv_obj *o = osrv_obj_find(s, c->base);
    return o && o->durable ? osrv_txn(s, 0, 0, 0, 0) : osrv_drain(s);
}

static enum server_action op_grant(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct cap c;
    char to[OSRV_DOMAIN_NAME];
    domain_id d;
    cap_from(s, msg, 4, &c);       /* copied before any IPC can overwrite the UTCB */
    memcpy(to, &msg->m->w[0], sizeof to);
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e)
        return fail(msg, e);
    if (l4_msgtag_u(msg->tag) < 4 + OBJ_CAP_WORDS || to[OSRV_DOMAIN_NAME - 1])
        return fail(msg, SAS_EINVAL);
    /* A domain is a persistent list: a grant to one no program ran in yet makes it (a
     * new domain is durable at once, as when root binds a program to it). */
    domain_id to_id;
    int created = 0;
    if ((e = s->env.domain(s->env.ctx, to, &to_id, &created)) ||
        (created && (e = osrv_txn(s, 0, 0, 0, 0))))
        return fail(msg, e);
    s->st.domains += created;
    e = s->env.grant(s->env.ctx, d, to, &c);
    decisions_changed(s);
    if (e || (e = caps_changed(s, &c)))
        return fail(msg, e);
    return server_reply(msg, SAS_OK, 0, 0);
}

static enum server_action op_cap_add(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct cap c;
    domain_id d;
    cap_from(s, msg, 0, &c);
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e)
        return fail(msg, e);
    if (l4_msgtag_u(msg->tag) < OBJ_CAP_WORDS)
        return fail(msg, SAS_EINVAL);
    e = s->env.cap_add(s->env.ctx, d, &c);
    decisions_changed(s);
    if (e || (e = caps_changed(s, &c)))
        return fail(msg, e);
    return server_reply(msg, SAS_OK, 0, 0);
}

static enum server_action op_caps(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct cap c;
    domain_id d;
    unsigned count = 0;
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e)
        return fail(msg, e);
    if (!l4_msgtag_u(msg->tag) || msg->m->w[0] > UINT32_MAX)
        return fail(msg, SAS_EINVAL);
    if ((e = s->env.cap_list(s->env.ctx, d, (unsigned)msg->m->w[0], &c, &count)))
        return fail(msg, e);
    for (unsigned i = 0; i < OBJ_CAP_WORDS; i++)
        memcpy(word(s, msg, i), (const uint8_t *)&c + 8 * i, 8);
    *word(s, msg, OBJ_CAP_WORDS) = count;
    return server_reply(msg, SAS_OK, OBJ_CAP_WORDS + 1, 0);
}

/* capstore's answer for the caller's own domain, asked without the decision cache's
 * shortcut mattering: the same check a fault makes. */
static enum server_action op_why(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct obj_record rec;
    struct cap_decision dec;
    domain_id d;
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e)
        return fail(msg, e);
    uint64_t access = msg->m->w[1];
    if (l4_msgtag_u(msg->tag) < 2 || !access ||
        (access & ~(uint64_t)(CAP_R_READ | CAP_R_WRITE | CAP_R_EXEC)))
        return fail(msg, SAS_EINVAL);
    if ((e = obj_find(s->table, msg->m->w[0], &rec)))
        return fail(msg, e);
    e = allowed(s, d, &rec, msg->m->w[0], (unsigned)access, &dec);
    if (e && e != SAS_ECAP_DENIED)
        return fail(msg, e);
    msg->m->w[0] = dec.allow | (uint64_t)dec.reason << 8 | (uint64_t)dec.rights << 16;
    memcpy(&msg->m->w[1], dec.tag, sizeof dec.tag);
    msg->m->w[3] = rec.base;
    return server_reply(msg, SAS_OK, 4, 0);
}

/* The committer's report: the commit's reply and the queued requests go out next
 * (osrv_deferred), from this message's wake. Only the committer may send it. */
static enum server_action op_done(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    struct osrv_commit *c = &s->c;
    if (!c->busy || l4_tid_is_nil(c->thread) || msg->from != c->thread)
        return SERVER_DROP;
    for (unsigned i = 0; i < c->n; i++)
        c->objs[i]->committing = 0;
    c->result = (enum sas_error)msg->m->w[0];
    c->pages = msg->m->w[1];
    c->busy = 0;
    c->done = 1;
    msg->wake = 1;
    return SERVER_DROP;
}

int osrv_deferred(void *state, l4_threadid_t *to, l4_msgtag_t *tag, l4_msg_t *m)
{
    struct osrv *s = state;
    struct osrv_commit *c = &s->c;
    if (c->done) {
        c->done = 0;
        *to = c->client;
        *tag = l4_msgtag(c->result, c->result ? 0 : 1, 0);
        m->w[0] = c->pages;
        return 1;
    }
    while (!c->busy && c->qn) {
        struct osrv_queued *q = &c->q[c->qhead];
        c->qhead = (c->qhead + 1) % OSRV_QUEUE;
        c->qn--;
        unsigned u = l4_msgtag_u(q->tag);
        for (unsigned i = 0; i < L4_MSG_REG_WORDS; i++)
            m->w[i] = i < u ? q->w[i] : 0;
        for (unsigned i = L4_MSG_REG_WORDS; i < u && i < L4_MSG_MAX_WORDS; i++)
            s->mr[i] = q->w[i];
        struct server_msg msg = { q->from, l4_tid_task(q->from), q->tag, m,
                                  l4_msgtag(SAS_OK, 0, 0), 0 };
        if (server_dispatch(s->srv, &msg) == SERVER_REPLY) {
            *to = msg.from;
            *tag = msg.reply;
            return 1;
        }
    }
    return 0;
}

const struct server_op osrv_ops[] = {
    { OBJ_FAULT, 0, 0, op_fault },
    { OBJ_CREATE, 0, 0, op_create },
    { OBJ_COMMIT, 0, 0, op_commit },
    { OBJ_DELETE, 0, 0, op_delete },
    { OBJ_RESIZE, 0, 0, op_resize },
    { OBJ_INFO, 0, 0, op_info },
    { OBJ_COMMIT_ALL, 0, 0, op_commit_all },
    { OBJ_STATS, 0, 0, op_stats },
    { OBJ_FRAME, 0, 0, op_frame },
    { OBJ_GRANT, 0, 0, op_grant },
    { OBJ_CAP_ADD, 0, 0, op_cap_add },
    { OBJ_CAPS, 0, 0, op_caps },
    { OBJ_WHY, 0, 0, op_why },
    { OSRV_COMMIT_DONE, 0, 0, op_done },
};
const unsigned osrv_nops = SERVER_NOPS(osrv_ops);

void osrv_server(struct osrv *s, struct server *out)
{
    *out = (struct server){ .ops = osrv_ops, .nops = osrv_nops, .state = s,
                            .deferred = osrv_deferred };
    s->srv = out;
}
