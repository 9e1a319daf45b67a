/*
 * capbench.c — capstore's operations, one call each inside a bench_* function, so that
 * `valgrind --tool=callgrind --toggle-collect='bench_*'` counts exactly their instructions
 * (run.sh does that and prints the table that docs/SAS.md quotes). Runs natively too, as a
 * smoke test: it checks every answer it measures, so figures of a broken path cannot be
 * reported. Capabilities are stored in the memory backend: the figures are capstore's own
 * work, without LMDB (a stored change costs one persist commit on top). Each bench_*
 * function runs once; it is built without sibling calls and identical-code folding, so that
 * each keeps its own name and its callee's instructions are counted inside it.
 *
 * usage: capbench [N]   N = capabilities in the big domain (default 10000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <capstore/capstore.h>
#include <sas/layout.h>

#define NOINLINE __attribute__((noinline))
#define EPOCH 7
#define NOW 1700000000ull
#define PAGE SAS_PAGE_SIZE

static void need(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "capbench: %s failed\n", what);
        exit(1);
    }
}

static uint64_t obj_base(unsigned i)
{
    return SAS_OBJECT_BASE + (uint64_t)i * 0x10000;
}

NOINLINE static enum sas_error bench_mint(struct capstore *cs, uint64_t base, struct cap *c)
{
    struct cap_link l = cap_link_make(CAP_R_ALL, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    return cap_mint(cs, base, EPOCH, &l, c);
}

NOINLINE static enum sas_error bench_derive(const struct cap *p, struct cap *c)
{
    struct cap_link l = cap_link_make(CAP_R_READ, NOW + 3600, 0, 0x8000);
    return cap_derive(p, &l, c);
}

NOINLINE static enum sas_error bench_verify_fresh(struct capstore *cs, const struct cap *c)
{
    return cap_verify(cs, c, NOW);
}

NOINLINE static enum sas_error bench_verify_warm(struct capstore *cs, const struct cap *c)
{
    return cap_verify(cs, c, NOW);
}

NOINLINE static enum sas_error bench_verify_depth3(struct capstore *cs, const struct cap *c)
{
    return cap_verify(cs, c, NOW);
}

NOINLINE static enum sas_error bench_revoke(struct capstore *cs, const struct cap *c)
{
    return cap_revoke(cs, c);
}

NOINLINE static enum sas_error bench_revoke_all(struct capstore *cs, const struct cap *c)
{
    return cap_revoke_all(cs, c, NOW);
}

#define CHECK_FN(name)                                                                      \
    NOINLINE static enum sas_error name(struct capstore *cs, domain_id d,                  \
                                        const struct cap_object *o, struct cap_decision *r) \
    {                                                                                       \
        return cap_check(cs, d, o, o->base + PAGE, CAP_R_READ, NOW, r);                     \
    }
CHECK_FN(bench_check10_cold)
CHECK_FN(bench_check10_cached)
CHECK_FN(bench_check10k_cold)
CHECK_FN(bench_check10k_cached)
CHECK_FN(bench_check10k_after_revoke)
CHECK_FN(bench_check10k_unverified)

/* A domain holding one owner capability of each of n objects. */
static domain_id fill_domain(struct capstore *cs, const char *name, unsigned first, unsigned n)
{
    domain_id d;
    struct cap c;

    need(domain_create(cs, name, &d) == SAS_OK, "domain_create");
    for (unsigned i = 0; i < n; i++) {
        struct cap_link l = cap_link_make(CAP_R_ALL, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
        need(cap_mint(cs, obj_base(first + i), EPOCH, &l, &c) == SAS_OK, "mint");
        need(domain_add(cs, d, &c, NOW) == SAS_OK, "domain_add");
    }
    return d;
}

static void measure_caps(struct capstore *cs, struct capstore_mem *m)
{
    struct cap root, child, c2, c3;
    struct capstore_backend be = capstore_mem_backend(m);

    need(bench_mint(cs, obj_base(1), &root) == SAS_OK, "mint");
    need(bench_derive(&root, &child) == SAS_OK, "derive");
    need(cap_derive(&child, &(struct cap_link){ .rights = CAP_R_READ, .expiry = NOW + 60,
                                                .off = 0, .len = 0x4000 }, &c2) == SAS_OK &&
         cap_derive(&c2, &(struct cap_link){ .rights = CAP_R_READ, .expiry = NOW + 60,
                                             .off = 0, .len = 0x1000 }, &c3) == SAS_OK,
         "derive chain");
    /* Reopen: the object key is no longer cached, as after a restart. */
    capstore_close(cs);
    need(capstore_open(&be, 0, &cs) == SAS_OK, "reopen");
    need(bench_verify_fresh(cs, &root) == SAS_OK, "verify fresh");
    need(bench_verify_warm(cs, &root) == SAS_OK, "verify warm");
    need(bench_verify_depth3(cs, &c3) == SAS_OK && c3.nlinks == 4, "verify depth 3");
    need(bench_revoke(cs, &c2) == SAS_OK, "revoke");
    need(cap_verify(cs, &c3, NOW) == SAS_ECAP_REVOKED, "revoked descendant");
    need(bench_revoke_all(cs, &root) == SAS_OK, "revoke all");
    need(cap_verify(cs, &child, NOW) == SAS_ECAP_REVOKED, "revoked generation");
    capstore_close(cs);
}

static void measure_check(struct capstore *cs, unsigned big)
{
    struct cap_decision r;
    struct cap victim;
    domain_id small = fill_domain(cs, "ten", 100, 10);
    domain_id large = fill_domain(cs, "many", 1000, big);
    struct cap_object o10 = { obj_base(105), 0x10000, EPOCH };
    struct cap_object ok = { obj_base(1000 + big / 2), 0x10000, EPOCH };
    struct cap_object other = { obj_base(1000 + big / 3), 0x10000, EPOCH };

    need(bench_check10_cold(cs, small, &o10, &r) == SAS_OK && r.allow && !r.cached, "check10");
    need(bench_check10_cached(cs, small, &o10, &r) == SAS_OK && r.allow && r.cached, "hit10");
    need(bench_check10k_cold(cs, large, &ok, &r) == SAS_OK && r.allow && !r.cached, "check10k");
    need(bench_check10k_cached(cs, large, &ok, &r) == SAS_OK && r.allow && r.cached, "hit10k");
    /* A revocation of another object flushes the cache; this object's entry needs no MAC. */
    need(cap_mint(cs, other.base, EPOCH, &(struct cap_link){ .rights = CAP_R_READ,
                  .expiry = CAP_NO_EXPIRY, .len = CAP_RANGE_ALL }, &victim) == SAS_OK &&
         cap_revoke(cs, &victim) == SAS_OK, "revoke other");
    need(bench_check10k_after_revoke(cs, large, &ok, &r) == SAS_OK && r.allow && !r.cached,
         "check after revoke");
    /* The revoked object's own entries must be verified again (a MAC). */
    need(bench_check10k_unverified(cs, large, &other, &r) == SAS_OK && r.allow && !r.cached,
         "check re-verify");
}

int main(int argc, char **argv)
{
    unsigned big = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 10000;
    struct capstore_mem *m;
    struct capstore *cs;
    struct capstore_backend be;

    need(big >= 10 && big <= 1000000, "argument");
    need(capstore_mem_new(&m) == SAS_OK, "mem");
    be = capstore_mem_backend(m);
    need(capstore_open(&be, 0, &cs) == SAS_OK, "open");
    measure_caps(cs, m);
    need(capstore_open(&be, 0, &cs) == SAS_OK, "open");
    measure_check(cs, big);
    capstore_close(cs);
    capstore_mem_free(m);
    puts("capbench: ok");
    return 0;
}
