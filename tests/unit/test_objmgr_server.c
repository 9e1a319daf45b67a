/*
 * test_objmgr_server.c — objmgr's server logic (objmgr/server/osrv_*.c) on the host, with
 * the persist and capstore libraries called directly where the server uses IPC: a real
 * store file, capstore's records coming back through a log as the capstore server's do,
 * root's bindings and the kernel's dirty bits played by the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <persist/persist.h>
#include <sas/layout.h>
#include <sas/proto/objmgr.h>
#include "../../objmgr/server/osrv.h"

#define PAGE 4096u
#define FRAMES 256u

/* ---- the environment ---------------------------------------------------------------- */

struct logrec {
    struct osrv_rec r;
    struct logrec *next;
};

struct env {
    char path[64];
    struct persist *p;
    struct persist_txn *wt;
    persist_db db;
    struct capstore *cs;
    struct logrec *log, **log_tail;       /* capstore's records, as its server keeps them */
    struct logrec *txn_first;              /* this capstore transaction's first, for abort */
    char names[OSRV_TASKS][OSRV_DOMAIN_NAME];
    uint64_t version[OSRV_TASKS];          /* lthread 0's version; 0: no such task */
    uint8_t dirty[FRAMES];                 /* the kernel's dirty bits, per frame */
    uint8_t *pool;
    int fail_commit;
};

static struct persist_txn *rtxn(struct env *v, int *mine)
{
    struct persist_txn *t = v->wt;
    *mine = !t;
    if (!t && persist_begin(v->p, 0, &t))
        return 0;
    return t;
}
static void rdone(struct persist_txn *t, int mine)
{
    if (mine)
        persist_abort(t);
}

static enum sas_error e_begin(void *c)
{
    struct env *v = c;
    return v->wt ? SAS_EBUSY : persist_begin(v->p, 1, &v->wt);
}
static enum sas_error e_commit(void *c)
{
    struct env *v = c;
    struct persist_txn *t = v->wt;
    v->wt = 0;
    if (v->fail_commit) {
        persist_abort(t);
        return SAS_ESTORE_FULL;
    }
    return persist_commit(t);
}
static void e_abort(void *c)
{
    struct env *v = c;
    persist_abort(v->wt);
    v->wt = 0;
}
static enum sas_error e_page_write(void *c, uint64_t a, const void *pg)
{
    struct env *v = c;
    return v->wt ? persist_pages_write(v->wt, a, 1, pg) : SAS_EINVAL;
}
static enum sas_error e_page_read(void *c, uint64_t a, void *pg)
{
    struct env *v = c;
    int mine;
    struct persist_txn *t = rtxn(v, &mine);
    enum sas_error e = persist_pages_read(t, a, 1, pg);
    rdone(t, mine);
    return e;
}
static enum sas_error e_discard(void *c, uint64_t a, uint64_t n)
{
    struct env *v = c;
    return v->wt ? persist_pages_discard(v->wt, a, n) : SAS_EINVAL;
}
static enum sas_error e_record_put(void *c, uint64_t b, const void *r, size_t n)
{
    struct env *v = c;
    return v->wt ? persist_record_put(v->wt, b, r, n) : SAS_EINVAL;
}
static enum sas_error e_record_del(void *c, uint64_t b)
{
    struct env *v = c;
    return v->wt ? persist_record_del(v->wt, b) : SAS_EINVAL;
}

struct next { uint64_t from, base; void *rec; size_t cap, len; int found; };
static int next_fn(void *arg, uint64_t base, const void *rec, size_t len)
{
    struct next *n = arg;
    if (base < n->from || len > n->cap)
        return 0;
    n->base = base;
    n->len = len;
    memcpy(n->rec, rec, len);
    n->found = 1;
    return 1;
}
static enum sas_error e_record_next(void *c, uint64_t from, uint64_t *base, void *rec,
                                    size_t cap, size_t *len)
{
    struct env *v = c;
    int mine;
    struct next n = { from, 0, rec, cap, 0, 0 };
    struct persist_txn *t = rtxn(v, &mine);
    enum sas_error e = persist_record_each(t, next_fn, &n);
    rdone(t, mine);
    if (e)
        return e;
    if (!n.found)
        return SAS_ENOTFOUND;
    *base = n.base;
    *len = n.len;
    return SAS_OK;
}
static enum sas_error e_meta_put(void *c, const char *k, const void *val, size_t n)
{
    struct env *v = c;
    return v->wt ? persist_meta_put(v->wt, k, val, n) : SAS_EINVAL;
}
static enum sas_error e_meta_get(void *c, const char *k, void *val, size_t cap, size_t *n)
{
    struct env *v = c;
    int mine;
    struct persist_txn *t = rtxn(v, &mine);
    enum sas_error e = persist_meta_get(t, k, val, cap, n);
    rdone(t, mine);
    return e;
}
static enum sas_error e_db_put(void *c, const void *k, size_t kl, const void *val, size_t vl)
{
    struct env *v = c;
    return v->wt ? persist_db_put(v->wt, v->db, k, kl, val, vl) : SAS_EINVAL;
}
static enum sas_error e_db_del(void *c, const void *k, size_t kl)
{
    struct env *v = c;
    return v->wt ? persist_db_del(v->wt, v->db, k, kl) : SAS_EINVAL;
}

