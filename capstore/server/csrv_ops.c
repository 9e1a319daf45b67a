/*
 * csrv_ops.c — the requests of sas/proto/capstore.h as plain functions over the server's
 * state (struct csrv): the sender is checked first, then the words, then the library is
 * called; the reply is filled in. No IPC here: the hooks of csrv.h reach root and the
 * kernel, so the file is host-tested (tests/unit/test_capstore_server.c), through its own
 * label table, csrv_ops, at the end.
 */
#include <stdlib.h>
#include <string.h>
#include <sas/layout.h>
#include "csrv.h"

/* Is the sender of objmgr's task? objmgr starts after capstore, so its server thread is
 * asked of root when a sender calls and no live objmgr is known, and kept. The thread
 * that root named is calling, or it is asked whether it still exists: a task number of a
 * deleted objmgr may be reused. */
static int from_objmgr(struct csrv *s, l4_threadid_t from)
{
    if (!l4_tid_is_nil(s->objmgr)) {
        if (from == s->objmgr)
            return 1;
        if (csrv_thread_alive(s->objmgr))
            return l4_tid_same_task(from, s->objmgr);
        s->objmgr = L4_NILTHREAD;
    }
    l4_threadid_t id;
    if (csrv_objmgr_find(&id) != SAS_OK || l4_tid_is_nil(id) || !csrv_thread_alive(id))
        return 0;
    s->objmgr = id;
    return l4_tid_same_task(from, id);
}

/* A request's body: reads the request's words in m, writes the reply's there (and in
 * s->mr beyond 8) and their count in *u; returns the reply's status. */
typedef enum sas_error csrv_req(struct csrv *s, l4_msg_t *m, unsigned *u);

/* Everything a request goes through alike: the sender, the word count, the reply. */
static enum server_action serve(void *state, struct server_msg *msg, csrv_req *fn,
                                unsigned words)
{
    struct csrv *s = state;
    unsigned u = 0;
    if (!from_objmgr(s, msg->from))
        return server_reply(msg, SAS_EPERM, 0, 0);
    if (l4_msgtag_u(msg->tag) != words)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    enum sas_error e = fn(s, msg->m, &u);
    return server_reply(msg, e, e ? 0 : u, 0);
}

/* The domain name in the CAPSTORE_NAME_BYTES bytes from word w into name (a C string):
 * 1..31 bytes of [A-Za-z0-9._-], then zeros only; else SAS_EINVAL. */
static enum sas_error name_get(struct csrv *s, l4_msg_t *m, unsigned w,
                               char name[CAPSTORE_NAME_BYTES + 1])
{
    memset(name, 0, CAPSTORE_NAME_BYTES + 1);
    csc_unpack(m, s->mr, w, name, CAPSTORE_NAME_BYTES);
    size_t n = strlen(name);
    if (n == 0 || n > CAP_DOMAIN_NAME_MAX)
        return SAS_EINVAL;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
            return SAS_EINVAL;
    }
    for (size_t i = n; i < CAPSTORE_NAME_BYTES; i++)
        if (name[i])
            return SAS_EINVAL;                  /* NUL-padded means zeros to the end */
    return SAS_OK;
}

/* A domain id in a word: one that exists (an id above 2^32 - 1 never does). */
static enum sas_error dom_get(struct csrv *s, uint64_t w, struct domain_info *di)
{
    if (w > UINT32_MAX || domain_info(s->cs, (domain_id)w, di) != SAS_OK)
        return SAS_EDOMAIN_NOTFOUND;
    return SAS_OK;
}

static enum sas_error domain_req(struct csrv *s, l4_msg_t *m, unsigned *u)
{
    char name[CAPSTORE_NAME_BYTES + 1];
    if (name_get(s, m, 0, name) != SAS_OK)
        return SAS_EINVAL;
    domain_id id;
    int created = 0;
    enum sas_error e = domain_find(s->cs, name, &id);
    if (e == SAS_EDOMAIN_NOTFOUND) {
        e = domain_create(s->cs, name, &id);
        created = 1;
    }
    if (e != SAS_OK)
        return e;
    m->w[0] = id;
    m->w[1] = (l4_word_t)created;
    *u = 2;
    return SAS_OK;
}

