/*
 * test_capstore_server.c — the capstore server's requests (capstore/server/csrv_ops.c,
 * dispatched through its own label table by sas/server.h's step) and its backend, the log
 * (csrv_log.c), on the host. The hooks that reach root and the kernel are faked: objmgr's
 * id as root would name it, a set of dead threads, a settable clock. The store capstore
 * loads from is a fake source over a capstore_mem table (persist's database in the guest).
 *
 * What the log holds must be what capstore would have stored itself: the tests replay the
 * drained log into a capstore_mem, reopen it, and compare domains, capabilities, object
 * records and decisions with the server's. The fuzz sends 10^5 random and malformed
 * requests (labels around the protocol's, random word counts and words, strangers among
 * the senders; for GRANT, ADD and REVOKE, capabilities it has seen, narrowed or with a bit
 * flipped) and checks the same afterwards, and that a failed request logged nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <l4/errors.h>
#include <sas/layout.h>
#include "csrv.h"

#define OBJ_A     (SAS_OBJECT_BASE + 0x10000)
#define OBJ_B     (SAS_OBJECT_BASE + 0x20000)
#define OBJ_SIZE  0x4000u
#define NOW       1700000000ull
#define MAX_DEAD  8u

/* objmgr's server thread, another thread of its task, and a stranger. */
#define OBJMGR        l4_tid_make(9, 1, 91)
#define OBJMGR_OTHER  l4_tid_make(9, 5, 95)
#define STRANGER      l4_tid_make(10, 1, 101)

static struct {
    l4_threadid_t objmgr;            /* what root answers; nil: SAS_ENOTFOUND */
    unsigned finds;                  /* times root was asked */
    l4_threadid_t dead[MAX_DEAD];
    unsigned ndead;
    uint64_t now;
    l4_word_t mr[L4_MSG_MAX_WORDS];  /* the "UTCB" words 8.. */
} fk;

enum sas_error csrv_objmgr_find(l4_threadid_t *id)
{
    fk.finds++;
    if (l4_tid_is_nil(fk.objmgr))
        return SAS_ENOTFOUND;
    *id = fk.objmgr;
    return SAS_OK;
}

int csrv_thread_alive(l4_threadid_t t)
{
    for (unsigned i = 0; i < fk.ndead; i++)
        if (fk.dead[i] == t)
            return 0;
    return 1;
}

uint64_t csrv_now(void)
{
    return fk.now;
}

/* ---- The fake source: a snapshot of a capstore_mem's records, in key order ---------- */

struct src {
    struct csc_record *rec;
    size_t n, cap;
    unsigned calls;
    enum sas_error fail;             /* returned by the next call if set */
    int disorder;                    /* give the first record again: out of order */
};

static int keycmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

static int src_add(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct src *s = arg;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->rec = realloc(s->rec, s->cap * sizeof *s->rec);
        assert_non_null(s->rec);
    }
    struct csc_record *r = &s->rec[s->n++];
    assert_true(klen <= CAPSTORE_KEY_MAX && vlen <= CAPSTORE_VALUE_MAX);
    *r = (struct csc_record){ CAPSTORE_LOG_PUT, (unsigned)klen, (unsigned)vlen, { 0 }, { 0 } };
    memcpy(r->key, key, klen);
    memcpy(r->value, val, vlen);
    return 0;
}

/* What PERSIST_DB_NEXT would answer over the snapshot. */
static enum sas_error src_next(void *arg, const uint8_t *key, size_t klen,
                               struct csc_record *out)
{
    struct src *s = arg;
    s->calls++;
    if (s->fail) {
        enum sas_error e = s->fail;
        s->fail = SAS_OK;
        return e;
    }
    if (s->disorder && klen && s->n) {
        *out = s->rec[0];
        return SAS_OK;
    }
    for (size_t i = 0; i < s->n; i++)
        if (!klen || keycmp(s->rec[i].key, s->rec[i].klen, key, klen) > 0) {
            *out = s->rec[i];
            return SAS_OK;
        }
    return SAS_ENOTFOUND;
}

static struct src *src_of(struct capstore_mem *mem)
{
    struct src *s = calloc(1, sizeof *s);
    assert_non_null(s);
    if (mem) {
        struct capstore_backend be = capstore_mem_backend(mem);
        void *t;
        assert_int_equal(be.begin(be.ctx, 0, &t), SAS_OK);
        assert_int_equal(be.each(be.ctx, t, NULL, 0, src_add, s), SAS_OK);
        be.abort(be.ctx, t);
    }
    return s;
}

static void src_free(struct src *s)
{
    free(s->rec);
    free(s);
}

/* ---- The server, and requests to it ------------------------------------------------- */

struct fx {
    struct src *src;
    struct csrv srv;
    struct capstore_mem *mirror;     /* what objmgr stored of the log */
};

static enum sas_error server_open(struct fx *f, struct src *src)
{
    f->src = src;
    f->srv.mr = fk.mr;
    f->srv.objmgr = L4_NILTHREAD;
    csrv_log_init(&f->srv.log, (struct csrv_source){ src, src_next });
    struct capstore_backend be = csrv_log_backend(&f->srv.log);
    return capstore_open(&be, 0, &f->srv.cs);
}

static void server_close(struct fx *f)
{
    free(f->srv.taken);
    f->srv.taken = NULL;
    capstore_close(f->srv.cs);
    csrv_log_free(&f->srv.log);
    src_free(f->src);
    f->srv.cs = NULL;
}

