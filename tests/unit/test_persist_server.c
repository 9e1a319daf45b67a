/*
 * test_persist_server.c — the persist server's requests (persist/server/psrv_ops.c,
 * dispatched through its own label table by sas/server.h's step) on the host, over a real
 * store in a temporary file: every request's answers and errors, who may ask what, and a
 * fuzz of 10^5 random and malformed requests after which the store still opens and
 * checks. The window a page request maps in is a page-aligned buffer the test fills; the
 * words past MR7 an array of exactly the UTCB's 64 (so the sanitizers see any overrun);
 * root's answers (psrv_lookup) and the kernel's word on liveness (psrv_alive) are fakes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sas/layout.h>
#include <sas/proto/root.h>
#include "psrv.h"

#define STORE_BYTES (8u << 20)
#define PG          PERSIST_PAGE
#define OBJ(n)      (SAS_OBJECT_BASE + (uint64_t)(n) * PG)

static struct {
    l4_threadid_t ids[8];                      /* root's answer, by ROOT_SERVICE_* */
    l4_threadid_t dead[8];
    unsigned ndead, lookups;
} fk;

l4_threadid_t psrv_lookup(unsigned svc)
{
    fk.lookups++;
    return svc < 8 ? fk.ids[svc] : L4_NILTHREAD;
}

int psrv_alive(l4_threadid_t id)
{
    for (unsigned i = 0; i < fk.ndead; i++)
        if (fk.dead[i] == id)
            return 0;
    return 1;
}

static const l4_threadid_t OBJMGR_ID = ((uint64_t)5 << 19) | (40u << 7) | 1;
static const l4_threadid_t CAPSTORE_ID = ((uint64_t)3 << 19) | (41u << 7) | 1;
static const l4_threadid_t STRANGER_ID = ((uint64_t)7 << 19) | (42u << 7) | 1;

static char dir[64], path[96];
static struct psrv S;
static struct server SRV;
static l4_msg_t M;
static unsigned RU;                            /* the last reply's u */

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/psrv-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/store.img", dir);
    struct persist_create_opts o = { STORE_BYTES, PERSIST_RUN_PAGES_DEFAULT };
    assert_int_equal(persist_create(path, &o), SAS_OK);
    memset(&S, 0, sizeof S);
    assert_int_equal(persist_open(path, 0, &S.p), SAS_OK);
    assert_int_equal(persist_db_open(S.p, "capstore", &S.capdb), SAS_OK);
    S.window = aligned_alloc(PG, PG);
    S.hi = calloc(L4_MSG_MAX_WORDS, sizeof(l4_word_t));
    SRV = (struct server){ .ops = psrv_ops, .nops = psrv_nops, .state = &S };
    memset(&fk, 0, sizeof fk);
    fk.ids[ROOT_SERVICE_OBJMGR] = OBJMGR_ID;
    fk.ids[ROOT_SERVICE_CAPSTORE] = CAPSTORE_ID;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (S.txn)
        persist_abort(S.txn);
    persist_close(S.p);
    free(S.window);
    free(S.hi);
    unlink(path);
    rmdir(dir);
    return 0;
}

/* One request through the server's step: its reply label (RU: its u; words in M, S.hi). */
static uint32_t req(l4_threadid_t from, uint32_t label, unsigned u, unsigned t,
                    const uint64_t *w)
{
    memset(&M, 0, sizeof M);
    for (unsigned i = 0; i < u + t && i < L4_MSG_MAX_WORDS; i++)
        *persist_word(&M, S.hi, i) = w[i];
    struct server_msg msg = { from, l4_tid_task(from), l4_msgtag(label, u, t), &M,
                              l4_msgtag(SAS_OK, 0, 0), 0 };
    assert_int_equal(server_dispatch(&SRV, &msg), SERVER_REPLY);
    RU = l4_msgtag_u(msg.reply);
    assert_int_equal(l4_msgtag_t_words(msg.reply), 0);
    return l4_msgtag_label(msg.reply);
}

#define OM(label, u, t, ...) req(OBJMGR_ID, label, u, t, (const uint64_t[]){ __VA_ARGS__ })

static uint64_t word(unsigned i) { return *persist_word(&M, S.hi, i); }

/* The words of a request carrying `first` fixed words then n bytes (w holds WMAX: room
 * for a request that is too long on purpose; req sends at most the UTCB's 64). */
#define WMAX (L4_MSG_MAX_WORDS + 16)
static unsigned with_bytes(uint64_t *w, unsigned first, const void *b, size_t n)
{
    memset(w + first, 0, (WMAX - first) * 8);
    memcpy(w + first, b, n);                   /* little-endian: packing is a copy */
    return first + persist_words(n);
}

static uint32_t record_put(uint64_t base, const void *rec, size_t len)
{
    uint64_t w[WMAX] = { base, len };
    unsigned u = with_bytes(w, 2, rec, len);
    return req(OBJMGR_ID, PERSIST_RECORD_PUT, u, 0, w);
}