/* The owner's capability: the mint writes the object's record (a new epoch's), the add
 * the domain's; so everything that could refuse the add is asked first. */
static enum sas_error mint_req(struct csrv *s, l4_msg_t *m, unsigned *u)
{
    uint64_t base = m->w[0], epoch = m->w[1], d = m->w[2];
    struct domain_info di;
    if (dom_get(s, d, &di) != SAS_OK)
        return SAS_EDOMAIN_NOTFOUND;
    if (di.locked)
        return SAS_EDOMAIN_LOCKED;
    if (!csrv_log_room(&s->log, 2))
        return SAS_EBUSY;
    struct cap_link owner = cap_link_make(CAP_R_ALL, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct cap c;
    enum sas_error e = cap_mint(s->cs, base, epoch, &owner, &c);
    if (e == SAS_OK)
        e = domain_add(s->cs, (domain_id)d, &c, csrv_now());
    if (e != SAS_OK)
        return e;
    _Static_assert(sizeof c == CAPSTORE_CAP_BYTES, "MINT's reply is a struct cap");
    csc_pack(m, s->mr, 0, &c, sizeof c);
    *u = CAPSTORE_CAP_WORDS;
    return SAS_OK;
}

static enum sas_error check_req(struct csrv *s, l4_msg_t *m, unsigned *u)
{
    struct cap_object obj = { .base = m->w[1], .size = m->w[2], .epoch = m->w[3] };
    struct cap_decision d;
    if (m->w[0] > UINT32_MAX)
        return SAS_EDOMAIN_NOTFOUND;
    if (m->w[5] > UINT32_MAX)
        return SAS_EINVAL;                      /* unknown access bits, above 32 */
    enum sas_error e = cap_check(s->cs, (domain_id)m->w[0], &obj, m->w[4],
                                 (unsigned)m->w[5], csrv_now(), &d);
    if (e != SAS_OK)
        return e;
    m->w[0] = d.allow | (uint64_t)d.reason << 8 | (uint64_t)d.rights << 16 |
              (uint64_t)d.cached << 24;
    m->w[1] = d.lo;
    m->w[2] = d.hi;
    m->w[3] = d.valid_until;
    memcpy(&m->w[4], d.tag, CAP_TAG_BYTES);
    *u = 6;
    return SAS_OK;
}

/* WHY is CHECK asked for a program: the same words, the same answer (the cache is exact,
 * sas/proto/capstore.h); its own label lets the two part later. */
static enum sas_error why_req(struct csrv *s, l4_msg_t *m, unsigned *u)
{
    return check_req(s, m, u);
}

/* ---- Sharing: grant, add, the list, revoke --------------------------------------- */

/* Is c derived from p, or p itself? Both verifying, equal headers and p's links first in
 * c's chain mean c's tag chain passes through p's tag (its t[i] depend on the key and the
 * links up to i only): c grants no more than p, and dies when p is revoked. */
static int derived_from(const struct cap *c, const struct cap *p)
{
    return p->nlinks >= 1 && p->nlinks <= c->nlinks && c->base == p->base &&
           c->epoch == p->epoch && c->rgen == p->rgen && c->version == p->version &&
           memcmp(c->link, p->link, p->nlinks * sizeof p->link[0]) == 0;
}

struct grant_search {
    struct capstore *cs;
    const struct cap *c;              /* the capability granted, verified */
    uint64_t now;
    int found;
};

/* One capability of the granter's list: may it be the source of the grant? (The granted
 * one verifying implies that its source would; the entry is verified all the same, so that
 * authority is never taken from a list entry damaged in the store.) */
static int grant_source(void *arg, const struct cap *p)
{
    struct grant_search *g = arg;
    if (p->base > g->c->base)
        return 1;                     /* the list is in base order: no more candidates */
    g->found = derived_from(g->c, p) && (cap_last(p)->rights & CAP_R_GRANT) &&
               cap_verify(g->cs, p, g->now) == SAS_OK;
    return g->found;
}

static enum sas_error grant_req(struct csrv *s, l4_msg_t *m, unsigned *u)
{
    char name[CAPSTORE_NAME_BYTES + 1];
    struct domain_info from;
    domain_id to;
    struct cap c;
    (void)u;
    if (name_get(s, m, 1, name) != SAS_OK)
        return SAS_EINVAL;
    enum sas_error e = dom_get(s, m->w[0], &from);
    if (e != SAS_OK)
        return e;
    /* The capability and the granter's authority before the receiver: a refusal for the
     * receiver alone (SAS_EDOMAIN_NOTFOUND) then means the grant itself is sound, and
     * objmgr may make the domain and ask again. */
    csc_unpack(m, s->mr, 5, &c, sizeof c);
    struct grant_search g = { s->cs, &c, csrv_now(), 0 };
    if ((e = cap_verify(s->cs, &c, g.now)) != SAS_OK)
        return e;
    domain_caps_each(s->cs, from.id, grant_source, &g);
    if (!g.found)
        return SAS_ECAP_DENIED;
    if ((e = domain_find(s->cs, name, &to)) != SAS_OK)
        return e;                       /* found, never created: objmgr resolves nothing */
    return domain_add(s->cs, to, &c, g.now);
}

static enum sas_error add_req(struct csrv *s, l4_msg_t *m, unsigned *u)
{
    struct domain_info d;
    struct cap c;
    uint64_t now = csrv_now();
    (void)u;
    enum sas_error e = dom_get(s, m->w[0], &d);
    if (e != SAS_OK)
        return e;
    csc_unpack(m, s->mr, 1, &c, sizeof c);
    if ((e = cap_verify(s->cs, &c, now)) != SAS_OK)
        return e;                       /* the capability's fault before the domain's */
    return domain_add(s->cs, d.id, &c, now);
}

struct nth_cap {
    uint64_t i;
    struct cap c;
};

static int nth_cap(void *arg, const struct cap *c)
{
    struct nth_cap *n = arg;
    if (n->i-- > 0)
        return 0;
    n->c = *c;
    return 1;
}

static enum sas_error caps_req(struct csrv *s, l4_msg_t *m, unsigned *u)
{
    struct domain_info d;
    enum sas_error e = dom_get(s, m->w[0], &d);
    if (e != SAS_OK)
        return e;
    if (m->w[1] >= d.ncaps)
        return SAS_ENOTFOUND;
    struct nth_cap n = { .i = m->w[1] };
    domain_caps_each(s->cs, d.id, nth_cap, &n);
    csc_pack(m, s->mr, 0, &n.c, sizeof n.c);
    *csc_word(m, s->mr, CAPSTORE_CAP_WORDS) = d.ncaps;
    *u = CAPSTORE_CAP_WORDS + 1;
    return SAS_OK;
}

/* cap_revoke stores the object's record with its revocation set; past CAPSTORE_REVSET_MAX
 * tags that record exceeds CAPSTORE_VALUE_MAX, which the log refuses with SAS_EINVAL (the
 * only SAS_EINVAL cap_revoke can meet, its key being fixed): the set is full as far as
 * objmgr can store it, so the caller is told what the library says of a full set. */
static enum sas_error revoke_req(struct csrv *s, l4_msg_t *m, unsigned *u)
{
    struct cap c;
    (void)u;
    csc_unpack(m, s->mr, 0, &c, sizeof c);
    enum sas_error e = cap_revoke(s->cs, &c);
    return e == SAS_EINVAL ? SAS_ECAP_REVSET_FULL : e;
}

/* An object is gone: its capabilities die (cap_retire), and leave every list, so lists
 * and the store do not fill with the dead ones of objects created and deleted at one
 * base. The removals' records go to the log like any change. */
static enum sas_error retire_req(struct csrv *s, l4_msg_t *m, unsigned *u)
{
    (void)u;
    enum sas_error e = cap_retire(s->cs, m->w[0]);
    return e ? e : domain_remove_base(s->cs, m->w[0]);
}

static enum sas_error log_req(struct csrv *s, l4_msg_t *m, unsigned *u)
{
    struct csrv_rec *r = csrv_log_take(&s->log);
    if (r == NULL)
        return SAS_ENOTFOUND;
    m->w[0] = r->op | (uint64_t)r->klen << 8 | (uint64_t)r->vlen << 16;
    csc_pack(m, s->mr, 1, r->bytes, (size_t)r->klen + r->vlen);
    *u = 1 + ((unsigned)r->klen + r->vlen + 7) / 8;
    free(s->taken);
    s->taken = r;
    return SAS_OK;
}

enum server_action csrv_reply_failed(void *state, struct server_msg *msg, unsigned err)
{
    struct csrv *s = state;
    (void)err;
    if (l4_msgtag_label(msg->tag) == CAPSTORE_LOG && l4_msgtag_label(msg->reply) == SAS_OK &&
        s->taken) {
        csrv_log_untake(&s->log, s->taken);
        s->taken = NULL;
    }
    return SERVER_DROP;
}

static enum sas_error forget_req(struct csrv *s, l4_msg_t *m, unsigned *u)
{
    uint64_t base = m->w[0];
    if (base % SAS_PAGE_SIZE || base < SAS_OBJECT_BASE || base >= SAS_OBJECT_END)
        return SAS_EINVAL;
    m->w[0] = csrv_log_forget(&s->log, base);
    *u = 1;
    return SAS_OK;
}

static enum sas_error stats_req(struct csrv *s, l4_msg_t *m, unsigned *u)
{
    struct capstore_stats st;
    capstore_stats(s->cs, &st);
    *m = (l4_msg_t){ { st.checks, st.cache_hits, st.macs } };
    *u = 3;
    return SAS_OK;
}

#define CSRV_OP(name, words)                                                 \
    static enum server_action op_##name(void *state, struct server_msg *msg) \
    {                                                                        \
        return serve(state, msg, name##_req, words);                         \
    }
CSRV_OP(check, 6)
CSRV_OP(domain, 4)
CSRV_OP(mint, 3)
CSRV_OP(retire, 1)
CSRV_OP(log, 0)
CSRV_OP(forget, 1)
CSRV_OP(stats, 0)
CSRV_OP(why, 6)
CSRV_OP(grant, 5 + CAPSTORE_CAP_WORDS)
CSRV_OP(add, 1 + CAPSTORE_CAP_WORDS)
CSRV_OP(caps, 2)
CSRV_OP(revoke, CAPSTORE_CAP_WORDS)

/* CHECK first: objmgr asks it on every fault. */
const struct server_op csrv_ops[] = {
    { CAPSTORE_CHECK, 0, 0, op_check },
    { CAPSTORE_LOG, 0, 0, op_log },
    { CAPSTORE_MINT, 0, 0, op_mint },
    { CAPSTORE_DOMAIN, 0, 0, op_domain },
    { CAPSTORE_RETIRE, 0, 0, op_retire },
    { CAPSTORE_FORGET, 0, 0, op_forget },
    { CAPSTORE_STATS, 0, 0, op_stats },
    { CAPSTORE_WHY, 0, 0, op_why },
    { CAPSTORE_GRANT, 0, 0, op_grant },
    { CAPSTORE_ADD, 0, 0, op_add },
    { CAPSTORE_CAPS, 0, 0, op_caps },
    { CAPSTORE_REVOKE, 0, 0, op_revoke },
};
const unsigned csrv_nops = SERVER_NOPS(csrv_ops);
