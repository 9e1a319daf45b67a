/*
 * osrv_ipc.c — struct osrv_env over IPC: persist's and capstore's protocols
 * (sas/proto/persist.h, capstore.h), root's binding (ROOT_TASK_DOMAIN) and the kernel's
 * unmap. Pages go to persist by mapping a frame into its window for one request; the
 * mapping is taken back from persist's task alone right after (fpage_unmap with
 * L4_UNMAP_ONE_TASK), so no other task's mapping of the frame is touched, and the bits
 * that unmap reports (persist's own writes, when it filled the frame) are not a change.
 */
#include <string.h>
#include <time.h>
#include <l4/syscalls.h>
#include <sas/proto/persist.h>
#include <sas/proto/capstore.h>
#include <sas/proto/root.h>
#include "osrv_ipc.h"

#define PAGE 4096u

/* Word i of a message: the registers' below 8, the UTCB's from 8 on. */
static uint64_t *w(l4_msg_t *m, unsigned i)
{
    return i < L4_MSG_REG_WORDS ? &m->w[i] : &l4_utcb()->mr[i];
}

static void put_bytes(l4_msg_t *m, unsigned at, const void *src, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = 0;
        memcpy(&v, (const uint8_t *)src + i, n - i < 8 ? n - i : 8);
        *w(m, at + (unsigned)(i / 8)) = v;
    }
}

static void get_bytes(l4_msg_t *m, unsigned at, void *dst, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = *w(m, at + (unsigned)(i / 8));
        memcpy((uint8_t *)dst + i, &v, n - i < 8 ? n - i : 8);
    }
}

static unsigned words(size_t bytes) { return (unsigned)((bytes + 7) / 8); }