static uint32_t meta(l4_threadid_t from, uint32_t label, const char *key, const void *val,
                     size_t vlen)
{
    uint64_t w[WMAX] = { strlen(key) };
    memcpy(&w[1], key, strlen(key) > 16 ? 16 : strlen(key));
    w[3] = vlen;
    unsigned u = label == PERSIST_META_PUT ? with_bytes(w, 4, val, vlen) : 3;
    return req(from, label, u, 0, w);
}

static uint32_t db(l4_threadid_t from, uint32_t label, const char *key, const char *val)
{
    uint8_t b[1024];
    size_t k = strlen(key), v = val ? strlen(val) : 0;
    uint64_t w[WMAX] = { k | (uint64_t)v << 16 };
    memcpy(b, key, k);
    memcpy(b + k, val ? val : "", v);
    if (label == PERSIST_DB_NEXT)
        w[0] = k, v = 0;
    unsigned u = with_bytes(w, 1, b, k + v);
    return req(from, label, u, 0, w);
}

/* DB_NEXT's reply as "key=value". */
static const char *db_reply(void)
{
    static char out[1024];
    uint8_t b[PERSIST_DB_KEY_MAX + PERSIST_DB_VAL_MAX];
    size_t k = word(0) & 0xffff, v = (word(0) >> 16) & 0xffff;
    assert_int_equal(RU, 1 + persist_words(k + v));
    persist_unpack(&M, S.hi, 1, b, k + v);
    snprintf(out, sizeof out, "%.*s=%.*s", (int)k, (char *)b, (int)v, (char *)b + k);
    return out;
}

static void fill(uint8_t seed)
{
    for (unsigned i = 0; i < PG; i++)
        S.window[i] = (uint8_t)(seed + i * 7);
}

static int window_is(uint8_t seed)
{
    for (unsigned i = 0; i < PG; i++)
        if (S.window[i] != (uint8_t)(seed + i * 7))
            return 0;
    return 1;
}

static int window_zero(void)
{
    for (unsigned i = 0; i < PG; i++)
        if (S.window[i])
            return 0;
    return 1;
}

/* ---- transactions ---- */

static void psrv_txn_begin_commit_abort(void **state)
{
    (void)state;
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_ABORT, 0, 0, 0), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_BEGIN, 1, 0, 0), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    assert_non_null(S.txn);
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_EBUSY);
    assert_int_equal(OM(PERSIST_COMMIT, 1, 0, 0), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);
    assert_null(S.txn);
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_ABORT, 0, 0, 0), SAS_OK);
    assert_null(S.txn);
    assert_int_equal(OM(PERSIST_ABORT, 0, 0, 0), SAS_EINVAL);
}

/* ---- pages ---- */

static void psrv_page_write_read_roundtrip(void **state)
{
    (void)state;
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    fill(3);
    assert_int_equal(OM(PERSIST_PAGE_WRITE, 1, 2, OBJ(5), 0, 0), SAS_OK);
    memset(S.window, 0xee, PG);
    assert_int_equal(OM(PERSIST_PAGE_READ, 1, 2, OBJ(5), 0, 0), SAS_OK);   /* in the txn */
    assert_true(window_is(3));
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);
    memset(S.window, 0xee, PG);
    assert_int_equal(OM(PERSIST_PAGE_READ, 1, 2, OBJ(5), 0, 0), SAS_OK);   /* out of it */
    assert_true(window_is(3));
    assert_int_equal(OM(PERSIST_PAGE_READ, 1, 2, OBJ(6), 0, 0), SAS_OK);
    assert_true(window_zero());                       /* never written: zeros */
}

static void psrv_page_requests_reject_malformed(void **state)
{
    (void)state;
    fill(1);
    assert_int_equal(OM(PERSIST_PAGE_WRITE, 1, 2, OBJ(1), 0, 0), SAS_EINVAL);    /* no txn */
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_PAGE_WRITE, 1, 2, OBJ(1) + 8, 0, 0), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_PAGE_WRITE, 1, 0, OBJ(1)), SAS_EINVAL);         /* no item */
    assert_int_equal(OM(PERSIST_PAGE_WRITE, 2, 2, OBJ(1), 0, 0, 0), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_PAGE_WRITE, 1, 4, OBJ(1), 0, 0, 0, 0), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_PAGE_WRITE, 1, 2, 0x1000, 0, 0), SAS_EINVAL);    /* region */
    assert_int_equal(OM(PERSIST_PAGE_READ, 1, 2, OBJ(1) + 1, 0, 0), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_PAGE_READ, 0, 2, 0, 0), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_PAGE_READ, 1, 2, 0x1000, 0, 0), SAS_EINVAL);
    /* Items on a label that takes none: the loop refuses them before the handler. */
    assert_int_equal(OM(PERSIST_PAGES_DISCARD, 2, 2, OBJ(1), 1, 0, 0), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);
}

