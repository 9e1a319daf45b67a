/*
 * osrv_fault.c — the pager: a fault in the object region (OBJ_FAULT, from the faulting
 * task's system thread) gets the object's frame mapped with exactly the rights capstore
 * allows the task's domain; and objmgr's cache of capstore's allowing decisions (osrv.h).
 */
#include <string.h>
#include <sas/proto/objmgr.h>
#include "osrv_ops.h"

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
enum sas_error osrv_allowed(struct osrv *s, domain_id d, const struct obj_record *rec,
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
void osrv_decisions_changed(struct osrv *s)
{
    s->dgen++;
}

/* The object holding addr and the caller's right to `access` it. */
enum sas_error osrv_find_allowed(struct osrv *s, domain_id d, uint64_t addr, unsigned access,
                                 struct obj_record *rec)
{
    struct cap_decision dec;
    enum sas_error e = obj_find(s->table, addr, rec);
    return e ? e : osrv_allowed(s, d, rec, addr, access, &dec);
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

enum server_action osrv_op_fault(void *state, struct server_msg *msg)
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
        return osrv_queue(s, msg);
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e || l4_tid_lthread(msg->from) != 0)
        return osrv_fail(msg, e ? e : SAS_EPERM);
    if (l4_msgtag_u(msg->tag) < 2 || !access ||
        (msg->m->w[1] & ~(uint64_t)(CAP_R_READ | CAP_R_WRITE | CAP_R_EXEC)))
        return osrv_fail(msg, SAS_EINVAL);
    if ((e = obj_find(s->table, va, &rec)))
        return osrv_fail(msg, e);
    struct osrv_obj *o = osrv_obj_find(s, rec.base);
    if (!o)
        return osrv_fail(msg, SAS_ENOTFOUND);
    if (o->committing && (access & CAP_R_WRITE))
        return osrv_queue(s, msg);
    e = osrv_allowed(s, d, &rec, va, access, &dec);
    if (e == SAS_ECAP_DENIED) {
        msg->m->w[0] = dec.reason;
        return server_reply(msg, SAS_ECAP_DENIED, 1, 0);
    }
    if (e || (e = page_get(s, o, va, &f)))
        return osrv_fail(msg, e);
    s->st.faults++;
    unsigned rights = fpage_rights(dec.rights);
    if (o->committing)               /* being stored: no task may write it meanwhile */
        rights &= ~(unsigned)L4_FPAGE_W;
    msg->m->w[0] = l4_fpage((uint64_t)(uintptr_t)osrv_frame(s, f), 12, rights);
    msg->m->w[1] = va;
    return server_reply(msg, SAS_OK, 0, 2);
}
