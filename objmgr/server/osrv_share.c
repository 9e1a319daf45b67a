/*
 * osrv_share.c — sharing between domains (issue 21): grants, capabilities a program adds to
 * its own list, the list itself, and capstore's reasons for the caller's own domain.
 */
#include <string.h>
#include <sas/proto/objmgr.h>
#include "osrv_ops.h"

/* A capability from words first.. of msg. */
static void cap_from(struct osrv *s, struct server_msg *msg, unsigned first, struct cap *c)
{
    for (unsigned i = 0; i < OBJ_CAP_WORDS; i++)
        memcpy((uint8_t *)c + 8 * i, osrv_word(s, msg, first + i), 8);
}

/* A change to c's object's capabilities is durable at once if the object is (else it
 * waits for the object's first commit, with the object: osrv_store.c). */
static enum sas_error caps_changed(struct osrv *s, const struct cap *c)
{
    struct osrv_obj *o = osrv_obj_find(s, c->base);
    return o && o->durable ? osrv_txn(s, 0, 0, 0, 0) : osrv_drain(s);
}

enum server_action osrv_op_grant(void *state, struct server_msg *msg)
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
        return osrv_fail(msg, e);
    if (l4_msgtag_u(msg->tag) < 4 + OBJ_CAP_WORDS || to[OSRV_DOMAIN_NAME - 1])
        return osrv_fail(msg, SAS_EINVAL);
    /* A domain is a persistent list: a grant to one no program ran in yet makes it —
     * once capstore has found the grant sound but for the missing domain (it checks the
     * capability and the granter's authority first), so a refused grant makes nothing.
     * A new domain is durable at once, as when root binds a program to it. */
    e = s->env.grant(s->env.ctx, d, to, &c);
    if (e == SAS_EDOMAIN_NOTFOUND) {
        domain_id to_id;
        int created = 0;
        if ((e = s->env.domain(s->env.ctx, to, &to_id, &created)) ||
            (created && (e = osrv_txn(s, 0, 0, 0, 0))))
            return osrv_fail(msg, e);
        s->st.domains += created;
        e = s->env.grant(s->env.ctx, d, to, &c);
    }
    osrv_decisions_changed(s);
    if (e || (e = caps_changed(s, &c)))
        return osrv_fail(msg, e);
    return server_reply(msg, SAS_OK, 0, 0);
}

/* The start of a request whose words are one capability (OBJ_CAP_ADD, OBJ_REVOKE): the
 * capability copied out (before any IPC overwrites the UTCB), the caller's domain, the
 * word count. */
static enum sas_error cap_words(struct osrv *s, struct server_msg *msg, struct cap *c,
                                domain_id *d)
{
    cap_from(s, msg, 0, c);
    enum sas_error e = osrv_bind(s, msg->from, d);
    return e ? e : l4_msgtag_u(msg->tag) < OBJ_CAP_WORDS ? SAS_EINVAL : SAS_OK;
}

enum server_action osrv_op_cap_add(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct cap c;
    domain_id d;
    enum sas_error e = cap_words(s, msg, &c, &d);
    if (e)
        return osrv_fail(msg, e);
    e = s->env.cap_add(s->env.ctx, d, &c);
    osrv_decisions_changed(s);
    if (e || (e = caps_changed(s, &c)))
        return osrv_fail(msg, e);
    return server_reply(msg, SAS_OK, 0, 0);
}

enum server_action osrv_op_caps(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct cap c;
    domain_id d;
    unsigned count = 0;
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e)
        return osrv_fail(msg, e);
    if (!l4_msgtag_u(msg->tag) || msg->m->w[0] > UINT32_MAX)
        return osrv_fail(msg, SAS_EINVAL);
    if ((e = s->env.cap_list(s->env.ctx, d, (unsigned)msg->m->w[0], &c, &count)))
        return osrv_fail(msg, e);
    for (unsigned i = 0; i < OBJ_CAP_WORDS; i++)
        memcpy(osrv_word(s, msg, i), (const uint8_t *)&c + 8 * i, 8);
    *osrv_word(s, msg, OBJ_CAP_WORDS) = count;
    return server_reply(msg, SAS_OK, OBJ_CAP_WORDS + 1, 0);
}

/* capstore's answer for the caller's own domain, asked without the decision cache's
 * shortcut mattering: the same check a fault makes. */
enum server_action osrv_op_why(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct obj_record rec;
    struct cap_decision dec;
    domain_id d;
    enum sas_error e = osrv_bind(s, msg->from, &d);
    if (e)
        return osrv_fail(msg, e);
    uint64_t access = msg->m->w[1];
    if (l4_msgtag_u(msg->tag) < 2 || !access ||
        (access & ~(uint64_t)(CAP_R_READ | CAP_R_WRITE | CAP_R_EXEC)))
        return osrv_fail(msg, SAS_EINVAL);
    if ((e = obj_find(s->table, msg->m->w[0], &rec)))
        return osrv_fail(msg, e);
    e = osrv_allowed(s, d, &rec, msg->m->w[0], (unsigned)access, &dec);
    if (e && e != SAS_ECAP_DENIED)
        return osrv_fail(msg, e);
    msg->m->w[0] = dec.allow | (uint64_t)dec.reason << 8 | (uint64_t)dec.rights << 16;
    memcpy(&msg->m->w[1], dec.tag, sizeof dec.tag);
    msg->m->w[3] = rec.base;
    return server_reply(msg, SAS_OK, 4, 0);
}

/* Every task's pages of o go (the kernel's unmap is recursive), their dirty bits kept: a
 * domain that still may access them faults and is checked again. */
static void unmap_everywhere(struct osrv *s, struct osrv_obj *o)
{
    for (uint32_t f = o->pages; f != OSRV_NIL; f = s->frames[f].onext)
        if (s->env.unmap(s->env.ctx, osrv_frame(s, f), L4_FPAGE_RWX) & 2u)
            s->frames[f].dirty = 1;
}

enum server_action osrv_op_revoke(void *state, struct server_msg *msg)
{
    struct osrv *s = state;
    WAIT_FOR_COMMIT(s, msg);
    struct cap c;
    domain_id d;
    enum sas_error e = cap_words(s, msg, &c, &d);
    if (e || (e = s->env.revoke(s->env.ctx, &c)))
        return osrv_fail(msg, e);
    osrv_decisions_changed(s);
    struct osrv_obj *o = osrv_obj_find(s, c.base);
    if (o && o->epoch == c.epoch)
        unmap_everywhere(s, o);
    if ((e = caps_changed(s, &c)))
        return osrv_fail(msg, e);
    return server_reply(msg, SAS_OK, 0, 0);
}