static void psrv_pages_discard_frees(void **state)
{
    (void)state;
    assert_int_equal(OM(PERSIST_PAGES_DISCARD, 2, 0, OBJ(0), 2), SAS_EINVAL);   /* no txn */
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    fill(9);
    assert_int_equal(OM(PERSIST_PAGE_WRITE, 1, 2, OBJ(0), 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_PAGE_WRITE, 1, 2, OBJ(1), 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_PAGES_DISCARD, 1, 0, OBJ(0)), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_PAGES_DISCARD, 2, 0, OBJ(0), 1), SAS_OK);
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_PAGE_READ, 1, 2, OBJ(0), 0, 0), SAS_OK);
    assert_true(window_zero());
    assert_int_equal(OM(PERSIST_PAGE_READ, 1, 2, OBJ(1), 0, 0), SAS_OK);
    assert_true(window_is(9));
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_PAGES_DISCARD, 2, 0, OBJ(0), 0), SAS_EINVAL);    /* persist's */
    assert_int_equal(OM(PERSIST_ABORT, 0, 0, 0), SAS_OK);
}

/* A discard costs what is stored in its range: the rest of the object region, at once. */
static void psrv_pages_discard_walks_stored_runs_only(void **state)
{
    (void)state;
    static const unsigned at[] = { 0, 1, 20, 1000, 1u << 30 };
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    for (unsigned i = 0; i < 5; i++) {
        fill((uint8_t)(i + 1));
        assert_int_equal(OM(PERSIST_PAGE_WRITE, 1, 2, OBJ(at[i]), 0, 0), SAS_OK);
    }
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_PAGES_DISCARD, 2, 0, OBJ(1),
                        (SAS_OBJECT_END - OBJ(1)) / PG), SAS_OK);
    assert_int_equal(OM(PERSIST_PAGES_DISCARD, 2, 0, OBJ(1),
                        (SAS_OBJECT_END - OBJ(1)) / PG + 1), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_PAGE_READ, 1, 2, OBJ(0), 0, 0), SAS_OK);
    assert_true(window_is(1));
    for (unsigned i = 1; i < 5; i++) {
        assert_int_equal(OM(PERSIST_PAGE_READ, 1, 2, OBJ(at[i]), 0, 0), SAS_OK);
        assert_true(window_zero());
    }
}

/* A full store poisons the transaction: COMMIT rolls back and returns the first error,
 * and what was committed before is intact. */
static void psrv_full_store_poisons_and_commit_rolls_back(void **state)
{
    (void)state;
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    fill(4);
    assert_int_equal(OM(PERSIST_PAGE_WRITE, 1, 2, OBJ(0), 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    uint32_t e = SAS_OK;
    for (unsigned n = 1; n < 2 * STORE_BYTES / PG && !e; n++) {
        fill((uint8_t)n);
        e = OM(PERSIST_PAGE_WRITE, 1, 2, OBJ(n * 8), 0, 0);
    }
    assert_int_equal(e, SAS_ESTORE_FULL);
    assert_int_equal(record_put(OBJ(0), "x", 1), SAS_ESTORE_FULL);       /* poisoned */
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_ESTORE_FULL);
    assert_null(S.txn);
    assert_int_equal(OM(PERSIST_PAGE_READ, 1, 2, OBJ(0), 0, 0), SAS_OK);
    assert_true(window_is(4));
    assert_int_equal(OM(PERSIST_PAGE_READ, 1, 2, OBJ(8), 0, 0), SAS_OK);
    assert_true(window_zero());
}

/* ---- records ---- */

static void psrv_record_put_next_del(void **state)
{
    (void)state;
    uint8_t big[PERSIST_RECORD_MAX + 8], got[PERSIST_RECORD_MAX];
    for (unsigned i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 13 + 1);
    assert_int_equal(record_put(OBJ(1), big, 88), SAS_EINVAL);              /* no txn */
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    assert_int_equal(record_put(OBJ(3), big, 88), SAS_OK);
    assert_int_equal(record_put(OBJ(1), big, PERSIST_RECORD_MAX), SAS_OK);
    assert_int_equal(record_put(OBJ(9), "z", 1), SAS_OK);
    assert_int_equal(record_put(OBJ(2), big, 0), SAS_EINVAL);
    assert_int_equal(record_put(OBJ(2), big, PERSIST_RECORD_MAX + 1), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_RECORD_PUT, 3, 0, OBJ(2), 9, 0), SAS_EINVAL);   /* u short */
    assert_int_equal(OM(PERSIST_RECORD_PUT, 1, 0, OBJ(2)), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);

    assert_int_equal(OM(PERSIST_RECORD_NEXT, 1, 0, 0), SAS_OK);
    assert_int_equal(word(0), OBJ(1));
    assert_int_equal(word(1), PERSIST_RECORD_MAX);
    assert_int_equal(RU, 2 + PERSIST_RECORD_MAX / 8);
    persist_unpack(&M, S.hi, 2, got, PERSIST_RECORD_MAX);
    assert_memory_equal(got, big, PERSIST_RECORD_MAX);
    assert_int_equal(OM(PERSIST_RECORD_NEXT, 1, 0, OBJ(1) + 1), SAS_OK);
    assert_int_equal(word(0), OBJ(3));
    assert_int_equal(word(1), 88);
    assert_int_equal(OM(PERSIST_RECORD_NEXT, 1, 0, OBJ(3)), SAS_OK);           /* >= */
    assert_int_equal(word(0), OBJ(3));
    assert_int_equal(OM(PERSIST_RECORD_NEXT, 1, 0, OBJ(4)), SAS_OK);
    assert_int_equal(word(0), OBJ(9));
    assert_int_equal(RU, 3);
    assert_int_equal(word(2), 'z');
    assert_int_equal(OM(PERSIST_RECORD_NEXT, 1, 0, OBJ(10)), SAS_ENOTFOUND);
    assert_int_equal(RU, 0);
    assert_int_equal(OM(PERSIST_RECORD_NEXT, 2, 0, 0, 0), SAS_EINVAL);

    assert_int_equal(OM(PERSIST_RECORD_DEL, 1, 0, OBJ(3)), SAS_EINVAL);        /* no txn */
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_RECORD_DEL, 1, 0, OBJ(3)), SAS_OK);
    assert_int_equal(OM(PERSIST_RECORD_DEL, 1, 0, OBJ(3)), SAS_ENOTFOUND);
    assert_int_equal(OM(PERSIST_RECORD_NEXT, 1, 0, OBJ(2)), SAS_OK);           /* sees it */
    assert_int_equal(word(0), OBJ(9));
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);                     /* not poisoned */
    assert_int_equal(OM(PERSIST_RECORD_NEXT, 1, 0, OBJ(2)), SAS_OK);
    assert_int_equal(word(0), OBJ(9));
}