static int setup(void **state)
{
    memset(&fk, 0, sizeof fk);
    fk.objmgr = OBJMGR;
    fk.now = NOW;
    struct fx *f = calloc(1, sizeof *f);
    if (f == NULL || capstore_mem_new(&f->mirror) != SAS_OK)
        return -1;
    if (server_open(f, src_of(NULL)) != SAS_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    if (f->srv.cs)
        server_close(f);
    capstore_mem_free(f->mirror);
    free(f);
    return 0;
}

struct reply {
    uint32_t status;
    unsigned u;
    enum server_action action;
    l4_msg_t m;
};

/* One request of u words w (beyond 8: in the fake UTCB) and t typed words. */
static struct reply request_t(struct fx *f, l4_threadid_t from, uint32_t label, unsigned u,
                              unsigned t, const l4_word_t *w)
{
    l4_msg_t m = { { 0 } };
    for (unsigned i = 0; i < u && i < L4_MSG_MAX_WORDS; i++)
        *csc_word(&m, fk.mr, i) = w ? w[i] : 0;
    struct server_msg msg = { from, l4_tid_task(from), l4_msgtag(label, u, t), &m,
                              l4_msgtag(SAS_OK, 0, 0), 0 };
    struct server loop = { .ops = csrv_ops, .nops = csrv_nops, .state = &f->srv };
    enum server_action a = server_dispatch(&loop, &msg);
    return (struct reply){ l4_msgtag_label(msg.reply), l4_msgtag_u(msg.reply), a, m };
}

static struct reply request(struct fx *f, uint32_t label, unsigned u, const l4_word_t *w)
{
    struct reply r = request_t(f, OBJMGR, label, u, 0, w);
    assert_int_equal(r.action, SERVER_REPLY);
    if (r.status != SAS_OK)
        assert_int_equal(r.u, 0);
    return r;
}

static void name_words(const char *name, l4_word_t w[4])
{
    char buf[CAPSTORE_NAME_BYTES] = { 0 };
    memcpy(buf, name, strlen(name));
    memcpy(w, buf, sizeof buf);
}

static uint32_t domain(struct fx *f, const char *name, int want_created)
{
    l4_word_t w[4];
    name_words(name, w);
    struct reply r = request(f, CAPSTORE_DOMAIN, 4, w);
    assert_int_equal(r.status, SAS_OK);
    assert_int_equal(r.u, 2);
    assert_int_equal(r.m.w[1], (l4_word_t)want_created);
    return (uint32_t)r.m.w[0];
}

static struct reply mint_r(struct fx *f, uint64_t base, uint64_t epoch, uint64_t dom)
{
    l4_word_t w[3] = { base, epoch, dom };
    return request(f, CAPSTORE_MINT, 3, w);
}

static struct cap mint(struct fx *f, uint64_t base, uint64_t epoch, uint32_t dom)
{
    struct reply r = mint_r(f, base, epoch, dom);
    struct cap c;
    assert_int_equal(r.status, SAS_OK);
    assert_int_equal(r.u, CAPSTORE_CAP_WORDS);
    csc_unpack(&r.m, fk.mr, 0, &c, sizeof c);
    return c;
}

static struct reply check_r(struct fx *f, uint64_t dom, uint64_t base, uint64_t epoch,
                            uint64_t addr, uint64_t access)
{
    l4_word_t w[6] = { dom, base, OBJ_SIZE, epoch, addr, access };
    return request(f, CAPSTORE_CHECK, 6, w);
}

/* CHECK's MR0 fields. */
#define ALLOW(r)  ((unsigned)((r).m.w[0] & 0xff))
#define REASON(r) ((unsigned)(((r).m.w[0] >> 8) & 0xff))
#define RIGHTS(r) ((unsigned)(((r).m.w[0] >> 16) & 0xff))

static struct reply one_word(struct fx *f, uint32_t label, uint64_t w0)
{
    l4_word_t w[1] = { w0 };
    return request(f, label, 1, w);
}

/* Takes one record off the log with CAPSTORE_LOG into *out; the reply's status. */
static uint32_t take(struct fx *f, struct csc_record *out)
{
    struct reply r = request(f, CAPSTORE_LOG, 0, NULL);
    if (r.status != SAS_OK)
        return r.status;
    out->op = r.m.w[0] & 0xff;
    out->klen = (r.m.w[0] >> 8) & 0xff;
    out->vlen = (unsigned)(r.m.w[0] >> 16);
    assert_true(out->op == CAPSTORE_LOG_PUT || out->op == CAPSTORE_LOG_DEL);
    assert_true(out->klen >= 1 && out->klen <= CAPSTORE_KEY_MAX);
    assert_true(out->vlen <= CAPSTORE_VALUE_MAX);
    assert_int_equal(r.u, 1 + (out->klen + out->vlen + 7) / 8);
    uint8_t bytes[CAPSTORE_KEY_MAX + CAPSTORE_VALUE_MAX];
    csc_unpack(&r.m, fk.mr, 1, bytes, out->klen + out->vlen);
    memcpy(out->key, bytes, out->klen);
    memcpy(out->value, bytes + out->klen, out->vlen);
    return SAS_OK;
}

/* objmgr's part: one record written to the store (here, the mirror). */
static void apply(struct capstore_mem *mem, const struct csc_record *r)
{
    struct capstore_backend be = capstore_mem_backend(mem);
    void *t;
    assert_int_equal(be.begin(be.ctx, 1, &t), SAS_OK);
    if (r->op == CAPSTORE_LOG_PUT)
        assert_int_equal(be.put(be.ctx, t, r->key, r->klen, r->value, r->vlen), SAS_OK);
    else {
        /* A removal's record may name a put FORGET took off the log (objmgr forgets an
         * object's records when it deletes the object before its first commit). */
        enum sas_error e = be.del(be.ctx, t, r->key, r->klen);
        assert_true(e == SAS_OK || e == SAS_ENOTFOUND);
    }
    assert_int_equal(be.commit(be.ctx, t), SAS_OK);
}

/* Drains the log into the mirror; returns the records drained. */
static unsigned drain(struct fx *f)
{
    struct csc_record r;
    unsigned n = 0;
    while (take(f, &r) == SAS_OK) {
        apply(f->mirror, &r);
        n++;
    }
    assert_int_equal(f->srv.log.n, 0);
    return n;
}

/* ---- Comparing two capstores --------------------------------------------------------- */

#define MAX_CAPS 16384u
#define MAX_DOMS 2048u

struct caps {
    struct cap c[MAX_CAPS];
    unsigned n;
    const uint64_t *skip;            /* bases not compared (forgotten) */
    unsigned nskip;
};

static int cap_add(void *arg, const struct cap *c)
{
    struct caps *l = arg;
    for (unsigned i = 0; i < l->nskip; i++)
        if (l->skip[i] == c->base)
            return 0;
    assert_true(l->n < MAX_CAPS);
    l->c[l->n++] = *c;
    return 0;
}

struct doms {
    struct domain_info d[MAX_DOMS];
    unsigned n;
};

static int dom_add(void *arg, const struct domain_info *d)
{
    struct doms *l = arg;
    assert_true(l->n < MAX_DOMS);
    l->d[l->n++] = *d;
    return 0;
}

/* a and b hold the same domains, the same capabilities in each (bases in skip aside) and
 * the same records of the objects in bases. */
static void same_state(struct capstore *a, struct capstore *b, const uint64_t *bases,
                       unsigned nbases, const uint64_t *skip, unsigned nskip)
{
    static struct doms da, db;
    static struct caps ca, cb;
    da.n = db.n = 0;
    assert_int_equal(domain_each(a, dom_add, &da), SAS_OK);
    assert_int_equal(domain_each(b, dom_add, &db), SAS_OK);
    assert_int_equal(da.n, db.n);
    for (unsigned i = 0; i < da.n; i++) {
        assert_int_equal(da.d[i].id, db.d[i].id);
        assert_int_equal(da.d[i].locked, db.d[i].locked);
        assert_string_equal(da.d[i].name, db.d[i].name);
        ca = (struct caps){ .skip = skip, .nskip = nskip };
        cb = (struct caps){ .skip = skip, .nskip = nskip };
        assert_int_equal(domain_caps_each(a, da.d[i].id, cap_add, &ca), SAS_OK);
        assert_int_equal(domain_caps_each(b, db.d[i].id, cap_add, &cb), SAS_OK);
        assert_int_equal(ca.n, cb.n);
        assert_memory_equal(ca.c, cb.c, ca.n * sizeof ca.c[0]);
    }
    for (unsigned i = 0; i < nbases; i++) {
        int skipped = 0;
        for (unsigned k = 0; k < nskip; k++)
            skipped |= skip[k] == bases[i];
        if (skipped)
            continue;
        uint64_t ea = 0, eb = 0;
        uint32_t ra = 0, rb = 0;
        assert_int_equal(cap_object_state(a, bases[i], &ea, &ra),
                         cap_object_state(b, bases[i], &eb, &rb));
        assert_int_equal(ea, eb);
        assert_int_equal(ra, rb);
    }
}

/* Opens the mirror (what objmgr wrote) as capstore itself would. */
static struct capstore *mirror_open(struct fx *f)
{
    struct capstore_backend be = capstore_mem_backend(f->mirror);
    struct capstore *cs;
    assert_int_equal(capstore_open(&be, CAPSTORE_RDONLY, &cs), SAS_OK);
    assert_true(capstore_has_key(cs));
    return cs;
}

/* ---- Tests ------------------------------------------------------------------------ */

static void capstore_server_first_start_logs_master_key(void **state)
{
    struct fx *f = *state;
    struct csc_record r;
    assert_int_equal(f->srv.log.n, 2);
    assert_int_equal(take(f, &r), SAS_OK);
    assert_int_equal(r.op, CAPSTORE_LOG_PUT);
    assert_int_equal(r.klen, 1);
    assert_int_equal(r.key[0], 'V');
    assert_int_equal(r.vlen, 4);
    assert_int_equal(take(f, &r), SAS_OK);
    assert_int_equal(r.key[0], 'K');
    assert_int_equal(r.vlen, CAP_KEY_BYTES);
    assert_int_equal(take(f, &r), SAS_ENOTFOUND);
}

static void capstore_server_domain_finds_or_creates(void **state)
{
    struct fx *f = *state;
    drain(f);
    assert_int_equal(domain(f, "alice", 1), 1);
    assert_int_equal(domain(f, "alice", 0), 1);
    assert_int_equal(domain(f, "bob.2_x-y", 1), 2);
    assert_int_equal(drain(f), 2);                  /* only the two creations wrote */
    assert_int_equal(domain(f, "0123456789012345678901234567890", 1), 3);   /* 31 bytes */
}

static void capstore_server_domain_rejects_bad_names(void **state)
{
    struct fx *f = *state;
    l4_word_t w[5] = { 0 };
    drain(f);
    assert_int_equal(request(f, CAPSTORE_DOMAIN, 4, w).status, SAS_EINVAL);     /* empty */
    name_words("a b", w);
    assert_int_equal(request(f, CAPSTORE_DOMAIN, 4, w).status, SAS_EINVAL);     /* a space */
    name_words("abc", w);
    w[3] = 0x41;                                    /* a byte after the padding */
    assert_int_equal(request(f, CAPSTORE_DOMAIN, 4, w).status, SAS_EINVAL);
    memset(w, 'a', 4 * sizeof w[0]);                /* 32 bytes: no NUL */
    assert_int_equal(request(f, CAPSTORE_DOMAIN, 4, w).status, SAS_EINVAL);
    name_words("abc", w);
    assert_int_equal(request(f, CAPSTORE_DOMAIN, 3, w).status, SAS_EINVAL);     /* u */
    assert_int_equal(request(f, CAPSTORE_DOMAIN, 5, w).status, SAS_EINVAL);
    assert_int_equal(f->srv.log.n, 0);
    struct doms d = { .n = 0 };
    domain_each(f->srv.cs, dom_add, &d);
    assert_int_equal(d.n, 0);
}

static void capstore_server_mint_gives_the_owner_all(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1);
    struct cap c = mint(f, OBJ_A, 7, a);
    assert_int_equal(c.base, OBJ_A);
    assert_int_equal(c.epoch, 7);
    assert_int_equal(c.nlinks, 1);
    assert_int_equal(c.link[0].rights, CAP_R_ALL);
    assert_true(c.link[0].expiry == CAP_NO_EXPIRY);
    assert_int_equal(c.link[0].off, 0);
    assert_true(c.link[0].len == CAP_RANGE_ALL);
    assert_int_equal(cap_verify(f->srv.cs, &c, NOW), SAS_OK);
    struct domain_info di;
    assert_int_equal(domain_info(f->srv.cs, a, &di), SAS_OK);
    assert_int_equal(di.ncaps, 1);
}

static void capstore_server_check_allows_owner_denies_others(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1), b = domain(f, "bob", 1);
    struct cap c = mint(f, OBJ_A, 7, a);
    struct reply r = check_r(f, a, OBJ_A, 7, OBJ_A + 0x1000, CAP_R_READ | CAP_R_WRITE);
    assert_int_equal(r.status, SAS_OK);
    assert_int_equal(r.u, 6);
    assert_int_equal(ALLOW(r), 1);
    assert_int_equal(REASON(r), CAP_ALLOWED);
    assert_int_equal(RIGHTS(r), CAP_R_ALL);
    assert_true(r.m.w[1] <= OBJ_A + 0x1000 && r.m.w[2] > OBJ_A + 0x1000);
    assert_true(r.m.w[3] == CAP_NO_EXPIRY);
    assert_memory_equal(&r.m.w[4], c.tag, CAP_TAG_BYTES);
    r = check_r(f, b, OBJ_A, 7, OBJ_A, CAP_R_READ);
    assert_int_equal(r.status, SAS_OK);
    assert_int_equal(ALLOW(r), 0);
    assert_int_equal(REASON(r), CAP_DENY_NO_CAP);
    r = check_r(f, a, OBJ_A, 8, OBJ_A, CAP_R_READ);     /* a newer object at the address */
    assert_int_equal(ALLOW(r), 0);
    assert_int_equal(REASON(r), CAP_DENY_REVOKED);
    r = check_r(f, a, OBJ_A, 7, OBJ_A, CAP_R_READ);     /* asked again: from the cache */
    assert_int_equal(ALLOW(r), 1);
    r = check_r(f, a, OBJ_A, 7, OBJ_A, CAP_R_READ);
    assert_int_equal((r.m.w[0] >> 24) & 0xff, 1);
    r = request(f, CAPSTORE_STATS, 0, NULL);
    assert_int_equal(r.status, SAS_OK);
    assert_int_equal(r.u, 3);
    assert_int_equal(r.m.w[0], 5);
    assert_true(r.m.w[1] >= 1);
    assert_true(r.m.w[2] >= 1);
}

