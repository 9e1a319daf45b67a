/*
 * osrv_ops.c — objmgr's protocol (sas/proto/objmgr.h): the object requests and the label
 * table. Each handler finds the caller's domain from root's binding first, then validates
 * every word, then changes state. Faults: osrv_fault.c; sharing: osrv_share.c; requests
 * that wait for a commit: osrv_queue.c.
 */
#include <stdio.h>
#include <string.h>
#include <sas/layout.h>
#include <sas/proto/objmgr.h>
#include "osrv_ops.h"

enum server_action osrv_op_create(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    domain_id d;
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e)
        return osrv_fail(msg, e);
    char label[OBJ_LABEL_BYTES];
    uint64_t size = msg->m->w[0], flags = msg->m->w[1];
    memcpy(label, &msg->m->w[2], sizeof label);
    if (l4_msgtag_u(msg->tag) < 6 || !size || size > SAS_OBJECT_END - SAS_OBJECT_BASE ||
        (flags & ~(uint64_t)OBJ_CREATE_PERSISTENT) || label[OBJ_LABEL_BYTES - 1])
        return osrv_fail(msg, SAS_EINVAL);
    if ((e = osrv_epoch_reserve(s)))
        return osrv_fail(msg, e);
    struct obj_spec spec = { size, 0, flags ? OBJ_PERSISTENT : 0, d, d,
                             s->env.now_ns(s->env.ctx), label };
    struct obj_record rec, freed;
    struct cap cap;
    if ((e = obj_create(s->table, &spec, &rec)))
        return osrv_fail(msg, e);
    if ((e = osrv_obj_add(s, &rec, 0)) ||
        (e = s->env.mint(s->env.ctx, rec.base, rec.epoch, d, &cap))) {
        struct osrv_obj *o = osrv_obj_find(s, rec.base);
        if (o)
            osrv_obj_drop(s, o);
        if (!obj_delete(s->table, rec.base, 0, &freed))
            obj_retire(s->table, freed.epoch, 0, 0);
        osrv_drain(s);
        osrv_pending_forget(s, rec.base);
        return osrv_fail(msg, e);
    }
    msg->m->w[0] = rec.base;
    for (unsigned i = 0; i < OBJ_CAP_WORDS; i++)
        memcpy(osrv_word(s, msg, 1 + i), (const uint8_t *)&cap + 8 * i, 8);
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
    return osrv_find_allowed(s, d, base, CAP_R_DELETE, rec);
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

enum server_action osrv_op_delete(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct obj_record rec, freed;
    struct osrv_obj *o = 0;
    uint64_t base = msg->m->w[0];
    enum sas_error e = deletable(s, msg, base, &rec, &o);
    if (e)
        return osrv_fail(msg, e);
    /* The store first: if it refuses, nothing has changed anywhere. */
    int durable = o->durable;
    if (durable) {
        struct osrv_change ch = { base, 0, base, rec.size / PAGE };
        if ((e = osrv_txn(s, 0, 0, &ch, 0)))
            return osrv_fail(msg, e);
    }
    /* Then its capabilities die (none can map it again) and its pages go from every task. */
    if ((e = s->env.retire(s->env.ctx, base)))
        printf("objmgr: capstore could not retire 0x%lx: %s (its capabilities name an "
               "epoch no object will have again)\n", (unsigned long)base, sas_strerror(e));
    osrv_decisions_changed(s);
    if ((e = obj_delete(s->table, base, 0, &freed)))
        return osrv_fail(msg, e);
    forget_range(s, o, base, &freed);
    osrv_obj_drop(s, o);
    osrv_drain(s);
    if (durable) {
        /* capstore's records of the retirement go with the next transaction, now if the
         * store takes one: until then a reboot only brings back dead capabilities. */
        osrv_pending_release(s, base);
        osrv_txn(s, 0, 0, 0, 0);
    } else {
        osrv_pending_forget(s, base);
    }
    return server_reply(msg, SAS_OK, 0, 0);
}