/* A record longer than a message (put by a host tool) is reported, to be skipped. */
static void psrv_record_next_reports_oversized(void **state)
{
    (void)state;
    uint8_t big[600] = { 1 };
    struct persist_txn *t;
    assert_int_equal(persist_begin(S.p, 1, &t), SAS_OK);
    assert_int_equal(persist_record_put(t, OBJ(4), big, sizeof big), SAS_OK);
    assert_int_equal(persist_commit(t), SAS_OK);
    assert_int_equal(OM(PERSIST_RECORD_NEXT, 1, 0, 0), SAS_ENOTSUP);
    assert_int_equal(RU, 2);
    assert_int_equal(word(0), OBJ(4));
    assert_int_equal(word(1), sizeof big);
    assert_int_equal(OM(PERSIST_RECORD_NEXT, 1, 0, OBJ(4) + 1), SAS_ENOTFOUND);
}

/* ---- metadata ---- */

static void psrv_meta_put_get(void **state)
{
    (void)state;
    uint8_t v[PERSIST_META_VAL_MAX + 1], got[PERSIST_META_VAL_MAX];
    memset(v, 0x5a, sizeof v);
    assert_int_equal(meta(OBJMGR_ID, PERSIST_META_PUT, "epoch", v, 8), SAS_EINVAL); /* no txn */
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    assert_int_equal(meta(OBJMGR_ID, PERSIST_META_PUT, "epoch", v, 8), SAS_OK);
    assert_int_equal(meta(OBJMGR_ID, PERSIST_META_PUT, "sixteen-bytes-ky", v,
                          PERSIST_META_VAL_MAX), SAS_OK);
    assert_int_equal(meta(OBJMGR_ID, PERSIST_META_PUT, "empty", v, 0), SAS_OK);
    assert_int_equal(meta(OBJMGR_ID, PERSIST_META_PUT, "toolong", v, PERSIST_META_VAL_MAX + 1),
                     SAS_EINVAL);
    assert_int_equal(meta(OBJMGR_ID, PERSIST_META_PUT, "seventeen-bytes-k", v, 1), SAS_EINVAL);
    assert_int_equal(meta(OBJMGR_ID, PERSIST_META_PUT, "", v, 1), SAS_EINVAL);
    assert_int_equal(meta(OBJMGR_ID, PERSIST_META_PUT, "persist.format", v, 4), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_META_PUT, 4, 0, 3, 'a', 0, 0), SAS_EINVAL);    /* NUL in key */
    assert_int_equal(OM(PERSIST_META_PUT, 3, 0, 1, 'a', 0), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);

    assert_int_equal(meta(OBJMGR_ID, PERSIST_META_GET, "epoch", 0, 0), SAS_OK);
    assert_int_equal(word(0), 8);
    assert_int_equal(RU, 2);
    assert_int_equal(meta(OBJMGR_ID, PERSIST_META_GET, "sixteen-bytes-ky", 0, 0), SAS_OK);
    assert_int_equal(RU, 1 + PERSIST_META_VAL_MAX / 8);
    persist_unpack(&M, S.hi, 1, got, PERSIST_META_VAL_MAX);
    assert_memory_equal(got, v, PERSIST_META_VAL_MAX);
    assert_int_equal(meta(OBJMGR_ID, PERSIST_META_GET, "empty", 0, 0), SAS_OK);
    assert_int_equal(word(0), 0);
    assert_int_equal(RU, 1);
    assert_int_equal(meta(OBJMGR_ID, PERSIST_META_GET, "nosuch", 0, 0), SAS_ENOTFOUND);
    assert_int_equal(meta(OBJMGR_ID, PERSIST_META_GET, "persist.page_key", 0, 0), SAS_EINVAL);
    assert_int_equal(RU, 0);
    assert_int_equal(OM(PERSIST_META_GET, 4, 0, 5, 0, 0, 0), SAS_EINVAL);
}