static void capstore_server_check_rejects_malformed(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1);
    mint(f, OBJ_A, 7, a);
    assert_int_equal(check_r(f, 99, OBJ_A, 7, OBJ_A, CAP_R_READ).status,
                     SAS_EDOMAIN_NOTFOUND);
    assert_int_equal(check_r(f, (1ull << 32) | a, OBJ_A, 7, OBJ_A, CAP_R_READ).status,
                     SAS_EDOMAIN_NOTFOUND);          /* never truncated to a */
    assert_int_equal(check_r(f, a, OBJ_A, 7, OBJ_A, (1ull << 32) | CAP_R_READ).status,
                     SAS_EINVAL);
    assert_int_equal(check_r(f, a, OBJ_A, 7, OBJ_A, 0).status, SAS_EINVAL);
    assert_int_equal(check_r(f, a, OBJ_A, 7, OBJ_A, 0x20).status, SAS_EINVAL);
    assert_int_equal(check_r(f, a, OBJ_A, 7, OBJ_A + OBJ_SIZE, CAP_R_READ).status, SAS_EINVAL);
    assert_int_equal(check_r(f, a, OBJ_A + 1, 7, OBJ_A + 1, CAP_R_READ).status, SAS_EINVAL);
    assert_int_equal(check_r(f, a, OBJ_A, 0, OBJ_A, CAP_R_READ).status, SAS_EINVAL);
    l4_word_t w[6] = { a, OBJ_A, OBJ_SIZE, 7, OBJ_A, CAP_R_READ };
    assert_int_equal(request(f, CAPSTORE_CHECK, 5, w).status, SAS_EINVAL);
    assert_int_equal(request_t(f, OBJMGR, CAPSTORE_CHECK, 6, 2, w).status, SAS_EINVAL);
}

static void capstore_server_mint_errors_change_nothing(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1);
    mint(f, OBJ_A, 7, a);
    drain(f);
    assert_int_equal(mint_r(f, OBJ_B, 1, 99).status, SAS_EDOMAIN_NOTFOUND);
    assert_int_equal(mint_r(f, OBJ_B, 1, (1ull << 32) | a).status, SAS_EDOMAIN_NOTFOUND);
    assert_int_equal(mint_r(f, OBJ_B, 1, 0).status, SAS_EDOMAIN_NOTFOUND);
    assert_int_equal(mint_r(f, OBJ_B + 8, 1, a).status, SAS_EINVAL);
    assert_int_equal(mint_r(f, SAS_OBJECT_BASE - 0x1000, 1, a).status, SAS_EINVAL);
    assert_int_equal(mint_r(f, OBJ_B, 0, a).status, SAS_EINVAL);
    assert_int_equal(mint_r(f, OBJ_A, 6, a).status, SAS_EINVAL);    /* older than known */
    assert_int_equal(domain_lock(f->srv.cs, a), SAS_OK);
    drain(f);
    assert_int_equal(mint_r(f, OBJ_B, 1, a).status, SAS_EDOMAIN_LOCKED);
    assert_int_equal(f->srv.log.n, 0);
    uint64_t e;
    uint32_t g;
    assert_int_equal(cap_object_state(f->srv.cs, OBJ_B, &e, &g), SAS_ENOTFOUND);
    l4_word_t w[3] = { OBJ_B, 1, a };
    assert_int_equal(request(f, CAPSTORE_MINT, 2, w).status, SAS_EINVAL);
}

static void capstore_server_retire_kills(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1);
    struct cap c = mint(f, OBJ_A, 7, a);
    assert_int_equal(ALLOW(check_r(f, a, OBJ_A, 7, OBJ_A, CAP_R_READ)), 1);
    assert_int_equal(one_word(f, CAPSTORE_RETIRE, OBJ_A).status, SAS_OK);
    struct reply r = check_r(f, a, OBJ_A, 7, OBJ_A, CAP_R_READ);
    assert_int_equal(ALLOW(r), 0);
    assert_int_equal(REASON(r), CAP_DENY_NO_CAP);        /* dead, and out of the list */
    struct domain_info di;
    assert_int_equal(domain_info(f->srv.cs, a, &di), SAS_OK);
    assert_int_equal(di.ncaps, 0);
    assert_int_equal(cap_verify(f->srv.cs, &c, NOW), SAS_ECAP_REVOKED);
    assert_int_equal(one_word(f, CAPSTORE_RETIRE, OBJ_B).status, SAS_OK);   /* never minted */
    assert_int_equal(one_word(f, CAPSTORE_RETIRE, OBJ_B + 1).status, SAS_EINVAL);
    assert_int_equal(request(f, CAPSTORE_RETIRE, 0, NULL).status, SAS_EINVAL);
    struct cap c2 = mint(f, OBJ_A, 8, a);           /* the next object at the address */
    assert_int_equal(ALLOW(check_r(f, a, OBJ_A, 8, OBJ_A, CAP_R_READ)), 1);
    assert_int_equal(cap_verify(f->srv.cs, &c2, NOW), SAS_OK);
}

/* The log replayed into a store and reopened gives the server's state back. */
static void capstore_server_log_replays_to_the_same_state(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1), b = domain(f, "bob", 1);
    struct cap ca = mint(f, OBJ_A, 7, a);
    mint(f, OBJ_B, 3, b);
    mint(f, OBJ_B, 3, a);
    drain(f);                                       /* objmgr commits mid-way */
    assert_int_equal(one_word(f, CAPSTORE_RETIRE, OBJ_B).status, SAS_OK);
    mint(f, OBJ_B, 4, b);
    assert_int_equal(domain_remove(f->srv.cs, a, &ca), SAS_OK);   /* a delete in the log */
    domain(f, "carol", 1);
    drain(f);
    uint64_t bases[] = { OBJ_A, OBJ_B, OBJ_B + 0x1000 };
    struct capstore *m = mirror_open(f);
    same_state(f->srv.cs, m, bases, 3, NULL, 0);
    for (uint32_t d = 1; d <= 3; d++)
        for (unsigned i = 0; i < 2; i++) {
            struct cap_decision x, y;
            struct cap_object o = { bases[i], OBJ_SIZE, i ? 4 : 7 };
            assert_int_equal(cap_check(f->srv.cs, d, &o, o.base, CAP_R_READ, NOW, &x), SAS_OK);
            assert_int_equal(cap_check(m, d, &o, o.base, CAP_R_READ, NOW, &y), SAS_OK);
            assert_int_equal(x.allow, y.allow);
            assert_int_equal(x.reason, y.reason);
        }
    capstore_close(m);

    /* A restart loads what objmgr wrote (the source is persist's), and writes nothing. */
    server_close(f);
    assert_int_equal(server_open(f, src_of(f->mirror)), SAS_OK);
    assert_int_equal(f->srv.log.n, 0);
    m = mirror_open(f);
    same_state(f->srv.cs, m, bases, 3, NULL, 0);
    capstore_close(m);
    struct reply r = check_r(f, b, OBJ_B, 4, OBJ_B, CAP_R_WRITE);
    assert_int_equal(ALLOW(r), 1);
    assert_int_equal(domain(f, "carol", 0), 3);
}

static void capstore_server_forget_drops_an_objects_records(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1), b = domain(f, "bob", 1);
    drain(f);
    mint(f, OBJ_A, 7, a);
    mint(f, OBJ_B, 7, a);
    mint(f, OBJ_A, 7, b);
    assert_int_equal(f->srv.log.n, 5);
    struct reply r = one_word(f, CAPSTORE_FORGET, OBJ_A);
    assert_int_equal(r.status, SAS_OK);
    assert_int_equal(r.u, 1);
    assert_int_equal(r.m.w[0], 3);                  /* 'O' and two 'C' */
    struct csc_record rec;
    unsigned n = 0;
    while (take(f, &rec) == SAS_OK) {
        n++;
        uint64_t base = 0;
        for (unsigned i = 0; i < 8; i++)
            base = base << 8 | rec.key[rec.key[0] == 'O' ? 1 + i : 5 + i];
        assert_true(base == OBJ_B);
    }
    assert_int_equal(n, 2);
    assert_int_equal(one_word(f, CAPSTORE_FORGET, OBJ_A).m.w[0], 0);
    assert_int_equal(one_word(f, CAPSTORE_FORGET, OBJ_A + 1).status, SAS_EINVAL);
    assert_int_equal(one_word(f, CAPSTORE_FORGET, 0).status, SAS_EINVAL);
    /* The log still works after its tail was dropped. */
    mint(f, OBJ_A, 7, a);
    mint(f, OBJ_B, 7, b);
    assert_int_equal(one_word(f, CAPSTORE_FORGET, OBJ_B).m.w[0], 1);
    assert_int_equal(drain(f), 1);
    mint(f, OBJ_B, 8, b);
    assert_int_equal(drain(f), 2);
}