enum server_action osrv_op_resize(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct obj_record rec, now, freed = { 0 };
    struct osrv_obj *o = 0;
    uint64_t base = msg->m->w[0], size = (msg->m->w[1] + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    enum sas_error e = deletable(s, msg, base, &rec, &o);
    if (e)
        return osrv_fail(msg, e);
    if (!size || size < msg->m->w[1])
        return osrv_fail(msg, SAS_EINVAL);
    if (o->durable && size < rec.size) {
        now = rec;
        now.size = size;
        struct osrv_change ch = { base, &now, base + size, (rec.size - size) / PAGE };
        if ((e = osrv_txn(s, 0, 0, &ch, 0)))
            return osrv_fail(msg, e);
        o->record_stale = 0;            /* the transaction stored the record as it is now */
    }
    if ((e = obj_resize(s->table, base, size, &now, &freed)))
        return osrv_fail(msg, e);
    /* A grown durable object stays durable (its pages are in the store); its record says
     * the old size until its next commit writes it (osrv_store.c). */
    if (o->durable && size > rec.size)
        o->record_stale = 1;
    o->size = now.size;
    forget_range(s, o, base + now.size, &freed);
    msg->m->w[0] = now.size;
    return server_reply(msg, SAS_OK, 1, 0);
}

enum server_action osrv_op_info(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct obj_record rec;
    domain_id d;
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e || (e = osrv_find_allowed(s, d, msg->m->w[0], CAP_R_READ, &rec)))
        return osrv_fail(msg, e);
    struct osrv_obj *o = osrv_obj_find(s, rec.base);
    msg->m->w[0] = rec.base;
    msg->m->w[1] = rec.size;
    msg->m->w[2] = (rec.flags & OBJ_PERSISTENT ? OBJ_INFO_PERSISTENT : 0) |
                   (o && o->durable ? OBJ_INFO_DURABLE : 0);
    msg->m->w[3] = rec.epoch;
    msg->m->w[4] = rec.owner;
    msg->m->w[5] = rec.ctime;
    for (unsigned i = 0; i < 4; i++)
        memcpy(osrv_word(s, msg, 6 + i), rec.label + 8 * i, 8);
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
        return osrv_fail(msg, e);
    }
    enum sas_error e = osrv_txn(s, objs, n, 0, &pages);
    if (e)
        return osrv_fail(msg, e);
    msg->m->w[0] = pages;
    return server_reply(msg, SAS_OK, 1, 0);
}

enum server_action osrv_op_commit(void *state, struct server_msg *msg)
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
        addrs[i] = *osrv_word(s, msg, 1 + i);
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e)
        return osrv_fail(msg, e);
    if (!want || msg->m->w[0] > OBJ_COMMIT_MAX || l4_msgtag_u(msg->tag) < 1 + want)
        return osrv_fail(msg, SAS_EINVAL);
    for (unsigned i = 0; i < want; i++) {
        if ((e = osrv_find_allowed(s, d, addrs[i], CAP_R_WRITE, &rec)))
            return osrv_fail(msg, e);
        if (!(rec.flags & OBJ_PERSISTENT))
            return osrv_fail(msg, SAS_EINVAL);
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
enum server_action osrv_op_commit_all(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    static struct osrv_obj *objs[OSRV_COMMIT_OBJS];
    struct obj_record rec;
    domain_id d;
    unsigned n = 0;
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e)
        return osrv_fail(msg, e);
    for (e = obj_first(s->table, &rec); !e; e = obj_next(s->table, rec.base, &rec)) {
        if (rec.owner != d || !(rec.flags & OBJ_PERSISTENT))
            continue;
        if (n == sizeof objs / sizeof objs[0])
            return osrv_fail(msg, SAS_ENOMEM);
        objs[n++] = osrv_obj_find(s, rec.base);
    }
    return commit_objs(s, msg, objs, n);
}

enum server_action osrv_op_stats(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    domain_id d;
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e)
        return osrv_fail(msg, e);
    *msg->m = (l4_msg_t){ { obj_count(s->table), s->resident, s->st.faults, s->st.pages_read,
                            s->st.pages_written, s->st.commits, s->st.checks, s->st.domains } };
    return server_reply(msg, SAS_OK, 8, 0);
}

enum server_action osrv_op_frame(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct obj_record rec;
    domain_id d;
    uint64_t va = msg->m->w[0] & ~(uint64_t)(PAGE - 1);
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e || (e = osrv_find_allowed(s, d, va, CAP_R_READ, &rec)))
        return osrv_fail(msg, e);
    uint32_t f = osrv_page_find(s, va);
    if (f == OSRV_NIL)
        return osrv_fail(msg, SAS_ENOTFOUND);
    msg->m->w[0] = f;
    return server_reply(msg, SAS_OK, 1, 0);
}

const struct server_op osrv_ops[] = {
    { OBJ_FAULT, 0, 0, osrv_op_fault },
    { OBJ_CREATE, 0, 0, osrv_op_create },
    { OBJ_COMMIT, 0, 0, osrv_op_commit },
    { OBJ_DELETE, 0, 0, osrv_op_delete },
    { OBJ_RESIZE, 0, 0, osrv_op_resize },
    { OBJ_INFO, 0, 0, osrv_op_info },
    { OBJ_COMMIT_ALL, 0, 0, osrv_op_commit_all },
    { OBJ_STATS, 0, 0, osrv_op_stats },
    { OBJ_FRAME, 0, 0, osrv_op_frame },
    { OBJ_GRANT, 0, 0, osrv_op_grant },
    { OBJ_CAP_ADD, 0, 0, osrv_op_cap_add },
    { OBJ_CAPS, 0, 0, osrv_op_caps },
    { OBJ_WHY, 0, 0, osrv_op_why },
    { OBJ_REVOKE, 0, 0, osrv_op_revoke },
    { OSRV_COMMIT_DONE, 0, 0, osrv_op_done },
};
const unsigned osrv_nops = SERVER_NOPS(osrv_ops);

void osrv_server(struct osrv *s, struct server *out)
{
    *out = (struct server){ .ops = osrv_ops, .nops = osrv_nops, .state = s,
                            .deferred = osrv_deferred };
    s->srv = out;
}