/* ---- the capstore database ---- */

static void psrv_db_put_next_del(void **state)
{
    (void)state;
    char v400[PERSIST_DB_VAL_MAX + 2];
    memset(v400, 'v', sizeof v400);
    v400[PERSIST_DB_VAL_MAX] = 0;
    assert_int_equal(db(OBJMGR_ID, PERSIST_DB_PUT, "a", "1"), SAS_EINVAL);     /* no txn */
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    assert_int_equal(db(OBJMGR_ID, PERSIST_DB_PUT, "c", "3"), SAS_OK);
    assert_int_equal(db(OBJMGR_ID, PERSIST_DB_PUT, "a", "1"), SAS_OK);
    assert_int_equal(db(OBJMGR_ID, PERSIST_DB_PUT, "b", v400), SAS_OK);
    assert_int_equal(db(OBJMGR_ID, PERSIST_DB_PUT, "e", ""), SAS_OK);
    v400[PERSIST_DB_VAL_MAX] = 'v';
    v400[PERSIST_DB_VAL_MAX + 1] = 0;
    assert_int_equal(db(OBJMGR_ID, PERSIST_DB_PUT, "d", v400), SAS_EINVAL);
    assert_int_equal(db(OBJMGR_ID, PERSIST_DB_PUT, "", "x"), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_DB_PUT, 2, 0, 1 | 1ull << 32, 'f'), SAS_EINVAL);   /* high bits */
    assert_int_equal(OM(PERSIST_DB_PUT, 3, 0, 1 | 1ull << 16, 'f', 0), SAS_EINVAL); /* u long */
    assert_int_equal(OM(PERSIST_DB_PUT, 2, 0, 65, 'f'), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_DB_DEL, 2, 0, 1 | 1ull << 16, 'a' | '1' << 8), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);

    assert_int_equal(db(OBJMGR_ID, PERSIST_DB_NEXT, "", 0), SAS_OK);
    assert_string_equal(db_reply(), "a=1");
    assert_int_equal(db(CAPSTORE_ID, PERSIST_DB_NEXT, "a", 0), SAS_OK);
    assert_int_equal((word(0) >> 16), PERSIST_DB_VAL_MAX);
    assert_int_equal(RU, 1 + persist_words(1 + PERSIST_DB_VAL_MAX));
    assert_int_equal(db(CAPSTORE_ID, PERSIST_DB_NEXT, "bb", 0), SAS_OK);      /* absent key */
    assert_string_equal(db_reply(), "c=3");
    assert_int_equal(db(CAPSTORE_ID, PERSIST_DB_NEXT, "c", 0), SAS_OK);
    assert_string_equal(db_reply(), "e=");
    assert_int_equal(db(CAPSTORE_ID, PERSIST_DB_NEXT, "e", 0), SAS_ENOTFOUND);
    assert_int_equal(OM(PERSIST_DB_NEXT, 1, 0, 65), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_DB_NEXT, 1, 0, 1), SAS_EINVAL);               /* key missing */
    assert_int_equal(OM(PERSIST_DB_NEXT, 0, 0, 0), SAS_EINVAL);

    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    assert_int_equal(db(OBJMGR_ID, PERSIST_DB_DEL, "b", 0), SAS_OK);
    assert_int_equal(db(OBJMGR_ID, PERSIST_DB_DEL, "b", 0), SAS_ENOTFOUND);
    assert_int_equal(db(OBJMGR_ID, PERSIST_DB_NEXT, "a", 0), SAS_OK);         /* in the txn */
    assert_string_equal(db_reply(), "c=3");
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);
}

static void psrv_db_next_reports_oversized(void **state)
{
    (void)state;
    uint8_t v[600] = { 0 };
    struct persist_txn *t;
    assert_int_equal(persist_begin(S.p, 1, &t), SAS_OK);
    assert_int_equal(persist_db_put(t, S.capdb, "k", 1, v, sizeof v), SAS_OK);
    assert_int_equal(persist_db_put(t, S.capdb, "l", 1, "w", 1), SAS_OK);
    assert_int_equal(persist_commit(t), SAS_OK);
    assert_int_equal(db(CAPSTORE_ID, PERSIST_DB_NEXT, "", 0), SAS_ENOTSUP);
    assert_int_equal(RU, 2);
    assert_int_equal(word(0), 1 | sizeof v << 16);
    assert_int_equal(word(1), 'k');
    assert_int_equal(db(CAPSTORE_ID, PERSIST_DB_NEXT, "k", 0), SAS_OK);
    assert_string_equal(db_reply(), "l=w");
}

/* ---- figures ---- */