static enum sas_error call(l4_threadid_t to, uint32_t label, unsigned u, unsigned t,
                           l4_msg_t *m, unsigned *u_out)
{
    uint64_t res = l4_call(to, l4_msgtag(label, u, t), m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    if (l4_ipc_error(res))
        return SAS_EIO;
    if (u_out)
        *u_out = l4_msgtag_u(l4_ipc_tag(res));
    return (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
}

#define CTX struct osrv_ipc *c = ctx

static enum sas_error p_simple(void *ctx, uint32_t label)
{
    CTX;
    l4_msg_t m = { { 0 } };
    return call(c->persist, label, 0, 0, &m, 0);
}
static enum sas_error p_begin(void *ctx) { return p_simple(ctx, PERSIST_BEGIN); }
static enum sas_error p_commit(void *ctx) { return p_simple(ctx, PERSIST_COMMIT); }
static void p_abort(void *ctx) { p_simple(ctx, PERSIST_ABORT); }

/* A page request: the frame mapped into persist's window for the call, then taken back. */
static enum sas_error p_page(void *ctx, uint32_t label, uint64_t addr, void *page,
                             unsigned rights)
{
    CTX;
    l4_fpage_t f = l4_fpage((uint64_t)(uintptr_t)page, 12, rights);
    l4_msg_t m = { { addr, f, 0 } };
    enum sas_error e = call(c->persist, label, 1, 2, &m, 0);
    l4_fpage_unmap(l4_fpage((uint64_t)(uintptr_t)page, 12, L4_FPAGE_RWX), L4_UNMAP_ONE_TASK,
                   l4_tid_task(c->persist), 0);
    return e;
}
static enum sas_error p_page_write(void *ctx, uint64_t addr, const void *page)
{
    return p_page(ctx, PERSIST_PAGE_WRITE, addr, (void *)page, L4_FPAGE_R);
}
static enum sas_error p_page_read(void *ctx, uint64_t addr, void *page)
{
    return p_page(ctx, PERSIST_PAGE_READ, addr, page, L4_FPAGE_RW);
}

static enum sas_error p_discard(void *ctx, uint64_t addr, uint64_t pages)
{
    CTX;
    l4_msg_t m = { { addr, pages } };
    return call(c->persist, PERSIST_PAGES_DISCARD, 2, 0, &m, 0);
}

static enum sas_error p_record_put(void *ctx, uint64_t base, const void *rec, size_t len)
{
    CTX;
    l4_msg_t m = { { base, len } };
    put_bytes(&m, 2, rec, len);
    return call(c->persist, PERSIST_RECORD_PUT, 2 + words(len), 0, &m, 0);
}

static enum sas_error p_record_del(void *ctx, uint64_t base)
{
    CTX;
    l4_msg_t m = { { base } };
    return call(c->persist, PERSIST_RECORD_DEL, 1, 0, &m, 0);
}

static enum sas_error p_record_next(void *ctx, uint64_t from, uint64_t *base, void *rec,
                                    size_t cap, size_t *len)
{
    CTX;
    unsigned u = 0;
    l4_msg_t m = { { from } };
    enum sas_error e = call(c->persist, PERSIST_RECORD_NEXT, 1, 0, &m, &u);
    if (e)
        return e;
    if (u < 2 || m.w[1] > cap || u < 2 + words(m.w[1]))
        return SAS_ESTORE_CORRUPT;
    *base = m.w[0];
    *len = m.w[1];
    get_bytes(&m, 2, rec, *len);
    return SAS_OK;
}

/* MR0 = key length, MR1..MR2 = key (at most 16 bytes). */
static int meta_key(l4_msg_t *m, const char *key)
{
    size_t n = strlen(key);
    if (!n || n > 16)
        return -1;
    m->w[0] = n;
    put_bytes(m, 1, key, n);
    return 0;
}

static enum sas_error p_meta_put(void *ctx, const char *key, const void *val, size_t len)
{
    CTX;
    l4_msg_t m = { { 0 } };
    if (meta_key(&m, key) || len > 64)
        return SAS_EINVAL;
    m.w[3] = len;
    put_bytes(&m, 4, val, len);
    return call(c->persist, PERSIST_META_PUT, 4 + words(len), 0, &m, 0);
}

static enum sas_error p_meta_get(void *ctx, const char *key, void *val, size_t cap, size_t *len)
{
    CTX;
    unsigned u = 0;
    l4_msg_t m = { { 0 } };
    if (meta_key(&m, key))
        return SAS_EINVAL;
    enum sas_error e = call(c->persist, PERSIST_META_GET, 3, 0, &m, &u);
    if (e)
        return e;
    if (u < 1 || m.w[0] > cap || u < 1 + words(m.w[0]))
        return SAS_ESTORE_CORRUPT;
    *len = m.w[0];
    get_bytes(&m, 1, val, *len);
    return SAS_OK;
}

static enum sas_error p_db_put(void *ctx, const void *key, size_t klen, const void *val,
                               size_t vlen)
{
    CTX;
    uint8_t buf[OSRV_REC_MAX];
    l4_msg_t m = { { klen | vlen << 16 } };
    if (klen + vlen > sizeof buf)
        return SAS_EINVAL;
    memcpy(buf, key, klen);
    memcpy(buf + klen, val, vlen);
    put_bytes(&m, 1, buf, klen + vlen);
    return call(c->persist, PERSIST_DB_PUT, 1 + words(klen + vlen), 0, &m, 0);
}

static enum sas_error p_db_del(void *ctx, const void *key, size_t klen)
{
    CTX;
    l4_msg_t m = { { klen } };
    if (klen > 64)
        return SAS_EINVAL;
    put_bytes(&m, 1, key, klen);
    return call(c->persist, PERSIST_DB_DEL, 1 + words(klen), 0, &m, 0);
}

static enum sas_error c_domain(void *ctx, const char name[OSRV_DOMAIN_NAME], domain_id *id,
                               int *created)
{
    CTX;
    unsigned u = 0;
    l4_msg_t m = { { 0 } };
    put_bytes(&m, 0, name, OSRV_DOMAIN_NAME);
    enum sas_error e = call(c->capstore, CAPSTORE_DOMAIN, 4, 0, &m, &u);
    if (!e && u < 2)
        e = SAS_EIO;
    if (!e) {
        *id = (domain_id)m.w[0];
        *created = (int)m.w[1];
    }
    return e;
}

static enum sas_error c_mint(void *ctx, uint64_t base, uint64_t epoch, domain_id d,
                             struct cap *out)
{
    CTX;
    unsigned u = 0;
    l4_msg_t m = { { base, epoch, d } };
    enum sas_error e = call(c->capstore, CAPSTORE_MINT, 3, 0, &m, &u);
    if (!e && u < words(sizeof *out))
        e = SAS_EIO;
    if (!e)
        get_bytes(&m, 0, out, sizeof *out);
    return e;
}

static enum sas_error c_check(void *ctx, domain_id d, const struct cap_object *o,
                              uint64_t addr, unsigned access, struct cap_decision *out)
{
    CTX;
    unsigned u = 0;
    l4_msg_t m = { { d, o->base, o->size, o->epoch, addr, access } };
    enum sas_error e = call(c->capstore, CAPSTORE_CHECK, 6, 0, &m, &u);
    if (!e && u < 6)
        e = SAS_EIO;
    if (e)
        return e;
    *out = (struct cap_decision){ .allow = (uint8_t)m.w[0], .reason = (uint8_t)(m.w[0] >> 8),
                                  .rights = (uint8_t)(m.w[0] >> 16),
                                  .cached = (uint8_t)(m.w[0] >> 24),
                                  .lo = m.w[1], .hi = m.w[2], .valid_until = m.w[3] };
    memcpy(out->tag, &m.w[4], sizeof out->tag);
    return SAS_OK;
}

static enum sas_error c_retire(void *ctx, uint64_t base)
{
    CTX;
    l4_msg_t m = { { base } };
    return call(c->capstore, CAPSTORE_RETIRE, 1, 0, &m, 0);
}

static enum sas_error c_log(void *ctx, struct osrv_rec *out)
{
    CTX;
    unsigned u = 0;
    l4_msg_t m = { { 0 } };
    enum sas_error e = call(c->capstore, CAPSTORE_LOG, 0, 0, &m, &u);
    if (e)
        return e;
    out->op = (uint8_t)m.w[0];
    out->klen = (uint8_t)(m.w[0] >> 8);
    out->vlen = (uint16_t)(m.w[0] >> 16);
    if ((out->op != 1 && out->op != 2) || !out->klen ||
        out->klen + out->vlen > OSRV_REC_MAX || u < 1 + words(out->klen + out->vlen))
        return SAS_EIO;
    get_bytes(&m, 1, out->data, out->klen + out->vlen);
    return SAS_OK;
}

static enum sas_error c_grant(void *ctx, domain_id from, const char to[OSRV_DOMAIN_NAME],
                              const struct cap *cap)
{
    CTX;
    l4_msg_t m = { { from } };
    put_bytes(&m, 1, to, OSRV_DOMAIN_NAME);
    put_bytes(&m, 5, cap, sizeof *cap);
    return call(c->capstore, CAPSTORE_GRANT, 5 + words(sizeof *cap), 0, &m, 0);
}

static enum sas_error c_cap_add(void *ctx, domain_id d, const struct cap *cap)
{
    CTX;
    l4_msg_t m = { { d } };
    put_bytes(&m, 1, cap, sizeof *cap);
    return call(c->capstore, CAPSTORE_ADD, 1 + words(sizeof *cap), 0, &m, 0);
}

static enum sas_error c_cap_list(void *ctx, domain_id d, unsigned i, struct cap *out,
                                 unsigned *count)
{
    CTX;
    unsigned u = 0;
    l4_msg_t m = { { d, i } };
    enum sas_error e = call(c->capstore, CAPSTORE_CAPS, 2, 0, &m, &u);
    if (!e && u < words(sizeof *out) + 1)
        e = SAS_EIO;
    if (e)
        return e;
    get_bytes(&m, 0, out, sizeof *out);
    *count = (unsigned)*w(&m, words(sizeof *out));
    return SAS_OK;
}

static enum sas_error c_revoke(void *ctx, const struct cap *cap)
{
    CTX;
    l4_msg_t m = { { 0 } };
    put_bytes(&m, 0, cap, sizeof *cap);
    return call(c->capstore, CAPSTORE_REVOKE, words(sizeof *cap), 0, &m, 0);
}

static enum sas_error r_task_domain(void *ctx, unsigned task, l4_threadid_t *lt0,
                                    char name[OSRV_DOMAIN_NAME])
{
    CTX;
    unsigned u = 0;
    l4_msg_t m = { { task } };
    enum sas_error e = call(c->root, ROOT_TASK_DOMAIN, 1, 0, &m, &u);
    if (!e && u < 5)
        e = SAS_EIO;
    if (e)
        return e;
    *lt0 = m.w[0];
    get_bytes(&m, 1, name, OSRV_DOMAIN_NAME);
    name[OSRV_DOMAIN_NAME - 1] = 0;
    return SAS_OK;
}

static int k_alive(void *ctx, l4_threadid_t id)
{
    (void)ctx;
    uint64_t type, err = 0;
    l4_id_nearest(id, &type, &err);
    return !err;
}

static unsigned k_unmap(void *ctx, void *page, unsigned rights)
{
    (void)ctx;
    uint64_t covered = 0;
    if (l4_fpage_unmap(l4_fpage((uint64_t)(uintptr_t)page, 12, rights), 0, 0, &covered) ||
        !covered)
        return 2;        /* not known: count it dirty, never lose a write */
    return (unsigned)(l4_utcb()->mr[0] & 3);
}

static uint64_t k_now(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static enum sas_error k_commit_start(void *ctx)
{
    CTX;
    l4_msg_t m = { { 0 } };
    uint64_t res = l4_send(c->committer, l4_msgtag(OSRV_COMMIT_START, 0, 0), &m,
                           L4_TIMEOUT_NEVER);
    return l4_ipc_error(res) ? SAS_EIO : SAS_OK;
}

struct osrv_env osrv_ipc_env(struct osrv_ipc *c)
{
    return (struct osrv_env){
        .ctx = c, .begin = p_begin, .commit = p_commit, .abort = p_abort,
        .page_write = p_page_write, .page_read = p_page_read, .discard = p_discard,
        .record_put = p_record_put, .record_del = p_record_del, .record_next = p_record_next,
        .meta_put = p_meta_put, .meta_get = p_meta_get, .db_put = p_db_put, .db_del = p_db_del,
        .domain = c_domain, .mint = c_mint, .check = c_check, .retire = c_retire,
        .log = c_log, .task_domain = r_task_domain, .alive = k_alive, .unmap = k_unmap,
        .now_ns = k_now, .grant = c_grant, .cap_add = c_cap_add, .cap_list = c_cap_list,
        .revoke = c_revoke, .commit_start = k_commit_start,
    };
}