/* A LOG reply objmgr did not get (it was gone): the record is the log's first again. */
static void capstore_server_undelivered_log_record_goes_back(void **state)
{
    struct fx *f = *state;
    struct csc_record r;
    struct server_msg msg = { .from = OBJMGR, .tag = l4_msgtag(CAPSTORE_LOG, 0, 0) };
    assert_int_equal(take(f, &r), SAS_OK);          /* V, delivered */
    assert_memory_equal(r.key, "V", 1);
    assert_int_equal(take(f, &r), SAS_OK);          /* K, not delivered */
    assert_memory_equal(r.key, "K", 1);
    msg.reply = l4_msgtag(SAS_OK, 5, 0);
    assert_int_equal(csrv_reply_failed(&f->srv, &msg, L4_ERR_NO_PARTNER), SERVER_DROP);
    assert_int_equal(f->srv.log.n, 1);
    assert_int_equal(csrv_reply_failed(&f->srv, &msg, L4_ERR_NO_PARTNER), SERVER_DROP);
    assert_int_equal(f->srv.log.n, 1);              /* once only */
    domain(f, "alice", 1);                          /* appends behind it */
    assert_int_equal(take(f, &r), SAS_OK);
    assert_memory_equal(r.key, "K", 1);
    assert_int_equal(take(f, &r), SAS_OK);
    assert_int_equal(r.key[0], 'D');
    msg.tag = l4_msgtag(CAPSTORE_STATS, 0, 0);      /* other replies: nothing to undo */
    msg.reply = l4_msgtag(SAS_OK, 3, 0);
    csrv_reply_failed(&f->srv, &msg, L4_ERR_NO_PARTNER);
    assert_int_equal(f->srv.log.n, 0);
    assert_int_equal(take(f, &r), SAS_ENOTFOUND);
}

/* Every request from anyone but objmgr's task: SAS_EPERM, nothing changes. */
static void capstore_server_refuses_strangers(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1);
    mint(f, OBJ_A, 7, a);
    struct cap c = mint(f, OBJ_B, 7, a);
    domain(f, "bob", 1);
    unsigned logged = f->srv.log.n;
    struct capstore_stats before, after;
    capstore_stats(f->srv.cs, &before);
    uint32_t labels[] = { CAPSTORE_DOMAIN, CAPSTORE_MINT, CAPSTORE_CHECK, CAPSTORE_RETIRE,
                          CAPSTORE_LOG, CAPSTORE_FORGET, CAPSTORE_STATS, CAPSTORE_WHY,
                          CAPSTORE_GRANT, CAPSTORE_ADD, CAPSTORE_CAPS, CAPSTORE_REVOKE };
    unsigned words[] = { 4, 3, 6, 1, 0, 1, 0, 6, 34, 30, 2, 29 };
    static l4_word_t w[12][34] = { { 0 }, { OBJ_B, 9, 1 },
                                   { 1, OBJ_A, OBJ_SIZE, 7, OBJ_A, CAP_R_READ },
                                   { OBJ_A }, { 0 }, { OBJ_A }, { 0 },
                                   { 1, OBJ_A, OBJ_SIZE, 7, OBJ_A, CAP_R_READ },
                                   { 1 }, { 2 }, { 1, 0 }, { 0 } };
    name_words("mallory", w[0]);
    name_words("bob", &w[8][1]);
    memcpy(&w[8][5], &c, sizeof c);
    memcpy(&w[9][1], &c, sizeof c);
    memcpy(&w[11][0], &c, sizeof c);
    for (unsigned i = 0; i < 12; i++) {
        struct reply r = request_t(f, STRANGER, labels[i], words[i], 0, w[i]);
        assert_int_equal(r.action, SERVER_REPLY);
        assert_int_equal(r.status, SAS_EPERM);
        assert_int_equal(r.u, 0);
        r = request_t(f, STRANGER, labels[i], 7, 0, w[i]);  /* malformed too */
        assert_int_equal(r.status, SAS_EPERM);
    }
    capstore_stats(f->srv.cs, &after);
    assert_int_equal(f->srv.log.n, logged);
    assert_memory_equal(&before, &after, sizeof before);
    struct doms d = { .n = 0 };
    domain_each(f->srv.cs, dom_add, &d);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.d[1].ncaps, 0);              /* nothing granted or added to bob */
    assert_int_equal(ALLOW(check_r(f, a, OBJ_A, 7, OBJ_A, CAP_R_READ)), 1);   /* not retired */
    assert_int_equal(cap_verify(f->srv.cs, &c, NOW), SAS_OK);                 /* not revoked */
}

/* Who counts as objmgr: root's answer, asked lazily and kept while that thread lives. */
static void capstore_server_knows_objmgr_by_root_and_liveness(void **state)
{
    struct fx *f = *state;
    fk.objmgr = L4_NILTHREAD;                       /* objmgr not started yet */
    assert_int_equal(request_t(f, OBJMGR, CAPSTORE_STATS, 0, 0, NULL).status, SAS_EPERM);
    assert_int_equal(fk.finds, 1);
    fk.objmgr = OBJMGR;
    assert_int_equal(request(f, CAPSTORE_STATS, 0, NULL).status, SAS_OK);
    assert_int_equal(request_t(f, OBJMGR_OTHER, CAPSTORE_STATS, 0, 0, NULL).status, SAS_OK);
    assert_int_equal(request_t(f, STRANGER, CAPSTORE_STATS, 0, 0, NULL).status, SAS_EPERM);
    assert_int_equal(fk.finds, 2);                  /* kept: root asked once more only */
    /* objmgr is gone; task 9 is reused by a stranger; root knows no objmgr. */
    fk.dead[fk.ndead++] = OBJMGR;
    fk.objmgr = L4_NILTHREAD;
    assert_int_equal(request_t(f, OBJMGR_OTHER, CAPSTORE_STATS, 0, 0, NULL).status,
                     SAS_EPERM);
    /* A new objmgr in another task: the old task's threads no longer count. */
    fk.objmgr = l4_tid_make(12, 1, 121);
    assert_int_equal(request_t(f, OBJMGR_OTHER, CAPSTORE_STATS, 0, 0, NULL).status,
                     SAS_EPERM);
    assert_int_equal(request_t(f, l4_tid_make(12, 2, 122), CAPSTORE_STATS, 0, 0, NULL).status,
                     SAS_OK);
    unsigned finds = fk.finds;
    assert_int_equal(request_t(f, STRANGER, CAPSTORE_STATS, 0, 0, NULL).status, SAS_EPERM);
    assert_int_equal(fk.finds, finds);              /* a live objmgr: root is not asked */
}

static void capstore_server_full_log_is_busy(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1);
    drain(f);
    /* Fill the log through the backend, as the library would write. */
    struct capstore_backend be = csrv_log_backend(&f->srv.log);
    for (unsigned i = 0; i < CAPSTORE_LOG_MAX - 1; i++) {
        void *t;
        uint8_t key[5] = { 'Z' };
        memcpy(key + 1, &i, 4);
        assert_int_equal(be.begin(be.ctx, 1, &t), SAS_OK);
        assert_int_equal(be.put(be.ctx, t, key, 5, "", 0), SAS_OK);
        assert_int_equal(be.commit(be.ctx, t), SAS_OK);
    }
    assert_int_equal(mint_r(f, OBJ_A, 7, a).status, SAS_EBUSY);      /* needs two */
    uint64_t e;
    uint32_t g;
    assert_int_equal(cap_object_state(f->srv.cs, OBJ_A, &e, &g), SAS_ENOTFOUND);
    assert_int_equal(domain(f, "bob", 1), 2);       /* one fits */
    l4_word_t w[4];
    name_words("carol", w);
    assert_int_equal(request(f, CAPSTORE_DOMAIN, 4, w).status, SAS_EBUSY);
    assert_int_equal(domain_find(f->srv.cs, "carol", &a), SAS_EDOMAIN_NOTFOUND);
    struct csc_record r;
    assert_int_equal(take(f, &r), SAS_OK);
    assert_int_equal(take(f, &r), SAS_OK);
    mint(f, OBJ_A, 7, 1);
}