static void psrv_stat_reports_store(void **state)
{
    (void)state;
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    assert_int_equal(record_put(OBJ(1), "r", 1), SAS_OK);
    assert_int_equal(OM(PERSIST_STAT, 0, 0, 0), SAS_EBUSY);
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);
    assert_int_equal(OM(PERSIST_STAT, 1, 0, 0), SAS_EINVAL);
    assert_int_equal(OM(PERSIST_STAT, 0, 0, 0), SAS_OK);
    assert_int_equal(RU, 8);
    assert_int_equal(word(0), PERSIST_FORMAT_VERSION);
    assert_int_equal(word(1), PERSIST_RUN_PAGES_DEFAULT);
    assert_int_equal(word(2), STORE_BYTES);
    assert_int_equal(word(6), 1);
}

/* ---- who may ask ---- */

static const uint32_t all_labels[] = {
    PERSIST_BEGIN, PERSIST_COMMIT, PERSIST_ABORT, PERSIST_PAGE_WRITE, PERSIST_PAGE_READ,
    PERSIST_PAGES_DISCARD, PERSIST_RECORD_PUT, PERSIST_RECORD_DEL, PERSIST_RECORD_NEXT,
    PERSIST_META_PUT, PERSIST_META_GET, PERSIST_DB_PUT, PERSIST_DB_DEL, PERSIST_DB_NEXT,
    PERSIST_STAT,
};

/* Well-formed words for each label (page requests with their item). */
static uint32_t well_formed(l4_threadid_t from, uint32_t label)
{
    switch (label) {
    case PERSIST_PAGE_WRITE:
    case PERSIST_PAGE_READ:     return req(from, label, 1, 2, (const uint64_t[]){ OBJ(7), 0, 0 });
    case PERSIST_PAGES_DISCARD: return req(from, label, 2, 0, (const uint64_t[]){ OBJ(7), 1 });
    case PERSIST_RECORD_PUT:    return req(from, label, 3, 0, (const uint64_t[]){ OBJ(7), 1, 'q' });
    case PERSIST_RECORD_DEL:
    case PERSIST_RECORD_NEXT:   return req(from, label, 1, 0, (const uint64_t[]){ OBJ(7) });
    case PERSIST_META_PUT:      return meta(from, label, "epoch", "12345678", 8);
    case PERSIST_META_GET:      return meta(from, label, "epoch", 0, 0);
    case PERSIST_DB_PUT:        return db(from, label, "k", "v");
    case PERSIST_DB_DEL:        return db(from, label, "k", 0);
    case PERSIST_DB_NEXT:       return db(from, label, "", 0);
    default:                    return req(from, label, 0, 0, (const uint64_t[]){ 0 });
    }
}

static void store_figures(struct persist_info *i)
{
    assert_int_equal(persist_stat(S.p, i), SAS_OK);
}

static void psrv_sender_not_client_gets_eperm(void **state)
{
    (void)state;
    struct persist_info before, after;
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    assert_int_equal(db(OBJMGR_ID, PERSIST_DB_PUT, "k", "v"), SAS_OK);
    assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0), SAS_OK);
    store_figures(&before);
    assert_int_equal(well_formed(CAPSTORE_ID, PERSIST_DB_NEXT), SAS_OK);   /* both known */
    fill(0x77);
    unsigned lookups = fk.lookups;
    for (unsigned i = 0; i < sizeof all_labels / sizeof all_labels[0]; i++) {
        assert_int_equal(well_formed(STRANGER_ID, all_labels[i]), SAS_EPERM);
        assert_int_equal(RU, 0);
        assert_null(S.txn);
        if (all_labels[i] != PERSIST_DB_NEXT)
            assert_int_equal(well_formed(CAPSTORE_ID, all_labels[i]), SAS_EPERM);
    }
    assert_true(window_is(0x77));                 /* a refused PAGE_READ wrote nothing */
    assert_int_equal(fk.lookups, lookups);        /* both clients known: root not asked */
    store_figures(&after);
    assert_int_equal(after.txnid, before.txnid);
    assert_int_equal(after.records, before.records);
    assert_int_equal(well_formed(CAPSTORE_ID, PERSIST_DB_NEXT), SAS_OK);
    /* Any thread of objmgr's task is objmgr's. */
    assert_int_equal(well_formed(OBJMGR_ID + 1, PERSIST_STAT), SAS_OK);
}

/* The clients are looked up when they appear, and again once the thread root named is
 * gone; a transaction the old objmgr left open is rolled back. */
