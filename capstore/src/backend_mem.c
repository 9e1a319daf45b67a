/*
 * backend_mem.c — capstore's storage interface over a sorted array in memory, for tests
 * and benchmarks. Changes apply at once (no rollback): capstore never needs one, as each
 * of its transactions is a single put or delete except the first-use key creation. A
 * failure can be injected into the n-th next write to test that a failed store write
 * leaves capstore unchanged.
 */
#include <stdlib.h>
#include <string.h>
#include <capstore/capstore.h>

struct mem_rec {
    uint8_t *key, *val;
    size_t klen, vlen;
};

struct capstore_mem {
    struct mem_rec *rec;     /* sorted by key, bytewise, shorter first on a tie */
    size_t n, cap;
    int writing;
    unsigned fail_n;
    enum sas_error fail_err;
};

static int key_cmp(const void *a, size_t al, const void *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);

    return c != 0 ? c : (al > bl) - (al < bl);
}

/* Index of the first record with key >= (key, klen). */
static size_t lower_bound(const struct capstore_mem *m, const void *key, size_t klen)
{
    size_t lo = 0, hi = m->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(m->rec[mid].key, m->rec[mid].klen, key, klen) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int found_at(const struct capstore_mem *m, size_t i, const void *key, size_t klen)
{
    return i < m->n && key_cmp(m->rec[i].key, m->rec[i].klen, key, klen) == 0;
}

/* An armed failure fires on the write it counts down to. */
static enum sas_error injected(struct capstore_mem *m)
{
    if (m->fail_err == SAS_OK)
        return SAS_OK;
    if (m->fail_n-- > 0)
        return SAS_OK;
    enum sas_error e = m->fail_err;
    m->fail_err = SAS_OK;
    return e;
}

static enum sas_error mem_begin(void *ctx, int write, void **txn)
{
    struct capstore_mem *m = ctx;

    if (write && m->writing)
        return SAS_EBUSY;
    m->writing |= write;
    *txn = (void *)(uintptr_t)(write ? 2 : 1);
    return SAS_OK;
}

static enum sas_error mem_commit(void *ctx, void *txn)
{
    struct capstore_mem *m = ctx;

    if ((uintptr_t)txn == 2)
        m->writing = 0;
    return SAS_OK;
}

static void mem_abort(void *ctx, void *txn)
{
    mem_commit(ctx, txn);
}

static enum sas_error mem_get(void *ctx, void *txn, const void *key, size_t klen,
                              const void **val, size_t *vlen)
{
    struct capstore_mem *m = ctx;
    size_t i = lower_bound(m, key, klen);

    (void)txn;
    if (!found_at(m, i, key, klen))
        return SAS_ENOTFOUND;
    *val = m->rec[i].val;
    *vlen = m->rec[i].vlen;
    return SAS_OK;
}

static enum sas_error grow(struct capstore_mem *m)
{
    if (m->n < m->cap)
        return SAS_OK;
    size_t ncap = m->cap ? m->cap * 2 : 64;
    struct mem_rec *r = realloc(m->rec, ncap * sizeof *r);
    if (r == NULL)
        return SAS_ENOMEM;
    m->rec = r;
    m->cap = ncap;
    return SAS_OK;
}

static enum sas_error mem_put(void *ctx, void *txn, const void *key, size_t klen,
                              const void *val, size_t vlen)
{
    struct capstore_mem *m = ctx;
    size_t i = lower_bound(m, key, klen);
    enum sas_error e;

    if ((uintptr_t)txn != 2)
        return SAS_ESTORE_READONLY;
    if (klen == 0)
        return SAS_EINVAL;
    if ((e = injected(m)) != SAS_OK)
        return e;
    uint8_t *v = malloc(vlen ? vlen : 1);
    if (v == NULL)
        return SAS_ENOMEM;
    memcpy(v, val, vlen);
    if (found_at(m, i, key, klen)) {
        free(m->rec[i].val);
        m->rec[i].val = v;
        m->rec[i].vlen = vlen;
        return SAS_OK;
    }
    uint8_t *k = malloc(klen);
    if (k == NULL || grow(m) != SAS_OK) {
        free(k);
        free(v);
        return SAS_ENOMEM;
    }
    memcpy(k, key, klen);
    memmove(&m->rec[i + 1], &m->rec[i], (m->n - i) * sizeof *m->rec);
    m->rec[i] = (struct mem_rec){ .key = k, .klen = klen, .val = v, .vlen = vlen };
    m->n++;
    return SAS_OK;
}

static enum sas_error mem_del(void *ctx, void *txn, const void *key, size_t klen)
{
    struct capstore_mem *m = ctx;
    size_t i = lower_bound(m, key, klen);
    enum sas_error e;

    if ((uintptr_t)txn != 2)
        return SAS_ESTORE_READONLY;
    if (!found_at(m, i, key, klen))
        return SAS_ENOTFOUND;
    if ((e = injected(m)) != SAS_OK)
        return e;
    free(m->rec[i].key);
    free(m->rec[i].val);
    memmove(&m->rec[i], &m->rec[i + 1], (m->n - i - 1) * sizeof *m->rec);
    m->n--;
    return SAS_OK;
}

static enum sas_error mem_each(void *ctx, void *txn, const void *from, size_t fromlen,
                               capstore_kv_fn fn, void *arg)
{
    struct capstore_mem *m = ctx;

    (void)txn;
    for (size_t i = from ? lower_bound(m, from, fromlen) : 0; i < m->n; i++)
        if (fn(arg, m->rec[i].key, m->rec[i].klen, m->rec[i].val, m->rec[i].vlen))
            break;
    return SAS_OK;
}

enum sas_error capstore_mem_new(struct capstore_mem **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? SAS_OK : SAS_ENOMEM;
}

void capstore_mem_free(struct capstore_mem *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->rec[i].key);
        free(m->rec[i].val);
    }
    free(m->rec);
    free(m);
}

struct capstore_backend capstore_mem_backend(struct capstore_mem *m)
{
    return (struct capstore_backend){ .ctx = m, .begin = mem_begin, .commit = mem_commit,
                                      .abort = mem_abort, .get = mem_get, .put = mem_put,
                                      .del = mem_del, .each = mem_each };
}

void capstore_mem_fail(struct capstore_mem *m, unsigned n, enum sas_error e)
{
    m->fail_n = n;
    m->fail_err = e;
}

size_t capstore_mem_count(const struct capstore_mem *m)
{
    return m->n;
}

void *capstore_mem_value(struct capstore_mem *m, const void *key, size_t klen, size_t *vlen)
{
    size_t i = lower_bound(m, key, klen);

    if (!found_at(m, i, key, klen))
        return NULL;
    *vlen = m->rec[i].vlen;
    return m->rec[i].val;
}