/* The backend on its own: transactions, limits, and what it refuses. */
static void capstore_server_backend_transactions(void **state)
{
    struct fx *f = *state;
    struct csrv_log *log = &f->srv.log;
    struct capstore_backend be = csrv_log_backend(log);
    void *t, *t2, *r;
    const void *v;
    size_t vl;
    uint8_t big[CAPSTORE_VALUE_MAX + 1] = { 0 };
    drain(f);
    assert_int_equal(be.begin(be.ctx, 1, &t), SAS_OK);
    assert_int_equal(be.begin(be.ctx, 1, &t2), SAS_EBUSY);
    assert_int_equal(be.put(be.ctx, t, "a", 1, "x", 1), SAS_OK);
    assert_int_equal(be.del(be.ctx, t, "b", 1), SAS_OK);
    assert_int_equal(be.put(be.ctx, t, "", 0, "x", 1), SAS_EINVAL);
    assert_int_equal(be.put(be.ctx, t, big, CAPSTORE_KEY_MAX + 1, "x", 1), SAS_EINVAL);
    assert_int_equal(be.put(be.ctx, t, "c", 1, big, sizeof big), SAS_EINVAL);
    assert_int_equal(be.put(be.ctx, t, big, CAPSTORE_KEY_MAX, big, CAPSTORE_VALUE_MAX),
                     SAS_OK);                       /* the largest record */
    assert_null(csrv_log_take(log));                /* not committed: not in the log */
    be.abort(be.ctx, t);
    assert_int_equal(log->n, 0);
    assert_null(csrv_log_take(log));
    assert_int_equal(be.begin(be.ctx, 0, &r), SAS_OK);
    assert_int_equal(be.put(be.ctx, r, "a", 1, "x", 1), SAS_ESTORE_READONLY);
    assert_int_equal(be.get(be.ctx, r, "a", 1, &v, &vl), SAS_ENOTSUP);
    assert_int_equal(be.each(be.ctx, r, NULL, 0, src_add, NULL), SAS_ENOTSUP);   /* written */
    be.abort(be.ctx, r);
    assert_int_equal(be.begin(be.ctx, 1, &t), SAS_OK);
    assert_int_equal(be.put(be.ctx, t, big, CAPSTORE_KEY_MAX, big, CAPSTORE_VALUE_MAX), SAS_OK);
    assert_int_equal(be.del(be.ctx, t, "b", 1), SAS_OK);
    assert_int_equal(be.commit(be.ctx, t), SAS_OK);
    struct csc_record rec;                          /* the largest record fits LOG */
    assert_int_equal(take(f, &rec), SAS_OK);
    assert_int_equal(rec.klen, CAPSTORE_KEY_MAX);
    assert_int_equal(rec.vlen, CAPSTORE_VALUE_MAX);
    assert_int_equal(take(f, &rec), SAS_OK);
    assert_int_equal(rec.op, CAPSTORE_LOG_DEL);
    assert_int_equal(rec.vlen, 0);
    assert_memory_equal(rec.key, "b", 1);
    assert_int_equal(take(f, &rec), SAS_ENOTFOUND);
}

static int count_kv(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key, (void)klen, (void)val, (void)vlen;
    ++*(unsigned *)arg;
    return 0;
}

/* Loading: each walks the source in order; its errors and disorder fail the open. */
static void capstore_server_backend_loads_through_the_source(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1);
    mint(f, OBJ_A, 7, a);
    drain(f);
    server_close(f);

    struct src *s = src_of(f->mirror);              /* V K O D C: 5 records */
    struct csrv_log log;
    csrv_log_init(&log, (struct csrv_source){ s, src_next });
    struct capstore_backend be = csrv_log_backend(&log);
    void *t;
    unsigned n = 0;
    assert_int_equal(be.begin(be.ctx, 0, &t), SAS_OK);
    assert_int_equal(be.each(be.ctx, t, NULL, 0, count_kv, &n), SAS_OK);
    assert_int_equal(n, 5);
    assert_int_equal(s->calls, 6);                  /* 5 records, then the end */
    n = 0;
    assert_int_equal(be.each(be.ctx, t, "D", 1, count_kv, &n), SAS_OK);
    assert_int_equal(n, 4);                         /* D, K, O, V (C is before D) */
    s->fail = SAS_EIO;
    assert_int_equal(be.each(be.ctx, t, NULL, 0, count_kv, &n), SAS_EIO);
    s->disorder = 1;
    assert_int_equal(be.each(be.ctx, t, NULL, 0, count_kv, &n), SAS_ESTORE_CORRUPT);
    be.abort(be.ctx, t);

    s->disorder = 0;
    s->fail = SAS_EIO;                              /* persist failing at open */
    assert_int_equal(server_open(f, s), SAS_EIO);
    assert_int_equal(server_open(f, s), SAS_OK);
    assert_int_equal(f->srv.log.n, 0);              /* the key was loaded, not made */
    assert_int_equal(ALLOW(check_r(f, a, OBJ_A, 7, OBJ_A, CAP_R_EXEC)), 1);
}

/* ---- Sharing: grant, add, the list, why, revoke -------------------------------------- */

static struct cap derive(const struct cap *p, unsigned rights, uint64_t expiry, uint64_t off,
                         uint64_t len)
{
    struct cap_link l = cap_link_make(rights, expiry, off, len);
    struct cap c;
    assert_int_equal(cap_derive(p, &l, &c), SAS_OK);
    return c;
}

static struct reply grant_r(struct fx *f, uint64_t from, const char *to, const struct cap *c)
{
    l4_word_t w[5 + CAPSTORE_CAP_WORDS] = { from };
    name_words(to, &w[1]);
    memcpy(&w[5], c, sizeof *c);
    return request(f, CAPSTORE_GRANT, 5 + CAPSTORE_CAP_WORDS, w);
}

static struct reply add_r(struct fx *f, uint64_t dom, const struct cap *c)
{
    l4_word_t w[1 + CAPSTORE_CAP_WORDS] = { dom };
    memcpy(&w[1], c, sizeof *c);
    return request(f, CAPSTORE_ADD, 1 + CAPSTORE_CAP_WORDS, w);
}

static struct reply revoke_r(struct fx *f, const struct cap *c)
{
    l4_word_t w[CAPSTORE_CAP_WORDS];
    memcpy(w, c, sizeof *c);
    return request(f, CAPSTORE_REVOKE, CAPSTORE_CAP_WORDS, w);
}

static struct reply caps_r(struct fx *f, uint64_t dom, uint64_t i)
{
    l4_word_t w[2] = { dom, i };
    return request(f, CAPSTORE_CAPS, 2, w);
}

static struct reply why_r(struct fx *f, uint64_t dom, uint64_t base, uint64_t epoch,
                          uint64_t addr, uint64_t access)
{
    l4_word_t w[6] = { dom, base, OBJ_SIZE, epoch, addr, access };
    return request(f, CAPSTORE_WHY, 6, w);
}

static uint32_t ncaps(struct fx *f, uint32_t d)
{
    struct domain_info di;
    assert_int_equal(domain_info(f->srv.cs, d, &di), SAS_OK);
    return di.ncaps;
}

/* A refused request: its status, and nothing changed (log, transaction, lists). */
static void refused(struct fx *f, struct reply r, uint32_t want, unsigned logged,
                    uint32_t d, uint32_t caps)
{
    assert_int_equal(r.status, want);
    assert_int_equal(r.u, 0);
    assert_int_equal(f->srv.log.n, logged);
    assert_int_equal(f->srv.log.writing, 0);
    assert_null(f->srv.log.txn);
    assert_int_equal(ncaps(f, d), caps);
}

/* The case: alice grants bob a read-only capability derived from her own. */
static void capstore_server_grant_gives_a_derived_capability(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1), b = domain(f, "bob", 1);
    struct cap owner = mint(f, OBJ_A, 7, a);
    struct cap ro = derive(&owner, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    drain(f);
    struct reply r = grant_r(f, a, "bob", &ro);
    assert_int_equal(r.status, SAS_OK);
    assert_int_equal(r.u, 0);
    assert_int_equal(f->srv.log.n, 1);              /* bob's 'C' record */
    assert_int_equal(ncaps(f, b), 1);
    assert_int_equal(ncaps(f, a), 1);
    r = check_r(f, b, OBJ_A, 7, OBJ_A + 0x1000, CAP_R_READ);
    assert_int_equal(ALLOW(r), 1);
    assert_int_equal(RIGHTS(r), CAP_R_READ);
    assert_memory_equal(&r.m.w[4], ro.tag, CAP_TAG_BYTES);
    r = check_r(f, b, OBJ_A, 7, OBJ_A, CAP_R_WRITE);
    assert_int_equal(ALLOW(r), 0);
    assert_int_equal(REASON(r), CAP_DENY_RIGHTS);
    assert_int_equal(grant_r(f, a, "bob", &ro).status, SAS_OK);     /* again: no record */
    assert_int_equal(f->srv.log.n, 1);
    assert_int_equal(grant_r(f, a, "alice", &owner).status, SAS_OK);   /* equal, itself */
    assert_int_equal(f->srv.log.n, 1);
    assert_int_equal(grant_r(f, a, "alice", &ro).status, SAS_OK);
    assert_int_equal(ncaps(f, a), 2);
    /* bob may pass on what he got with the grant right (his only source), narrowed. */
    struct cap rg = derive(&owner, CAP_R_READ | CAP_R_GRANT, NOW + 100, 0, 2 * 0x1000);
    struct cap rg2 = derive(&rg, CAP_R_READ, NOW + 50, 0x1000, 0x1000);
    assert_int_equal(grant_r(f, a, "bob", &rg).status, SAS_OK);
    domain(f, "carol", 1);
    assert_int_equal(grant_r(f, b, "carol", &rg2).status, SAS_OK);
    assert_int_equal(ALLOW(check_r(f, 3, OBJ_A, 7, OBJ_A + 0x1000, CAP_R_READ)), 1);
    assert_int_equal(ALLOW(check_r(f, 3, OBJ_A, 7, OBJ_A, CAP_R_READ)), 0);
    drain(f);
    struct capstore *m = mirror_open(f);
    uint64_t bases[] = { OBJ_A };
    same_state(f->srv.cs, m, bases, 1, NULL, 0);
    capstore_close(m);
}