static void psrv_sender_lookup_lazy_and_renewed(void **state)
{
    (void)state;
    fk.ids[ROOT_SERVICE_OBJMGR] = L4_NILTHREAD;            /* not started yet */
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_EPERM);
    fk.ids[ROOT_SERVICE_OBJMGR] = OBJMGR_ID;
    unsigned lookups = fk.lookups;
    assert_int_equal(OM(PERSIST_BEGIN, 0, 0, 0), SAS_OK);
    assert_int_equal(fk.lookups, lookups + 1);
    assert_int_equal(OM(PERSIST_STAT, 0, 0, 0), SAS_EBUSY);
    assert_int_equal(fk.lookups, lookups + 1);            /* cached */
    assert_int_equal(record_put(OBJ(1), "old", 3), SAS_OK);

    /* objmgr ends; a new one (same task number, new version) takes over. */
    l4_threadid_t fresh = OBJMGR_ID + ((uint64_t)1 << 19);
    fk.dead[fk.ndead++] = OBJMGR_ID;
    fk.ids[ROOT_SERVICE_OBJMGR] = fresh;
    assert_int_equal(req(fresh, PERSIST_BEGIN, 0, 0, (const uint64_t[]){ 0 }), SAS_OK);
    assert_int_equal(req(STRANGER_ID, PERSIST_STAT, 0, 0, (const uint64_t[]){ 0 }), SAS_EPERM);
    assert_int_equal(req(fresh, PERSIST_COMMIT, 0, 0, (const uint64_t[]){ 0 }), SAS_OK);
    assert_int_equal(req(fresh, PERSIST_RECORD_NEXT, 1, 0, (const uint64_t[]){ 0 }),
                     SAS_ENOTFOUND);                      /* the old txn was rolled back */

    /* capstore gone and not back: refused, root asked each time. */
    fk.dead[fk.ndead++] = CAPSTORE_ID;
    fk.ids[ROOT_SERVICE_CAPSTORE] = L4_NILTHREAD;
    assert_int_equal(db(CAPSTORE_ID, PERSIST_DB_NEXT, "", 0), SAS_EPERM);
}

/* ---- fuzz ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A word that is sometimes plausible: small lengths, object pages, packed lengths. */
static uint64_t fuzz_word(void)
{
    switch (rnd() % 6) {
    case 0:  return rnd() % 80;
    case 1:  return OBJ(rnd() % 64) + (rnd() % 8 ? 0 : rnd() % PG);
    case 2:  return (rnd() % 70) | (rnd() % 420) << 16;
    case 3:  return rnd() % 600;
    default: return rnd();
    }
}

/* A well-formed request for label (any label: random words), in w, *u and *t. */
static void fuzz_request(uint32_t label, uint64_t *w, unsigned *u, unsigned *t)
{
    size_t k = 1 + rnd() % PERSIST_DB_KEY_MAX, v = rnd() % (PERSIST_DB_VAL_MAX + 1);
    uint8_t b[PERSIST_RECORD_MAX];
    for (unsigned i = 0; i < sizeof b; i++)
        b[i] = (uint8_t)("abc"[rnd() % 3]);
    for (unsigned i = 0; i < WMAX; i++)
        w[i] = fuzz_word();
    *t = 0;
    w[0] = OBJ(rnd() % 256);
    switch (label) {
    case PERSIST_PAGE_WRITE:
    case PERSIST_PAGE_READ:     *u = 1, *t = 2; break;
    case PERSIST_PAGES_DISCARD: *u = 2, w[1] = 1 + rnd() % (rnd() % 4 ? 16 : 1u << 20); break;
    case PERSIST_RECORD_PUT:    w[1] = 1 + rnd() % PERSIST_RECORD_MAX;
                                *u = with_bytes(w, 2, b, w[1]); break;
    case PERSIST_RECORD_DEL:
    case PERSIST_RECORD_NEXT:   *u = 1; break;
    case PERSIST_META_PUT:
    case PERSIST_META_GET:      w[0] = 1 + rnd() % PERSIST_META_KEY_MAX;
                                memset(&w[1], 0, 16);
                                memcpy(&w[1], "key-of-the-fuzz!", w[0]);
                                w[3] = rnd() % (PERSIST_META_VAL_MAX + 1);
                                *u = label == PERSIST_META_GET ? 3 : with_bytes(w, 4, b, w[3]);
                                break;
    case PERSIST_DB_PUT:
    case PERSIST_DB_DEL:        v = label == PERSIST_DB_DEL ? 0 : v;
                                w[0] = k | v << 16;
                                *u = with_bytes(w, 1, b, k + v); break;
    case PERSIST_DB_NEXT:       w[0] = rnd() % 4 ? k % 3 : 0;
                                *u = with_bytes(w, 1, b, w[0]); break;
    default:                    *u = 0; break;
    }
}

/* Spoils a well-formed request one way or another. */
static void fuzz_mutate(uint64_t *w, unsigned *u, unsigned *t)
{
    switch (rnd() % 5) {
    case 0:  *u = (unsigned)(rnd() % 128); break;
    case 1:  *t = (unsigned)(rnd() % 5); break;
    case 2:  *u += rnd() % 2 ? 1 : -1u; *u &= 0x7f; break;
    case 3:  w[rnd() % 4] ^= 1ull << (rnd() % 64); break;
    default: w[rnd() % WMAX] = fuzz_word(); break;
    }
}

static int count_page(void *arg, uint64_t addr, const void *page, enum sas_error check)
{
    (void)addr, (void)page;
    assert_int_equal(check, SAS_OK);
    (*(unsigned *)arg)++;
    return 0;
}