static enum sas_error e_domain(void *c, const char name[OSRV_DOMAIN_NAME], domain_id *id,
                               int *created)
{
    struct env *v = c;
    enum sas_error e = domain_find(v->cs, name, id);
    *created = 0;
    if (e == SAS_EDOMAIN_NOTFOUND && !(e = domain_create(v->cs, name, id)))
        *created = 1;
    return e;
}
static enum sas_error e_mint(void *c, uint64_t base, uint64_t epoch, domain_id d,
                             struct cap *out)
{
    struct env *v = c;
    struct cap_link l = cap_link_make(CAP_R_ALL, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    enum sas_error e = cap_mint(v->cs, base, epoch, &l, out);
    return e ? e : domain_add(v->cs, d, out, 1000);
}
static enum sas_error e_check(void *c, domain_id d, const struct cap_object *o, uint64_t a,
                              unsigned acc, struct cap_decision *out)
{
    struct env *v = c;
    return cap_check(v->cs, d, o, a, acc, 1000, out);
}
static enum sas_error e_retire(void *c, uint64_t base)
{
    struct env *v = c;
    return cap_retire(v->cs, base);
}
static enum sas_error e_log(void *c, struct osrv_rec *out)
{
    struct env *v = c;
    struct logrec *l = v->log;
    if (!l)
        return SAS_ENOTFOUND;
    v->log = l->next;
    if (!v->log)
        v->log_tail = &v->log;
    *out = l->r;
    free(l);
    return SAS_OK;
}
static enum sas_error e_task_domain(void *c, unsigned task, l4_threadid_t *lt0,
                                    char name[OSRV_DOMAIN_NAME])
{
    struct env *v = c;
    if (task >= OSRV_TASKS || !v->version[task] || !v->names[task][0])
        return SAS_ENOTFOUND;
    *lt0 = l4_tid_make(task, 0, v->version[task]);
    memcpy(name, v->names[task], OSRV_DOMAIN_NAME);
    return SAS_OK;
}
static int e_alive(void *c, l4_threadid_t id)
{
    struct env *v = c;
    unsigned t = l4_tid_task(id);
    return t < OSRV_TASKS && v->version[t] == l4_tid_version(id);
}
static unsigned e_unmap(void *c, void *page, unsigned rights)
{
    struct env *v = c;
    size_t f = (size_t)((uint8_t *)page - v->pool) / PAGE;
    unsigned bits = v->dirty[f] ? 3u : 1u;
    (void)rights;
    v->dirty[f] = 0;
    return bits;
}
static uint64_t e_now(void *c)
{
    (void)c;
    return 1700000000ull * 1000000000ull;
}

/* capstore's backend: reads from persist's database at open, writes into the log. */
static enum sas_error b_begin(void *c, int w, void **t)
{
    struct env *v = c;
    (void)w;
    v->txn_first = 0;
    *t = v;
    return SAS_OK;
}
static enum sas_error b_commit(void *c, void *t)
{
    (void)c, (void)t;
    return SAS_OK;
}
static void b_abort(void *c, void *t)
{
    (void)c, (void)t;
}
static enum sas_error b_get(void *c, void *t, const void *k, size_t kl, const void **val,
                            size_t *vl)
{
    (void)c, (void)t, (void)k, (void)kl, (void)val, (void)vl;
    return SAS_ENOTSUP;
}
static enum sas_error b_log(struct env *v, int op, const void *k, size_t kl, const void *val,
                            size_t vl)
{
    struct logrec *l = calloc(1, sizeof *l);
    if (!l || kl + vl > OSRV_REC_MAX)
        return SAS_ENOMEM;
    l->r.op = (uint8_t)op;
    l->r.klen = (uint16_t)kl;
    l->r.vlen = (uint16_t)vl;
    memcpy(l->r.data, k, kl);
    if (vl)
        memcpy(l->r.data + kl, val, vl);
    *v->log_tail = l;
    v->log_tail = &l->next;
    return SAS_OK;
}
static enum sas_error b_put(void *c, void *t, const void *k, size_t kl, const void *val,
                            size_t vl)
{
    (void)t;
    return b_log(c, 1, k, kl, val, vl);
}
static enum sas_error b_del(void *c, void *t, const void *k, size_t kl)
{
    (void)t;
    return b_log(c, 2, k, kl, 0, 0);
}
static enum sas_error b_each(void *c, void *t, const void *from, size_t fl, capstore_kv_fn fn,
                             void *arg)
{
    struct env *v = c;
    struct persist_txn *rt;
    (void)t;
    enum sas_error e = persist_begin(v->p, 0, &rt);
    if (e)
        return e;
    e = persist_db_each(rt, v->db, from, fl, fn, arg);
    persist_abort(rt);
    return e;
}

/* Sharing, as capstore's server does it (its own tests check the grant rule itself). */
static enum sas_error e_grant(void *c, domain_id from, const char to[OSRV_DOMAIN_NAME],
                              const struct cap *cap)
{
    struct env *v = c;
    domain_id d;
    (void)from;
    enum sas_error e = domain_find(v->cs, to, &d);
    return e ? e : domain_add(v->cs, d, cap, 1000);
}
static enum sas_error e_cap_add(void *c, domain_id d, const struct cap *cap)
{
    struct env *v = c;
    return domain_add(v->cs, d, cap, 1000);
}
struct nth { unsigned want, seen; struct cap *out; };
static int nth_fn(void *arg, const struct cap *cap)
{
    struct nth *n = arg;
    if (n->seen++ == n->want)
        *n->out = *cap;
    return 0;
}
static enum sas_error e_cap_list(void *c, domain_id d, unsigned i, struct cap *out,
                                 unsigned *count)
{
    struct env *v = c;
    struct nth n = { i, 0, out };
    enum sas_error e = domain_caps_each(v->cs, d, nth_fn, &n);
    *count = n.seen;
    return e ? e : i < n.seen ? SAS_OK : SAS_ENOTFOUND;
}

static enum sas_error e_revoke(void *c, const struct cap *cap)
{
    struct env *v = c;
    return cap_revoke(v->cs, cap);
}

static struct osrv_env make_env(struct env *v)
{
    return (struct osrv_env){
        .ctx = v, .begin = e_begin, .commit = e_commit, .abort = e_abort,
        .page_write = e_page_write, .page_read = e_page_read, .discard = e_discard,
        .record_put = e_record_put, .record_del = e_record_del, .record_next = e_record_next,
        .meta_put = e_meta_put, .meta_get = e_meta_get, .db_put = e_db_put, .db_del = e_db_del,
        .domain = e_domain, .mint = e_mint, .check = e_check, .retire = e_retire,
        .log = e_log, .task_domain = e_task_domain, .alive = e_alive, .unmap = e_unmap,
        .now_ns = e_now, .grant = e_grant, .cap_add = e_cap_add, .cap_list = e_cap_list,
        .revoke = e_revoke,
    };
}

/* ---- a booted objmgr over the store ------------------------------------------------- */

struct sys {
    struct env v;
    struct osrv s;
    struct server srv;
    uint64_t mr[64];
};

static void boot(struct sys *y)
{
    struct capstore_backend be = { &y->v, b_begin, b_commit, b_abort, b_get, b_put, b_del,
                                   b_each };
    y->v.log = 0;
    y->v.log_tail = &y->v.log;
    assert_int_equal(persist_open(y->v.path, 0, &y->v.p), SAS_OK);
    assert_int_equal(persist_db_open(y->v.p, "capstore", &y->v.db), SAS_OK);
    assert_int_equal(capstore_open(&be, 0, &y->v.cs), SAS_OK);
    if (!y->v.pool)
        y->v.pool = aligned_alloc(PAGE, FRAMES * PAGE);
    struct osrv_env env = make_env(&y->v);
    assert_int_equal(osrv_init(&y->s, &env, y->v.pool, FRAMES), SAS_OK);
    y->s.mr = y->mr;
    assert_int_equal(osrv_restore(&y->s), SAS_OK);
    assert_int_equal(osrv_txn(&y->s, 0, 0, 0, 0), SAS_OK);
    osrv_server(&y->s, &y->srv);
}

/* Ends the "machine" without any further transaction: a crash, or a power-off. */
static void halt(struct sys *y)
{
    capstore_close(y->v.cs);
    if (y->v.wt)
        persist_abort(y->v.wt);
    y->v.wt = 0;
    persist_close(y->v.p);
    while (y->v.log) {
        struct logrec *l = y->v.log;
        y->v.log = l->next;
        free(l);
    }
    osrv_fini(&y->s);      /* what a crash loses: nothing of it reaches the next boot */
}

static struct sys *sys_new(void)
{
    struct sys *y = calloc(1, sizeof *y);
    snprintf(y->v.path, sizeof y->v.path, "/tmp/osrv-test-%d-%p", getpid(), (void *)y);
    unlink(y->v.path);
    struct persist_create_opts o = { 16u << 20, 8 };
    assert_int_equal(persist_create(y->v.path, &o), SAS_OK);
    boot(y);
    return y;
}

static void sys_free(struct sys *y)
{
    halt(y);
    unlink(y->v.path);
    free(y->v.pool);
    free(y);
}

/* Task `task` runs program `name`, lthread 0 of version `ver`. */
static void run_task(struct sys *y, unsigned task, const char *name, uint64_t ver)
{
    snprintf(y->v.names[task], OSRV_DOMAIN_NAME, "%s", name);
    y->v.version[task] = ver;
}

static unsigned req(struct sys *y, l4_threadid_t from, uint32_t label, unsigned u,
                    l4_msg_t *m, enum server_action *act)
{
    struct server_msg msg = { from, l4_tid_task(from), l4_msgtag(label, u, 0), m,
                              l4_msgtag(SAS_OK, 0, 0), 0 };
    enum server_action a = server_dispatch(&y->srv, &msg);
    if (act)
        *act = a;
    return l4_msgtag_label(msg.reply);
}

#define T1 l4_tid_make(10, 1, 5)     /* task 10's program thread */
#define T1_SYS l4_tid_make(10, 0, 5) /* its system thread */
#define T2 l4_tid_make(11, 1, 7)
#define T2_SYS l4_tid_make(11, 0, 7)

static uint64_t create(struct sys *y, l4_threadid_t t, uint64_t size, unsigned flags,
                       struct cap *cap)
{
    l4_msg_t m = { { size, flags, 0 } };
    memcpy(&m.w[2], "test", 5);
    assert_int_equal(req(y, t, OBJ_CREATE, 6, &m, 0), SAS_OK);
    if (cap) {
        memcpy(cap, &m.w[1], 7 * 8);
        memcpy((uint8_t *)cap + 56, &y->mr[8], sizeof *cap - 56);
    }
    return m.w[0];
}

/* A fault of t's system thread at va; the frame it was given, or NULL (*e the error). */
static uint8_t *fault(struct sys *y, l4_threadid_t sys, uint64_t va, unsigned acc,
                      unsigned *e, unsigned *rights)
{
    l4_msg_t m = { { va, acc } };
    *e = req(y, sys, OBJ_FAULT, 2, &m, 0);
    if (*e)
        return (uint8_t *)(uintptr_t)m.w[0];   /* the reason, for SAS_ECAP_DENIED */
    if (rights)
        *rights = (unsigned)(m.w[0] & L4_FPAGE_RWX);
    assert_int_equal(m.w[1], va & ~(uint64_t)(PAGE - 1));
    return (uint8_t *)(uintptr_t)l4_fpage_base(m.w[0]);
}

/* A program writes through its mapping: the kernel's dirty bit of the frame goes up. */
static void store(struct sys *y, uint8_t *frame, size_t off, const void *src, size_t n)
{
    memcpy(frame + off, src, n);
    y->v.dirty[(size_t)(frame - y->v.pool) / PAGE] = 1;
}

static unsigned commit(struct sys *y, l4_threadid_t t, uint64_t addr, uint64_t *pages)
{
    l4_msg_t m = { { 1, addr } };
    unsigned e = req(y, t, OBJ_COMMIT, 2, &m, 0);
    if (pages)
        *pages = m.w[0];
    return e;
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_create_fault_commit_reboot(void **st)
{
    (void)st;
    struct sys *y = sys_new();
    unsigned e, rights;
    struct cap cap;
    run_task(y, 10, "alice", 5);
    uint64_t base = create(y, T1, 3 * PAGE, OBJ_CREATE_PERSISTENT, &cap);
    assert_int_equal(base, SAS_OBJECT_BASE);
    assert_int_equal(cap.base, base);
    assert_int_equal(cap_verify(y->v.cs, &cap, 1000), SAS_OK);
    uint8_t *f = fault(y, T1_SYS, base + PAGE + 5, CAP_R_WRITE, &e, &rights);
    assert_int_equal(e, SAS_OK);
    assert_int_equal(rights, L4_FPAGE_RWX);
    store(y, f, 0, "hello", 6);
    uint64_t pages = 0;
    assert_int_equal(commit(y, T1, base + 2, &pages), SAS_OK);
    assert_int_equal(pages, 1);
    store(y, f, 0, "HELLO", 6);                /* not committed: lost at the reboot */
    halt(y);
    boot(y);
    run_task(y, 10, "alice", 6);
    f = fault(y, l4_tid_make(10, 0, 6), base + PAGE, CAP_R_READ, &e, 0);
    assert_int_equal(e, SAS_OK);
    assert_string_equal((char *)f, "hello");
    assert_int_equal(y->s.st.pages_read, 1);
    l4_msg_t m = { { base } };
    assert_int_equal(req(y, l4_tid_make(10, 1, 6), OBJ_INFO, 1, &m, 0), SAS_OK);
    assert_int_equal(m.w[1], 3 * PAGE);
    assert_int_equal(m.w[2], OBJ_INFO_PERSISTENT | OBJ_INFO_DURABLE);
    sys_free(y);
}

static void test_other_domain_denied(void **st)
{
    (void)st;
    struct sys *y = sys_new();
    unsigned e;
    run_task(y, 10, "alice", 5);
    run_task(y, 11, "bob", 7);
    uint64_t base = create(y, T1, PAGE, 0, 0);
    uint8_t *r = fault(y, T2_SYS, base, CAP_R_READ, &e, 0);
    assert_int_equal(e, SAS_ECAP_DENIED);
    assert_int_equal((uintptr_t)r, CAP_DENY_NO_CAP);
    l4_msg_t m = { { base } };
    assert_int_equal(req(y, T2, OBJ_DELETE, 1, &m, 0), SAS_ECAP_DENIED);
    assert_int_equal(req(y, T2, OBJ_INFO, 1, &m, 0), SAS_ECAP_DENIED);
    /* a fault from a program thread (not lthread 0) is refused */
    m = (l4_msg_t){ { base, CAP_R_READ } };
    assert_int_equal(req(y, T1, OBJ_FAULT, 2, &m, 0), SAS_EPERM);
    sys_free(y);
}

static void test_sender_checks(void **st)
{
    (void)st;
    struct sys *y = sys_new();
    l4_msg_t m = { { PAGE, 0 } };
    /* a task root runs no program in (a service, or nothing) */
    assert_int_equal(req(y, l4_tid_make(12, 1, 3), OBJ_CREATE, 6, &m, 0), SAS_EPERM);
    /* a task whose lthread 0 died, then reused: bound anew, to the new program's domain */
    run_task(y, 10, "alice", 5);
    uint64_t base = create(y, T1, PAGE, 0, 0);
    run_task(y, 10, "mallory", 9);
    unsigned e;
    fault(y, l4_tid_make(10, 0, 9), base, CAP_R_READ, &e, 0);
    assert_int_equal(e, SAS_ECAP_DENIED);
    assert_int_equal(obj_count(y->s.table), 1);
    sys_free(y);
}

/* A create lost in a crash: the next object at its base has a newer epoch, so the lost
 * object's owner capability verifies for nothing there. */
static void test_crash_before_commit(void **st)
{
    (void)st;
    struct sys *y = sys_new();
    struct cap old, now;
    run_task(y, 10, "alice", 5);
    uint64_t base = create(y, T1, PAGE, OBJ_CREATE_PERSISTENT, &old);
    halt(y);                                   /* crash: nothing committed */
    boot(y);
    run_task(y, 11, "bob", 7);
    assert_int_equal(create(y, T2, PAGE, OBJ_CREATE_PERSISTENT, &now), base);
    assert_true(now.epoch > old.epoch);
    assert_int_not_equal(cap_verify(y->v.cs, &old, 1000), SAS_OK);
    /* alice (a new program of hers) has nothing there */
    run_task(y, 10, "alice", 6);
    unsigned e;
    fault(y, l4_tid_make(10, 0, 6), base, CAP_R_READ, &e, 0);
    assert_int_equal(e, SAS_ECAP_DENIED);
    sys_free(y);
}

/* Dirty bits of a task that exited still reach the commit, through the frame's own. */
static void test_commit_all_and_delete(void **st)
{
    (void)st;
    struct sys *y = sys_new();
    unsigned e;
    run_task(y, 10, "alice", 5);
    uint64_t a = create(y, T1, PAGE, OBJ_CREATE_PERSISTENT, 0);
    uint64_t b = create(y, T1, 2 * PAGE, OBJ_CREATE_PERSISTENT, 0);
    create(y, T1, PAGE, 0, 0);                 /* transient: never stored */
    store(y, fault(y, T1_SYS, a, CAP_R_WRITE, &e, 0), 0, "A", 2);
    store(y, fault(y, T1_SYS, b + PAGE, CAP_R_WRITE, &e, 0), 0, "B", 2);
    l4_msg_t m = { { 0 } };
    assert_int_equal(req(y, T1, OBJ_COMMIT_ALL, 0, &m, 0), SAS_OK);
    assert_int_equal(m.w[0], 2);
    m = (l4_msg_t){ { a } };
    assert_int_equal(req(y, T1, OBJ_DELETE, 1, &m, 0), SAS_OK);
    halt(y);
    boot(y);
    assert_int_equal(obj_count(y->s.table), 1);
    run_task(y, 10, "alice", 6);
    uint8_t *f = fault(y, l4_tid_make(10, 0, 6), b + PAGE, CAP_R_READ, &e, 0);
    assert_int_equal(e, SAS_OK);
    assert_string_equal((char *)f, "B");
    fault(y, l4_tid_make(10, 0, 6), a, CAP_R_READ, &e, 0);
    assert_int_equal(e, SAS_ENOTFOUND);
    sys_free(y);
}

/* A commit the store refuses loses nothing: the pages stay dirty for the next one. */
static void test_failed_commit_keeps_dirty(void **st)
{
    (void)st;
    struct sys *y = sys_new();
    unsigned e;
    run_task(y, 10, "alice", 5);
    uint64_t a = create(y, T1, PAGE, OBJ_CREATE_PERSISTENT, 0);
    store(y, fault(y, T1_SYS, a, CAP_R_WRITE, &e, 0), 0, "x", 2);
    y->v.fail_commit = 1;
    assert_int_equal(commit(y, T1, a, 0), SAS_ESTORE_FULL);
    y->v.fail_commit = 0;
    uint64_t pages = 0;
    assert_int_equal(commit(y, T1, a, &pages), SAS_OK);
    assert_int_equal(pages, 1);
    halt(y);
    boot(y);
    run_task(y, 10, "alice", 6);
    uint8_t *f = fault(y, l4_tid_make(10, 0, 6), a, CAP_R_READ, &e, 0);
    assert_string_equal((char *)f, "x");
    sys_free(y);
}

/* A grant of a narrowed capability: bob reads through the same frame, cannot write, and
 * the grant survives a reboot; a capability with a bit flipped is refused. */
static void test_grant_share(void **st)
{
    (void)st;
    struct sys *y = sys_new();
    unsigned e, rights;
    struct cap owner, ro;
    run_task(y, 10, "alice", 5);
    run_task(y, 11, "bob", 7);
    uint64_t base = create(y, T1, PAGE, OBJ_CREATE_PERSISTENT, &owner);
    uint8_t *fa = fault(y, T1_SYS, base, CAP_R_WRITE, &e, 0);
    store(y, fa, 0, "shared", 7);
    assert_int_equal(commit(y, T1, base, 0), SAS_OK);
    /* bob is bound (his domain exists) before alice grants to him */
    fault(y, T2_SYS, base, CAP_R_READ, &e, 0);
    assert_int_equal(e, SAS_ECAP_DENIED);
    struct cap_link l = cap_link_make(CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    assert_int_equal(cap_derive(&owner, &l, &ro), SAS_OK);
    l4_msg_t m = { { 0 } };
    memcpy(&m.w[0], "bob", 4);
    memcpy(&m.w[4], &ro, 32);
    memcpy(&y->mr[8], (uint8_t *)&ro + 32, sizeof ro - 32);
    assert_int_equal(req(y, T1, OBJ_GRANT, 4 + OBJ_CAP_WORDS, &m, 0), SAS_OK);
    uint8_t *fb = fault(y, T2_SYS, base, CAP_R_READ, &e, &rights);
    assert_int_equal(e, SAS_OK);
    assert_ptr_equal(fb, fa);                          /* one frame */
    assert_int_equal(rights, L4_FPAGE_R);
    fault(y, T2_SYS, base, CAP_R_WRITE, &e, 0);
    assert_int_equal(e, SAS_ECAP_DENIED);
    /* a revocation of bob's capability: his next fault is denied, alice's owner one not */
    struct cap ro2;
    assert_int_equal(cap_derive(&owner, &l, &ro2), SAS_OK);
    memcpy(&m.w[0], "bob", 4);
    memcpy(&m.w[4], &ro2, 32);
    memcpy(&y->mr[8], (uint8_t *)&ro2 + 32, sizeof ro2 - 32);
    assert_int_equal(req(y, T1, OBJ_GRANT, 4 + OBJ_CAP_WORDS, &m, 0), SAS_OK);
    memcpy(&m.w[0], &ro2, 64);
    memcpy(&y->mr[8], (uint8_t *)&ro2 + 64, sizeof ro2 - 64);
    assert_int_equal(req(y, T1, OBJ_REVOKE, OBJ_CAP_WORDS, &m, 0), SAS_OK);
    fault(y, T2_SYS, base, CAP_R_READ, &e, 0);
    assert_int_equal(e, SAS_OK);                       /* bob still holds ro */
    fault(y, T1_SYS, base, CAP_R_WRITE, &e, 0);
    assert_int_equal(e, SAS_OK);
    memcpy(&m.w[0], &ro2, 64);
    memcpy(&y->mr[8], (uint8_t *)&ro2 + 64, sizeof ro2 - 64);
    assert_int_equal(req(y, T1, OBJ_REVOKE, OBJ_CAP_WORDS, &m, 0), SAS_ECAP_REVOKED);
    memcpy(&m.w[0], &ro, 64);
    memcpy(&y->mr[8], (uint8_t *)&ro + 64, sizeof ro - 64);
    assert_int_equal(req(y, T1, OBJ_REVOKE, OBJ_CAP_WORDS, &m, 0), SAS_OK);
    unsigned why;
    why = (unsigned)(uintptr_t)fault(y, T2_SYS, base, CAP_R_READ, &e, 0);
    assert_int_equal(e, SAS_ECAP_DENIED);
    assert_int_equal(why, CAP_DENY_REVOKED);
    /* a flipped bit: refused by OBJ_CAP_ADD */
    struct cap bad = ro;
    bad.tag[3] ^= 0x10;
    memcpy(&m.w[0], &bad, 64);
    memcpy(&y->mr[8], (uint8_t *)&bad + 64, sizeof bad - 64);
    assert_int_equal(req(y, T2, OBJ_CAP_ADD, OBJ_CAP_WORDS, &m, 0), SAS_ECAP_FORGED);
    halt(y);
    boot(y);                                          /* the grants and the revocations */
    run_task(y, 11, "bob", 8);                        /* were durable */
    fault(y, l4_tid_make(11, 0, 8), base, CAP_R_READ, &e, 0);
    assert_int_equal(e, SAS_ECAP_DENIED);
    m = (l4_msg_t){ { 0 } };
    assert_int_equal(req(y, l4_tid_make(11, 1, 8), OBJ_CAPS, 1, &m, 0), SAS_OK);
    assert_int_equal(y->mr[OBJ_CAP_WORDS], 2);
    run_task(y, 10, "alice", 9);
    fa = fault(y, l4_tid_make(10, 0, 9), base, CAP_R_READ, &e, 0);
    assert_int_equal(e, SAS_OK);
    assert_string_equal((char *)fa, "shared");
    sys_free(y);
}

/* A committed object grown after a reboot keeps its stored pages; the next commit stores
 * its new size; a delete that the store refuses changes nothing, and one it takes removes
 * the object for good. */
static void test_resize_and_delete_durable(void **st)
{
    (void)st;
    struct sys *y = sys_new();
    unsigned e;
    run_task(y, 10, "alice", 5);
    uint64_t base = create(y, T1, 2 * PAGE, OBJ_CREATE_PERSISTENT, 0);
    store(y, fault(y, T1_SYS, base, CAP_R_WRITE, &e, 0), 0, "kept", 5);
    assert_int_equal(commit(y, T1, base, 0), SAS_OK);
    halt(y);
    boot(y);
    run_task(y, 10, "alice", 6);
    l4_threadid_t t = l4_tid_make(10, 1, 6), sys = l4_tid_make(10, 0, 6);
    l4_msg_t m = { { base, 4 * PAGE } };
    assert_int_equal(req(y, t, OBJ_RESIZE, 2, &m, 0), SAS_OK);
    uint8_t *f = fault(y, sys, base, CAP_R_READ, &e, 0);
    assert_int_equal(e, SAS_OK);
    assert_string_equal((char *)f, "kept");          /* read from the store, not zeroed */
    store(y, fault(y, sys, base + 3 * PAGE, CAP_R_WRITE, &e, 0), 0, "new", 4);
    assert_int_equal(commit(y, t, base, 0), SAS_OK);
    halt(y);
    boot(y);
    run_task(y, 10, "alice", 7);
    t = l4_tid_make(10, 1, 7), sys = l4_tid_make(10, 0, 7);
    m = (l4_msg_t){ { base } };
    assert_int_equal(req(y, t, OBJ_INFO, 1, &m, 0), SAS_OK);
    assert_int_equal(m.w[1], 4 * PAGE);
    assert_string_equal((char *)fault(y, sys, base + 3 * PAGE, CAP_R_READ, &e, 0), "new");
    /* The store refuses the delete: the object and its capabilities stay. */
    y->v.fail_commit = 1;
    m = (l4_msg_t){ { base } };
    assert_int_equal(req(y, t, OBJ_DELETE, 1, &m, 0), SAS_ESTORE_FULL);
    y->v.fail_commit = 0;
    assert_string_equal((char *)fault(y, sys, base, CAP_R_READ, &e, 0), "kept");
    m = (l4_msg_t){ { base } };
    assert_int_equal(req(y, t, OBJ_DELETE, 1, &m, 0), SAS_OK);
    halt(y);
    boot(y);
    assert_int_equal(obj_count(y->s.table), 0);
    sys_free(y);
}

static int commit_started;
static enum sas_error e_commit_start(void *c)
{
    (void)c;
    commit_started++;
    return SAS_OK;
}

/* The committer's protocol without its thread: a commit is handed over (deferred), a
 * fault on another object's resident page is served meanwhile, a write fault on the
 * committed object and an info request wait, and after the committer's report the commit's
 * reply and then the waiting ones go out, in order. */
static void test_commit_in_flight(void **st)
{
    (void)st;
    struct sys *y = sys_new();
    unsigned e;
    enum server_action a;
    run_task(y, 10, "alice", 5);
    uint64_t x = create(y, T1, PAGE, OBJ_CREATE_PERSISTENT, 0);
    uint64_t z = create(y, T1, PAGE, OBJ_CREATE_PERSISTENT, 0);
    store(y, fault(y, T1_SYS, x, CAP_R_WRITE, &e, 0), 0, "x", 2);
    fault(y, T1_SYS, z, CAP_R_WRITE, &e, 0);
    const l4_threadid_t committer = l4_tid_make(3, 2, 9);
    y->s.c.thread = committer;
    y->s.env.commit_start = e_commit_start;
    commit_started = 0;
    l4_msg_t m = { { 1, x } };
    req(y, T1, OBJ_COMMIT, 2, &m, &a);
    assert_int_equal(a, SERVER_DEFER);
    assert_int_equal(commit_started, 1);
    /* meanwhile: z's page is served at once, x's write and an info request wait */
    unsigned rights = 0;
    fault(y, T1_SYS, z, CAP_R_WRITE, &e, &rights);
    assert_int_equal(e, SAS_OK);
    m = (l4_msg_t){ { x, CAP_R_WRITE } };
    req(y, T1_SYS, OBJ_FAULT, 2, &m, &a);
    assert_int_equal(a, SERVER_DEFER);
    m = (l4_msg_t){ { z } };
    req(y, T1, OBJ_INFO, 1, &m, &a);
    assert_int_equal(a, SERVER_DEFER);
    /* a read fault on x maps it without the write right while it is stored */
    m = (l4_msg_t){ { x, CAP_R_READ } };
    assert_int_equal(req(y, T1_SYS, OBJ_FAULT, 2, &m, &a), SAS_OK);
    assert_int_equal(m.w[0] & L4_FPAGE_W, 0);
    /* only the committer may report */
    m = (l4_msg_t){ { SAS_OK, 1 } };
    req(y, T2, OSRV_COMMIT_DONE, 2, &m, &a);
    assert_int_equal(a, SERVER_DROP);
    assert_true(y->s.c.busy);
    uint64_t pages = 0;
    assert_int_equal(osrv_txn(&y->s, y->s.c.objs, y->s.c.n, 0, &pages), SAS_OK);
    m = (l4_msg_t){ { SAS_OK, pages } };
    struct server_msg done = { committer, 3, l4_msgtag(OSRV_COMMIT_DONE, 2, 0), &m,
                               l4_msgtag(SAS_OK, 0, 0), 0 };
    assert_int_equal(server_dispatch(&y->srv, &done), SERVER_DROP);
    assert_int_equal(done.wake, 1);
    l4_threadid_t to;
    l4_msgtag_t tag;
    assert_int_equal(osrv_deferred(&y->s, &to, &tag, &m), 1);   /* the commit's reply */
    assert_int_equal(to, T1);
    assert_int_equal(l4_msgtag_label(tag), SAS_OK);
    assert_int_equal(m.w[0], 1);
    assert_int_equal(osrv_deferred(&y->s, &to, &tag, &m), 1);   /* x's write fault */
    assert_int_equal(to, T1_SYS);
    assert_int_equal(l4_msgtag_t_words(tag), 2);
    assert_int_equal(m.w[0] & L4_FPAGE_W, L4_FPAGE_W);
    assert_int_equal(osrv_deferred(&y->s, &to, &tag, &m), 1);   /* the info request */
    assert_int_equal(to, T1);
    assert_int_equal(m.w[0], z);
    assert_int_equal(osrv_deferred(&y->s, &to, &tag, &m), 0);
    sys_free(y);
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* 10^5 random and malformed requests from a bound sender: no crash, and the store still
 * opens and restores afterwards. */
static void test_fuzz(void **st)
{
    (void)st;
    static const uint32_t labels[] = { OBJ_CREATE, OBJ_DELETE, OBJ_RESIZE, OBJ_INFO,
                                       OBJ_COMMIT, OBJ_COMMIT_ALL, OBJ_FAULT, OBJ_STATS,
                                       OBJ_FRAME, OBJ_GRANT, OBJ_CAP_ADD, OBJ_CAPS, OBJ_WHY,
                                       OBJ_REVOKE, 0x4f4d0000u, 0x4f4d000fu, 0 };
    struct sys *y = sys_new();
    uint64_t seed = 0x9e3779b97f4a7c15ull, bases[16] = { SAS_OBJECT_BASE };
    unsigned nb = 1;
    run_task(y, 10, "alice", 5);
    for (unsigned i = 0; i < 100000; i++) {
        l4_msg_t m;
        uint64_t r = rnd(&seed);
        uint32_t label = labels[r % (sizeof labels / sizeof labels[0])];
        for (unsigned k = 0; k < 8; k++) {
            uint64_t x = rnd(&seed);
            switch (x % 5) {
            case 0: m.w[k] = x; break;
            case 1: m.w[k] = bases[x % nb] + (x >> 40) % (4 * PAGE); break;
            case 2: m.w[k] = (x >> 8) % 8; break;
            case 3: m.w[k] = (x >> 8) % (64 * PAGE); break;
            default: m.w[k] = 0;
            }
        }
        for (unsigned k = 8; k < 64; k++)
            y->mr[k] = (k & 1) ? bases[rnd(&seed) % nb] : rnd(&seed);
        if (label == OBJ_CREATE)
            m.w[5] &= 0x00ffffffffffffffull;
        unsigned u = (unsigned)(rnd(&seed) % 65);
        l4_threadid_t from = (r >> 20) & 1 ? T1_SYS : T1;
        unsigned e = req(y, from, label, u, &m, 0);
        if (label == OBJ_CREATE && !e && nb < 16)
            bases[nb++] = m.w[0];
        if (label == OBJ_FAULT && !e)
            y->v.dirty[(l4_fpage_base(m.w[0]) - (uintptr_t)y->v.pool) / PAGE] = 1;
        assert_true(y->s.resident + y->s.nfree == FRAMES);
    }
    size_t objects = obj_count(y->s.table);
    l4_msg_t m = { { 0 } };
    assert_int_equal(req(y, T1, OBJ_COMMIT_ALL, 0, &m, 0), SAS_OK);
    halt(y);
    boot(y);
    assert_true(obj_count(y->s.table) <= objects);
    sys_free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_fault_commit_reboot),
        cmocka_unit_test(test_other_domain_denied),
        cmocka_unit_test(test_sender_checks),
        cmocka_unit_test(test_crash_before_commit),
        cmocka_unit_test(test_commit_all_and_delete),
        cmocka_unit_test(test_failed_commit_keeps_dirty),
        cmocka_unit_test(test_grant_share),
        cmocka_unit_test(test_resize_and_delete_durable),
        cmocka_unit_test(test_commit_in_flight),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