/* Every refusal of GRANT, each with nothing changed; the rule is derivation, not cover. */
static void capstore_server_grant_refusals_change_nothing(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1), b = domain(f, "bob", 1), d = domain(f, "dave", 1);
    struct cap owner = mint(f, OBJ_A, 7, a);
    struct cap other = mint(f, OBJ_A, 7, d);        /* dave's owner of the same object */
    struct cap ro = derive(&owner, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    assert_int_equal(grant_r(f, a, "bob", &ro).status, SAS_OK);
    drain(f);
    const unsigned n = 0;                           /* drained before every refusal */
    refused(f, grant_r(f, a, "carol", &ro), SAS_EDOMAIN_NOTFOUND, n, b, 1);
    assert_int_equal(domain_find(f->srv.cs, "carol", &d), SAS_EDOMAIN_NOTFOUND);
    refused(f, grant_r(f, a, "b b", &ro), SAS_EINVAL, n, b, 1);
    refused(f, grant_r(f, 99, "bob", &ro), SAS_EDOMAIN_NOTFOUND, n, b, 1);
    refused(f, grant_r(f, (1ull << 32) | a, "bob", &ro), SAS_EDOMAIN_NOTFOUND, n, b, 1);
    /* Covered by alice's owner capability, but derived from dave's: denied. */
    struct cap dro = derive(&other, CAP_R_READ, CAP_NO_EXPIRY, 0, 0x1000);
    refused(f, grant_r(f, a, "bob", &dro), SAS_ECAP_DENIED, n, b, 1);
    /* bob holds ro, which lacks the grant right, even to pass on ro itself. */
    struct cap ro2 = derive(&ro, CAP_R_READ, NOW + 10, 0, 0x1000);
    refused(f, grant_r(f, b, "alice", &ro2), SAS_ECAP_DENIED, n, a, 1);
    refused(f, grant_r(f, b, "alice", &ro), SAS_ECAP_DENIED, n, a, 1);
    struct cap bad = ro;
    bad.tag[3] ^= 0x10;
    refused(f, grant_r(f, a, "bob", &bad), SAS_ECAP_FORGED, n, b, 1);
    bad = ro, bad.nlinks = 0;
    refused(f, grant_r(f, a, "bob", &bad), SAS_ECAP_MALFORMED, n, b, 1);
    struct cap soon = derive(&owner, CAP_R_READ, NOW + 5, 0, CAP_RANGE_ALL);
    fk.now = NOW + 5;
    refused(f, grant_r(f, a, "bob", &soon), SAS_ECAP_EXPIRED, n, b, 1);
    fk.now = NOW;
    assert_int_equal(domain_lock(f->srv.cs, b), SAS_OK);
    drain(f);
    refused(f, grant_r(f, a, "bob", &soon), SAS_EDOMAIN_LOCKED, n, b, 1);
    /* What derives from a revoked or expired source is revoked or expired too: refused
     * for its own reason before the granter's list is looked at. */
    uint32_t e = domain(f, "erin", 1);
    struct cap g = derive(&owner, CAP_R_READ | CAP_R_GRANT, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    assert_int_equal(grant_r(f, a, "erin", &g).status, SAS_OK);
    struct cap g2 = derive(&g, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    assert_int_equal(revoke_r(f, &g).status, SAS_OK);
    drain(f);
    refused(f, grant_r(f, e, "alice", &g2), SAS_ECAP_REVOKED, n, a, 1);   /* g2 dies too */
    struct cap g3 = derive(&owner, CAP_R_READ | CAP_R_GRANT, NOW + 5, 0, CAP_RANGE_ALL);
    assert_int_equal(grant_r(f, a, "erin", &g3).status, SAS_OK);
    struct cap g4 = derive(&g3, CAP_R_READ, NOW + 5, 0, CAP_RANGE_ALL);
    drain(f);
    fk.now = NOW + 5;                               /* erin's g3 and g4 expire together */
    refused(f, grant_r(f, e, "alice", &g4), SAS_ECAP_EXPIRED, n, a, 1);
    fk.now = NOW;
    /* The log full: the add's record does not fit, nothing stays behind. */
    struct capstore_backend be = csrv_log_backend(&f->srv.log);
    for (unsigned i = 0; i < CAPSTORE_LOG_MAX; i++) {
        void *t;
        uint8_t key[5] = { 'Z' };
        memcpy(key + 1, &i, 4);
        assert_int_equal(be.begin(be.ctx, 1, &t), SAS_OK);
        assert_int_equal(be.put(be.ctx, t, key, 5, "", 0), SAS_OK);
        assert_int_equal(be.commit(be.ctx, t), SAS_OK);
    }
    refused(f, grant_r(f, e, "alice", &g4), SAS_EBUSY, CAPSTORE_LOG_MAX, a, 1);
    l4_word_t w[5 + CAPSTORE_CAP_WORDS] = { a };
    refused(f, request(f, CAPSTORE_GRANT, 33, w), SAS_EINVAL, CAPSTORE_LOG_MAX, a, 1);
}

/* ADD verifies: one flipped bit anywhere, an expired or a revoked capability is refused
 * with its reason, and the list and the log stay as they were. */
static void capstore_server_add_refuses_any_flipped_bit(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1), b = domain(f, "bob", 1);
    struct cap owner = mint(f, OBJ_A, 7, a);
    struct cap page = derive(&owner, CAP_R_READ, NOW + 1000, 0x1000, 0x1000);
    drain(f);
    for (unsigned bit = 0; bit < 8 * sizeof page; bit++) {
        struct cap x = page;
        ((uint8_t *)&x)[bit / 8] ^= (uint8_t)(1u << bit % 8);
        struct reply r = add_r(f, b, &x);
        assert_true(r.status == SAS_ECAP_FORGED || r.status == SAS_ECAP_MALFORMED);
        refused(f, r, r.status, 0, b, 0);
    }
    refused(f, add_r(f, 99, &page), SAS_EDOMAIN_NOTFOUND, 0, b, 0);
    refused(f, add_r(f, (1ull << 32) | b, &page), SAS_EDOMAIN_NOTFOUND, 0, b, 0);
    fk.now = NOW + 1000;
    refused(f, add_r(f, b, &page), SAS_ECAP_EXPIRED, 0, b, 0);
    fk.now = NOW;
    assert_int_equal(add_r(f, b, &page).status, SAS_OK);
    assert_int_equal(add_r(f, b, &page).status, SAS_OK);            /* there already */
    assert_int_equal(f->srv.log.n, 1);
    assert_int_equal(ncaps(f, b), 1);
    assert_int_equal(ALLOW(check_r(f, b, OBJ_A, 7, OBJ_A + 0x1000, CAP_R_READ)), 1);
    assert_int_equal(ALLOW(check_r(f, b, OBJ_A, 7, OBJ_A, CAP_R_READ)), 0);
    struct cap gone = derive(&owner, CAP_R_WRITE, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    assert_int_equal(revoke_r(f, &gone).status, SAS_OK);
    drain(f);
    refused(f, add_r(f, b, &gone), SAS_ECAP_REVOKED, 0, b, 1);
    l4_word_t w[1 + CAPSTORE_CAP_WORDS] = { b };
    refused(f, request(f, CAPSTORE_ADD, 29, w), SAS_EINVAL, 0, b, 1);
}

static int cap_nth_of(void *arg, const struct cap *c)
{
    struct caps *l = arg;
    l->c[l->n++] = *c;
    return 0;
}

/* CAPS gives the list in its order, with the count in MR29. */
static void capstore_server_caps_lists_the_domain(void **state)
{
    struct fx *f = *state;
    static struct caps l;
    uint32_t a = domain(f, "alice", 1), b = domain(f, "bob", 1);
    mint(f, OBJ_B, 3, a);
    struct cap o = mint(f, OBJ_A, 7, a);
    add_r(f, a, &(struct cap){ 0 });                /* refused: changes nothing */
    struct cap ro = derive(&o, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    assert_int_equal(add_r(f, a, &ro).status, SAS_OK);
    l.n = 0;
    assert_int_equal(domain_caps_each(f->srv.cs, a, cap_nth_of, &l), SAS_OK);
    assert_int_equal(l.n, 3);
    unsigned logged = f->srv.log.n;
    for (unsigned i = 0; i < 3; i++) {
        struct reply r = caps_r(f, a, i);
        struct cap c;
        assert_int_equal(r.status, SAS_OK);
        assert_int_equal(r.u, CAPSTORE_CAP_WORDS + 1);
        csc_unpack(&r.m, fk.mr, 0, &c, sizeof c);
        assert_memory_equal(&c, &l.c[i], sizeof c);
        assert_int_equal(*csc_word(&r.m, fk.mr, CAPSTORE_CAP_WORDS), 3);
    }
    assert_int_equal(caps_r(f, a, 3).status, SAS_ENOTFOUND);
    assert_int_equal(caps_r(f, a, ~0ull).status, SAS_ENOTFOUND);
    assert_int_equal(caps_r(f, b, 0).status, SAS_ENOTFOUND);        /* an empty list */
    assert_int_equal(caps_r(f, 99, 0).status, SAS_EDOMAIN_NOTFOUND);
    assert_int_equal(caps_r(f, (1ull << 32) | a, 0).status, SAS_EDOMAIN_NOTFOUND);
    l4_word_t w[2] = { a, 0 };
    assert_int_equal(request(f, CAPSTORE_CAPS, 1, w).status, SAS_EINVAL);
    assert_int_equal(f->srv.log.n, logged);
}

/* WHY is CHECK's answer for the domain asked about, naming only that domain's capability. */
static void capstore_server_why_names_the_domains_own_capability(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1), b = domain(f, "bob", 1), c = domain(f, "carol", 1);
    struct cap owner = mint(f, OBJ_A, 7, a);
    struct cap page = derive(&owner, CAP_R_READ, CAP_NO_EXPIRY, 0x1000, 0x1000);
    assert_int_equal(grant_r(f, a, "bob", &page).status, SAS_OK);
    unsigned logged = f->srv.log.n;
    struct reply r = why_r(f, b, OBJ_A, 7, OBJ_A + 0x1800, CAP_R_WRITE);
    assert_int_equal(r.status, SAS_OK);
    assert_int_equal(r.u, 6);
    assert_int_equal(ALLOW(r), 0);
    assert_int_equal(REASON(r), CAP_DENY_RIGHTS);
    assert_memory_equal(&r.m.w[4], page.tag, CAP_TAG_BYTES);       /* bob's, not alice's */
    struct reply k = check_r(f, b, OBJ_A, 7, OBJ_A + 0x1800, CAP_R_WRITE);
    assert_int_equal(k.m.w[0] & 0xffffff, r.m.w[0] & 0xffffff);     /* cached aside */
    assert_memory_equal(&k.m.w[1], &r.m.w[1], 5 * sizeof r.m.w[0]);
    r = why_r(f, b, OBJ_A, 7, OBJ_A, CAP_R_READ);
    assert_int_equal(REASON(r), CAP_DENY_RANGE);
    assert_memory_equal(&r.m.w[4], page.tag, CAP_TAG_BYTES);
    r = why_r(f, b, OBJ_A, 7, OBJ_A + 0x1000, CAP_R_READ);
    assert_int_equal(ALLOW(r), 1);
    assert_int_equal(RIGHTS(r), CAP_R_READ);
    r = why_r(f, c, OBJ_A, 7, OBJ_A, CAP_R_READ);                  /* carol holds nothing */
    assert_int_equal(REASON(r), CAP_DENY_NO_CAP);
    static const uint8_t zero[CAP_TAG_BYTES];
    assert_memory_equal(&r.m.w[4], zero, CAP_TAG_BYTES);
    assert_int_equal(why_r(f, 99, OBJ_A, 7, OBJ_A, CAP_R_READ).status, SAS_EDOMAIN_NOTFOUND);
    assert_int_equal(why_r(f, b, OBJ_A, 7, OBJ_A, 0).status, SAS_EINVAL);
    assert_int_equal(f->srv.log.n, logged);
}

/* REVOKE kills the capability and what derives from it, not its parent; the revocation
 * set stops where the object's record would no longer fit the log's value limit. */
static void capstore_server_revoke_and_its_limit(void **state)
{
    struct fx *f = *state;
    uint32_t a = domain(f, "alice", 1), b = domain(f, "bob", 1);
    struct cap owner = mint(f, OBJ_A, 7, a);
    struct cap ro = derive(&owner, CAP_R_READ | CAP_R_GRANT, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct cap ro2 = derive(&ro, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    assert_int_equal(grant_r(f, a, "bob", &ro2).status, SAS_OK);
    assert_int_equal(ALLOW(check_r(f, b, OBJ_A, 7, OBJ_A, CAP_R_READ)), 1);
    drain(f);
    struct reply r = revoke_r(f, &ro);
    assert_int_equal(r.status, SAS_OK);
    assert_int_equal(r.u, 0);
    assert_int_equal(f->srv.log.n, 1);              /* the object's record */
    r = check_r(f, b, OBJ_A, 7, OBJ_A, CAP_R_READ);
    assert_int_equal(ALLOW(r), 0);
    assert_int_equal(REASON(r), CAP_DENY_REVOKED);
    assert_int_equal(ALLOW(check_r(f, a, OBJ_A, 7, OBJ_A, CAP_R_WRITE)), 1);
    drain(f);
    refused(f, revoke_r(f, &ro), SAS_ECAP_REVOKED, 0, a, 1);
    struct cap bad = owner;
    bad.link[0].rights ^= CAP_R_READ;
    refused(f, revoke_r(f, &bad), SAS_ECAP_FORGED, 0, a, 1);
    l4_word_t w[CAPSTORE_CAP_WORDS] = { 0 };
    refused(f, request(f, CAPSTORE_REVOKE, 29, w), SAS_ECAP_MALFORMED, 0, a, 1);
    refused(f, request(f, CAPSTORE_REVOKE, 28, w), SAS_EINVAL, 0, a, 1);
    struct cap expired = derive(&owner, CAP_R_READ, NOW + 1, 0, CAP_RANGE_ALL);
    fk.now = NOW + 1;
    assert_int_equal(revoke_r(f, &expired).status, SAS_OK);        /* expired: revocable */
    for (unsigned i = 2; i < CAPSTORE_REVSET_MAX; i++) {
        struct cap x = derive(&owner, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
        assert_int_equal(revoke_r(f, &x).status, SAS_OK);
    }
    drain(f);
    struct cap last = derive(&owner, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    refused(f, revoke_r(f, &last), SAS_ECAP_REVSET_FULL, 0, a, 1);
    assert_int_equal(cap_verify(f->srv.cs, &last, fk.now), SAS_OK);   /* still good */
    assert_int_equal(CAPSTORE_REVSET_MAX, 24);
    /* What objmgr stored revokes the same capabilities. */
    struct capstore *m = mirror_open(f);
    assert_int_equal(cap_verify(m, &ro2, fk.now), SAS_ECAP_REVOKED);
    assert_int_equal(cap_verify(m, &last, fk.now), SAS_OK);
    assert_int_equal(cap_verify(m, &owner, fk.now), SAS_OK);
    capstore_close(m);
    /* Retiring starts a new generation with an empty set. */
    assert_int_equal(one_word(f, CAPSTORE_RETIRE, OBJ_A).status, SAS_OK);
    struct cap fresh = mint(f, OBJ_A, 8, a);
    struct cap y = derive(&fresh, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    assert_int_equal(revoke_r(f, &y).status, SAS_OK);
}

/* ---- The fuzz ---------------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

#define FUZZ_BASES 6u

static uint64_t fuzz_base(void)
{
    switch (rnd() % 8) {
    case 0: return rnd();
    case 1: return SAS_OBJECT_BASE + (rnd() % FUZZ_BASES) * 0x10000 + (rnd() % 2) * 8;
    case 2: return SAS_OBJECT_END - 0x1000 * (rnd() % 2);
    default: return SAS_OBJECT_BASE + (rnd() % FUZZ_BASES) * 0x10000;
    }
}

static uint64_t fuzz_small(void)
{
    return rnd() % 4 ? rnd() % 6 : rnd() % 3 ? (1ull << 32) + rnd() % 3 : rnd();
}

/* Epochs: mostly the current ones (rising slowly with the round), sometimes 0 or older;
 * any value at all only for the last base, so that the others stay mintable. */
static unsigned fuzz_round;

static uint64_t fuzz_epoch(uint64_t base)
{
    if (base == SAS_OBJECT_BASE + (FUZZ_BASES - 1) * 0x10000 && rnd() % 4 == 0)
        return fuzz_small();
    return rnd() % 16 ? 1 + fuzz_round / 5000 + rnd() % 2 : rnd() % 2;
}

static void fuzz_name(l4_word_t w[4])
{
    static const char alpha[] = "ab.-_ \x01Z";
    char buf[CAPSTORE_NAME_BYTES] = { 0 };
    unsigned n = (unsigned)(rnd() % 4);
    for (unsigned i = 0; i < n; i++)
        buf[i] = alpha[rnd() % (rnd() % 8 ? 2 : sizeof alpha - 1)];
    if (rnd() % 16 == 0)
        buf[rnd() % CAPSTORE_NAME_BYTES] = (char)rnd();
    memcpy(w, buf, sizeof buf);
}

/* Capabilities the fuzz has seen (minted, listed, granted or added): the material of
 * plausible GRANT, ADD and REVOKE requests. */
#define FUZZ_POOL 64u
static struct cap fuzz_pool[FUZZ_POOL];
static uint64_t fuzz_holder[FUZZ_POOL];     /* the domain it was seen in; 0: unknown */
static unsigned fuzz_npool, fuzz_last;      /* fuzz_last: the pool entry fuzz_cap used */

static void fuzz_keep(const struct cap *c, uint64_t holder)
{
    fuzz_holder[fuzz_npool % FUZZ_POOL] = holder;
    fuzz_pool[fuzz_npool++ % FUZZ_POOL] = *c;
}

/* A capability into 29 words from word 0 of w: one seen, often narrowed by a link drawn at
 * random (kept only if cap_derive takes it), sometimes with a bit flipped, or any bytes. */
static void fuzz_cap(l4_word_t *w)
{
    if (fuzz_npool == 0 || rnd() % 16 == 0)
        return;                                     /* the random words already there */
    fuzz_last = (unsigned)(rnd() % (fuzz_npool < FUZZ_POOL ? fuzz_npool : FUZZ_POOL));
    struct cap c = fuzz_pool[fuzz_last];
    if (rnd() % 2 && c.nlinks >= 1 && c.nlinks <= CAP_LINKS_MAX) {
        const struct cap_link *p = cap_last(&c);
        uint64_t exp = rnd() % 2 ? p->expiry : fk.now + rnd() % 3000;
        uint64_t off = p->off + (rnd() % 3) * 0x1000;
        uint64_t len = rnd() % 2 ? CAP_RANGE_ALL : 0x1000 * (1 + rnd() % 3);
        struct cap_link l = cap_link_make(p->rights & (unsigned)rnd(), exp, off, len);
        struct cap child;
        if (cap_derive(&c, &l, &child) == SAS_OK)
            c = child;
    }
    if (rnd() % 8 == 0)
        ((uint8_t *)&c)[rnd() % sizeof c] ^= (uint8_t)(1u << rnd() % 8);
    memcpy(w, &c, sizeof c);
}

/* Words for a request with label: mostly plausible, sometimes anything. */
static void fuzz_words(uint32_t label, l4_word_t *w)
{
    for (unsigned i = 0; i < L4_MSG_MAX_WORDS; i++)
        w[i] = rnd();
    switch (label) {
    case CAPSTORE_DOMAIN: fuzz_name(w); break;
    case CAPSTORE_MINT:
        w[0] = fuzz_base(), w[1] = fuzz_epoch(w[0]), w[2] = fuzz_small(); break;
    case CAPSTORE_CHECK:
    case CAPSTORE_WHY:
        w[0] = fuzz_small(), w[1] = fuzz_base(), w[2] = rnd() % 8 ? OBJ_SIZE : rnd() % 0x10000;
        w[3] = fuzz_epoch(w[1]), w[4] = w[1] + (rnd() % 5 ? rnd() % OBJ_SIZE : rnd());
        w[5] = rnd() % 8 ? rnd() % 0x20 : rnd(); break;
    case CAPSTORE_RETIRE:
    case CAPSTORE_FORGET: w[0] = fuzz_base(); break;
    case CAPSTORE_GRANT:
        fuzz_name(&w[1]), fuzz_cap(&w[5]);          /* often from its holder */
        w[0] = fuzz_npool && rnd() % 2 && fuzz_holder[fuzz_last] ? fuzz_holder[fuzz_last]
                                                                 : fuzz_small();
        break;
    case CAPSTORE_ADD: w[0] = fuzz_small(), fuzz_cap(&w[1]); break;
    case CAPSTORE_CAPS: w[0] = fuzz_small(), w[1] = rnd() % 8 ? rnd() % 4 : rnd(); break;
    case CAPSTORE_REVOKE: if (rnd() % 4 == 0) fuzz_cap(w); break;   /* fewer revoked */
    }
}

static unsigned expected_words(uint32_t label)
{
    switch (label) {
    case CAPSTORE_DOMAIN: return 4;
    case CAPSTORE_MINT: return 3;
    case CAPSTORE_CHECK: case CAPSTORE_WHY: return 6;
    case CAPSTORE_GRANT: return 5 + CAPSTORE_CAP_WORDS;
    case CAPSTORE_ADD: return 1 + CAPSTORE_CAP_WORDS;
    case CAPSTORE_CAPS: return 2;
    case CAPSTORE_REVOKE: return CAPSTORE_CAP_WORDS;
    case CAPSTORE_RETIRE: case CAPSTORE_FORGET: return 1;
    default: return 0;
    }
}

static int known_status(uint32_t s)
{
    static const uint32_t ok[] = { SAS_OK, SAS_EINVAL, SAS_ENOMEM, SAS_ENOTSUP, SAS_EBUSY,
                                   SAS_EPERM, SAS_ENOTFOUND, SAS_ECAP_EPOCH,
                                   SAS_EDOMAIN_NOTFOUND, SAS_EDOMAIN_LOCKED,
                                   SAS_ECAP_MALFORMED, SAS_ECAP_FORGED, SAS_ECAP_REVOKED,
                                   SAS_ECAP_EXPIRED, SAS_ECAP_DENIED, SAS_ECAP_REVSET_FULL };
    for (unsigned i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (s == ok[i])
            return 1;
    return 0;
}

static void capstore_server_survives_fuzz(void **state)
{
    struct fx *f = *state;
    static l4_word_t w[L4_MSG_MAX_WORDS];
    uint64_t forgotten[FUZZ_BASES + 1];
    unsigned nforgotten = 0, rounds = 100000, ok = 0;
    unsigned ok_by[CAPSTORE_REVOKE - CAPSTORE_GRANT + 1] = { 0 };
    for (unsigned i = 0; i < rounds; i++) {
        uint32_t label = rnd() % 32 ? CAPSTORE_DOMAIN - 2 + (uint32_t)(rnd() % 16)
                                    : (uint32_t)rnd();
        unsigned u = rnd() % 4 ? expected_words(label) : (unsigned)(rnd() % 128);
        unsigned t = rnd() % 64 ? 0 : (unsigned)(rnd() % 64);
        l4_threadid_t from = rnd() % 10 ? OBJMGR : rnd() % 2 ? STRANGER
                             : l4_tid_make(10 + (unsigned)(rnd() % 200), (unsigned)(rnd() % 128),
                                           1 + rnd() % 1000);
        if (rnd() % 1000 == 0)
            fk.now += rnd() % 1000;
        fuzz_round = i;
        fuzz_words(label, w);
        unsigned logged = f->srv.log.n;
        struct reply r = request_t(f, from, label, u, t, w);
        int mine = label >= CAPSTORE_DOMAIN && label <= CAPSTORE_REVOKE;
        if (!mine) {
            assert_true(r.action == SERVER_DROP || r.status == SAS_ENOTSUP ||
                        r.status == SAS_EINVAL);
            continue;
        }
        assert_int_equal(r.action, SERVER_REPLY);
        assert_true(known_status(r.status));
        assert_true(r.u <= L4_MSG_MAX_WORDS);
        if (r.status != SAS_OK)
            assert_int_equal(r.u, 0);
        assert_int_equal(f->srv.log.writing, 0);
        assert_null(f->srv.log.txn);
        assert_true(f->srv.log.n <= CAPSTORE_LOG_MAX);
        if (!l4_tid_same_task(from, OBJMGR) || t) {
            assert_true(r.status == SAS_EPERM || (t && r.status == SAS_EINVAL));
            assert_int_equal(f->srv.log.n, logged);
            continue;
        }
        if (r.status != SAS_OK) {
            assert_int_equal(f->srv.log.n, logged);     /* a failed request wrote nothing */
            continue;
        }
        ok++;
        if (label >= CAPSTORE_GRANT)
            ok_by[label - CAPSTORE_GRANT]++;
        if (label == CAPSTORE_MINT || label == CAPSTORE_CAPS) {
            struct cap c;
            csc_unpack(&r.m, fk.mr, 0, &c, sizeof c);
            fuzz_keep(&c, label == CAPSTORE_MINT ? w[2] : w[0]);
        } else if (label == CAPSTORE_GRANT || label == CAPSTORE_ADD) {
            struct cap c;
            memcpy(&c, &w[label == CAPSTORE_GRANT ? 5 : 1], sizeof c);
            fuzz_keep(&c, label == CAPSTORE_GRANT ? 0 : w[0]);
        }
        if (label == CAPSTORE_LOG) {              /* objmgr writes what it takes */
            struct csc_record rec = { .op = r.m.w[0] & 0xff, .klen = (r.m.w[0] >> 8) & 0xff,
                                      .vlen = (unsigned)(r.m.w[0] >> 16) };
            uint8_t bytes[CAPSTORE_KEY_MAX + CAPSTORE_VALUE_MAX];
            assert_true(rec.klen >= 1 && rec.klen <= CAPSTORE_KEY_MAX);
            assert_true(rec.vlen <= CAPSTORE_VALUE_MAX);
            csc_unpack(&r.m, fk.mr, 1, bytes, rec.klen + rec.vlen);
            memcpy(rec.key, bytes, rec.klen);
            memcpy(rec.value, bytes + rec.klen, rec.vlen);
            apply(f->mirror, &rec);
        } else if (label == CAPSTORE_FORGET && r.m.w[0]) {
            unsigned k = 0;
            while (k < nforgotten && forgotten[k] != w[0])
                k++;
            if (k == nforgotten && nforgotten <= FUZZ_BASES)
                forgotten[nforgotten++] = w[0];
        }
    }
    assert_true(ok > rounds / 20);                  /* the fuzz reached the library */
    drain(f);
    uint64_t bases[FUZZ_BASES];
    for (unsigned i = 0; i < FUZZ_BASES; i++)
        bases[i] = SAS_OBJECT_BASE + i * 0x10000;
    struct capstore *m = mirror_open(f);
    same_state(f->srv.cs, m, bases, FUZZ_BASES, forgotten, nforgotten);
    for (unsigned i = 0; i < FUZZ_POOL && i < fuzz_npool; i++) {   /* revocation sets */
        unsigned k = 0;
        while (k < nforgotten && forgotten[k] != fuzz_pool[i].base)
            k++;
        if (k == nforgotten)
            assert_int_equal(cap_verify(f->srv.cs, &fuzz_pool[i], fk.now),
                             cap_verify(m, &fuzz_pool[i], fk.now));
    }
    capstore_close(m);
    for (uint32_t l = CAPSTORE_GRANT; l <= CAPSTORE_REVOKE; l++)
        assert_true(ok_by[l - CAPSTORE_GRANT] > 0);  /* each sharing request succeeded */
    /* And the server still answers properly. */
    uint32_t d = domain(f, "fuzzcheck", 1);
    struct cap c = mint(f, SAS_OBJECT_BASE + 0x100000, 1, d);
    assert_int_equal(cap_verify(f->srv.cs, &c, fk.now), SAS_OK);
    assert_int_equal(ALLOW(check_r(f, d, c.base, 1, c.base, CAP_R_READ)), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(capstore_server_first_start_logs_master_key),
        T(capstore_server_domain_finds_or_creates),
        T(capstore_server_domain_rejects_bad_names),
        T(capstore_server_mint_gives_the_owner_all),
        T(capstore_server_check_allows_owner_denies_others),
        T(capstore_server_check_rejects_malformed),
        T(capstore_server_mint_errors_change_nothing),
        T(capstore_server_retire_kills),
        T(capstore_server_log_replays_to_the_same_state),
        T(capstore_server_forget_drops_an_objects_records),
        T(capstore_server_undelivered_log_record_goes_back),
        T(capstore_server_refuses_strangers),
        T(capstore_server_knows_objmgr_by_root_and_liveness),
        T(capstore_server_full_log_is_busy),
        T(capstore_server_backend_transactions),
        T(capstore_server_backend_loads_through_the_source),
        T(capstore_server_grant_gives_a_derived_capability),
        T(capstore_server_grant_refusals_change_nothing),
        T(capstore_server_add_refuses_any_flipped_bit),
        T(capstore_server_caps_lists_the_domain),
        T(capstore_server_why_names_the_domains_own_capability),
        T(capstore_server_revoke_and_its_limit),
        T(capstore_server_survives_fuzz),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