static int count_kv(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key, (void)val;
    assert_true(klen >= 1 && klen <= PERSIST_DB_KEY_MAX && vlen <= PERSIST_DB_VAL_MAX);
    (*(unsigned *)arg)++;
    return 0;
}

static int count_record(void *arg, uint64_t base, const void *rec, size_t len)
{
    (void)rec;
    assert_true(base >= SAS_OBJECT_BASE && len >= 1 && len <= PERSIST_RECORD_MAX);
    (*(unsigned *)arg)++;
    return 0;
}

/* The step of 10^5 requests from objmgr (and a few from others): well-formed ones for
 * random labels, spoiled a third of the time, and labels near and far from persist's. */
static void psrv_fuzz_survives_malformed_requests(void **state)
{
    (void)state;
    uint64_t w[WMAX];
    unsigned ok[16] = { 0 }, u, t;
    for (unsigned n = 0; n < 100000; n++) {
        uint32_t label = PERSIST_BASE + 1 + (uint32_t)(rnd() % 15);
        if (rnd() % 10 == 0)
            label = rnd() % 2 ? PERSIST_BASE + (uint32_t)(rnd() % 32) : (uint32_t)rnd();
        if (label == PERSIST_COMMIT && rnd() % 4)
            label = PERSIST_ABORT;                 /* fewer flushes: the fuzz stays quick */
        fuzz_request(label, w, &u, &t);
        if (rnd() % 3 == 0)
            fuzz_mutate(w, &u, &t);
        if (rnd() % 4 == 0)
            memset(S.window, (int)(rnd() % 3), PG);
        else
            S.window[rnd() % PG] = (uint8_t)rnd();
        l4_threadid_t from = rnd() % 32 ? OBJMGR_ID : (rnd() % 2 ? CAPSTORE_ID : STRANGER_ID);
        memset(&M, 0, sizeof M);
        for (unsigned i = 0; i < u + t && i < L4_MSG_MAX_WORDS; i++)
            *persist_word(&M, S.hi, i) = w[i];
        struct server_msg msg = { from, l4_tid_task(from), l4_msgtag(label, u, t), &M,
                                  l4_msgtag(SAS_OK, 0, 0), 0 };
        enum server_action a = server_dispatch(&SRV, &msg);
        assert_true(a == SERVER_REPLY || a == SERVER_DROP);    /* DROP: kernel-made labels */
        assert_true(l4_msgtag_u(msg.reply) <= L4_MSG_MAX_WORDS);
        assert_int_equal(l4_msgtag_t_words(msg.reply), 0);
        if (a == SERVER_REPLY && l4_msgtag_label(msg.reply) == SAS_OK && label - PERSIST_BASE < 16)
            ok[label - PERSIST_BASE]++;
    }
    for (unsigned i = 1; i < 16; i++) {
        print_message("fuzz: label %2u: %u answered SAS_OK\n", i, ok[i]);
        assert_true(ok[i] > 0);
    }
    if (S.txn)
        assert_int_equal(OM(PERSIST_COMMIT, 0, 0, 0) <= SAS_ESTORE_FULL, 1);
    persist_close(S.p);
    S.p = NULL;
    struct persist *p;
    struct persist_txn *tx;
    persist_db db;
    unsigned pages = 0, kvs = 0, recs = 0;
    assert_int_equal(persist_open(path, 0, &p), SAS_OK);
    S.p = p;
    assert_int_equal(persist_db_open(p, "capstore", &db), SAS_OK);
    assert_int_equal(persist_begin(p, 0, &tx), SAS_OK);
    assert_int_equal(persist_pages_each(tx, count_page, &pages), SAS_OK);
    assert_int_equal(persist_db_each(tx, db, NULL, 0, count_kv, &kvs), SAS_OK);
    assert_int_equal(persist_record_each(tx, count_record, &recs), SAS_OK);
    persist_abort(tx);
    print_message("fuzz: store reopened: %u pages (all checksums good), %u records, %u "
                  "capstore entries\n", pages, recs, kvs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(psrv_txn_begin_commit_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(psrv_page_write_read_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(psrv_page_requests_reject_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(psrv_pages_discard_frees, setup, teardown),
        cmocka_unit_test_setup_teardown(psrv_pages_discard_walks_stored_runs_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(psrv_full_store_poisons_and_commit_rolls_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(psrv_record_put_next_del, setup, teardown),
        cmocka_unit_test_setup_teardown(psrv_record_next_reports_oversized, setup, teardown),
        cmocka_unit_test_setup_teardown(psrv_meta_put_get, setup, teardown),
        cmocka_unit_test_setup_teardown(psrv_db_put_next_del, setup, teardown),
        cmocka_unit_test_setup_teardown(psrv_db_next_reports_oversized, setup, teardown),
        cmocka_unit_test_setup_teardown(psrv_stat_reports_store, setup, teardown),
        cmocka_unit_test_setup_teardown(psrv_sender_not_client_gets_eperm, setup, teardown),
        cmocka_unit_test_setup_teardown(psrv_sender_lookup_lazy_and_renewed, setup, teardown),
        cmocka_unit_test_setup_teardown(psrv_fuzz_survives_malformed_requests, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
