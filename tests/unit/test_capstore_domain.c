/*
 * test_capstore_domain.c — protection domains: naming, persistence, locking, and the
 * access check with its reasons and its decision cache.
 */
#include "test_capstore_util.h"

static const struct cap_object obj_a = { OBJ_A, 0x10000, EPOCH };   /* 16 pages */
static const struct cap_object obj_b = { OBJ_B, 0x4000, EPOCH };

static domain_id mkdom(struct fx *f, const char *name)
{
    domain_id d;

    assert_int_equal(domain_create(f->cs, name, &d), SAS_OK);
    return d;
}

static struct cap_decision check(struct fx *f, domain_id d, const struct cap_object *o,
                                 uint64_t addr, unsigned access, uint64_t now)
{
    struct cap_decision dec;

    assert_int_equal(cap_check(f->cs, d, o, addr, access, now, &dec), SAS_OK);
    return dec;
}

/* ---- Domains ------------------------------------------------------------------------ */

static void domain_create_find_and_describe(void **state)
{
    struct fx *f = *state;
    domain_id a = mkdom(f, "shell"), b = mkdom(f, "web-1.0_x"), got;
    struct domain_info info;

    assert_int_not_equal(a, b);
    assert_int_equal(domain_find(f->cs, "web-1.0_x", &got), SAS_OK);
    assert_int_equal(got, b);
    assert_int_equal(domain_find(f->cs, "nope", &got), SAS_EDOMAIN_NOTFOUND);
    assert_int_equal(domain_create(f->cs, "shell", &got), SAS_EDOMAIN_EXISTS);
    assert_int_equal(domain_create(f->cs, "", &got), SAS_EINVAL);
    assert_int_equal(domain_create(f->cs, "a b", &got), SAS_EINVAL);
    assert_int_equal(domain_create(f->cs, "0123456789012345678901234567890x", &got), SAS_EINVAL);
    assert_int_equal(domain_create(f->cs, "0123456789012345678901234567890", &got), SAS_OK);
    assert_int_equal(domain_info(f->cs, a, &info), SAS_OK);
    assert_string_equal(info.name, "shell");
    assert_int_equal(info.locked, 0);
    assert_int_equal(info.ncaps, 0);
    assert_int_equal(domain_info(f->cs, 99, &info), SAS_EDOMAIN_NOTFOUND);
    assert_int_equal(domain_info(f->cs, 0, &info), SAS_EDOMAIN_NOTFOUND);
}

static int count_cap(void *arg, const struct cap *c)
{
    (void)c;
    ++*(unsigned *)arg;
    return 0;
}

static void domain_persists_with_its_list_and_lock(void **state)
{
    struct fx *f = *state;
    domain_id a = mkdom(f, "alpha"), b = mkdom(f, "beta"), got;
    struct cap ra = mint_all(f, OBJ_A), rb = mint_all(f, OBJ_B);
    struct cap ro = derive(&ra, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct domain_info info;
    unsigned n = 0;

    assert_int_equal(domain_add(f->cs, a, &rb, NOW), SAS_OK);
    assert_int_equal(domain_add(f->cs, a, &ro, NOW), SAS_OK);
    assert_int_equal(domain_add(f->cs, b, &ra, NOW), SAS_OK);
    assert_int_equal(domain_lock(f->cs, b), SAS_OK);
    fx_reopen(f);
    assert_int_equal(domain_find(f->cs, "beta", &got), SAS_OK);
    assert_int_equal(got, b);
    assert_int_equal(domain_info(f->cs, b, &info), SAS_OK);
    assert_int_equal(info.locked, 1);
    assert_int_equal(info.ncaps, 1);
    assert_int_equal(domain_caps_each(f->cs, a, count_cap, &n), SAS_OK);
    assert_int_equal(n, 2);
    /* The reloaded, not yet verified entries decide correctly. */
    assert_true(check(f, a, &obj_a, OBJ_A, CAP_R_READ, NOW).allow);
    assert_false(check(f, a, &obj_a, OBJ_A, CAP_R_WRITE, NOW).allow);
    assert_true(check(f, a, &obj_b, OBJ_B, CAP_R_WRITE, NOW).allow);
    /* The next domain gets a fresh id. */
    assert_int_equal(domain_create(f->cs, "gamma", &got), SAS_OK);
    assert_int_equal(got, 3);
}

static void domain_locked_cannot_grow(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "jail");
    struct cap ra = mint_all(f, OBJ_A), rb = mint_all(f, OBJ_B);
    struct domain_info info;

    assert_int_equal(domain_add(f->cs, d, &ra, NOW), SAS_OK);
    assert_int_equal(domain_lock(f->cs, d), SAS_OK);
    assert_int_equal(domain_lock(f->cs, d), SAS_OK);
    assert_int_equal(domain_add(f->cs, d, &rb, NOW), SAS_EDOMAIN_LOCKED);
    assert_int_equal(domain_add(f->cs, d, &ra, NOW), SAS_EDOMAIN_LOCKED);
    assert_false(check(f, d, &obj_b, OBJ_B, CAP_R_READ, NOW).allow);
    assert_int_equal(domain_remove(f->cs, d, &ra), SAS_OK);   /* shrinking is allowed */
    assert_int_equal(domain_info(f->cs, d, &info), SAS_OK);
    assert_int_equal(info.ncaps, 0);
    assert_int_equal(domain_lock(f->cs, 42), SAS_EDOMAIN_NOTFOUND);
}

/* A gone object's capabilities leave every list, and the store, and nothing else does. */
static void domain_remove_base_empties_every_list(void **state)
{
    struct fx *f = *state;
    domain_id a = mkdom(f, "alpha"), b = mkdom(f, "beta");
    struct cap ra = mint_all(f, OBJ_A), rb = mint_all(f, OBJ_B);
    struct cap ro = derive(&ra, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct domain_info info;

    assert_int_equal(domain_add(f->cs, a, &ra, NOW), SAS_OK);
    assert_int_equal(domain_add(f->cs, a, &rb, NOW), SAS_OK);
    assert_int_equal(domain_add(f->cs, b, &ro, NOW), SAS_OK);
    assert_int_equal(domain_lock(f->cs, b), SAS_OK);           /* removal stays allowed */
    assert_int_equal(cap_retire(f->cs, OBJ_A), SAS_OK);
    assert_int_equal(domain_remove_base(f->cs, OBJ_A), SAS_OK);
    fx_reopen(f);                                             /* and in the store */
    assert_int_equal(domain_info(f->cs, a, &info), SAS_OK);
    assert_int_equal(info.ncaps, 1);
    assert_int_equal(domain_info(f->cs, b, &info), SAS_OK);
    assert_int_equal(info.ncaps, 0);
    assert_true(check(f, a, &obj_b, OBJ_B, CAP_R_WRITE, NOW).allow);
    assert_int_equal(check(f, a, &obj_a, OBJ_A, CAP_R_READ, NOW).reason, CAP_DENY_NO_CAP);
    assert_int_equal(domain_remove_base(f->cs, OBJ_A), SAS_OK);  /* nothing left: no-op */
}

static void domain_add_verifies_first(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "d");
    struct cap root = mint_all(f, OBJ_A);
    struct cap forged = root, old = derive(&root, CAP_R_READ, NOW, 0, CAP_RANGE_ALL);
    struct cap gone = derive(&root, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct domain_info info;

    forged.tag[15] ^= 0x80;
    assert_int_equal(cap_revoke(f->cs, &gone), SAS_OK);
    assert_int_equal(domain_add(f->cs, d, &forged, NOW), SAS_ECAP_FORGED);
    assert_int_equal(domain_add(f->cs, d, &old, NOW), SAS_ECAP_EXPIRED);
    assert_int_equal(domain_add(f->cs, d, &gone, NOW), SAS_ECAP_REVOKED);
    assert_int_equal(domain_add(f->cs, 7, &root, NOW), SAS_EDOMAIN_NOTFOUND);
    assert_int_equal(domain_add(f->cs, d, &root, NOW), SAS_OK);
    assert_int_equal(domain_add(f->cs, d, &root, NOW), SAS_OK);    /* a set: no duplicate */
    assert_int_equal(domain_info(f->cs, d, &info), SAS_OK);
    assert_int_equal(info.ncaps, 1);
    assert_int_equal(domain_remove(f->cs, d, &gone), SAS_ENOTFOUND);
}

static void domain_failed_write_changes_nothing(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "d"), got;
    struct cap root = mint_all(f, OBJ_A);
    struct domain_info info;

    capstore_mem_fail(f->mem, 0, SAS_ESTORE_FULL);
    assert_int_equal(domain_add(f->cs, d, &root, NOW), SAS_ESTORE_FULL);
    assert_int_equal(domain_info(f->cs, d, &info), SAS_OK);
    assert_int_equal(info.ncaps, 0);
    capstore_mem_fail(f->mem, 0, SAS_EIO);
    assert_int_equal(domain_create(f->cs, "e", &got), SAS_EIO);
    assert_int_equal(domain_find(f->cs, "e", &got), SAS_EDOMAIN_NOTFOUND);
    capstore_mem_fail(f->mem, 0, SAS_EIO);
    assert_int_equal(domain_lock(f->cs, d), SAS_EIO);
    assert_int_equal(domain_add(f->cs, d, &root, NOW), SAS_OK);
    capstore_mem_fail(f->mem, 0, SAS_EIO);
    assert_int_equal(domain_remove(f->cs, d, &root), SAS_EIO);
    assert_true(check(f, d, &obj_a, OBJ_A, CAP_R_READ, NOW).allow);
}

/* ---- The check: each answer and its reason ------------------------------------------ */

static void cap_check_allows_and_names_the_capability(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "d");
    struct cap root = mint_all(f, OBJ_A);
    struct cap c = derive(&root, CAP_R_READ | CAP_R_EXEC, NOW + 60, 0x2000, 0x3000);

    assert_int_equal(domain_add(f->cs, d, &c, NOW), SAS_OK);
    struct cap_decision dec = check(f, d, &obj_a, OBJ_A + 0x3abc, CAP_R_READ, NOW);
    assert_true(dec.allow);
    assert_int_equal(dec.reason, CAP_ALLOWED);
    assert_int_equal(dec.rights, CAP_R_READ | CAP_R_EXEC);
    assert_int_equal(dec.lo, OBJ_A + 0x2000);
    assert_int_equal(dec.hi, OBJ_A + 0x5000);
    assert_int_equal(dec.valid_until, NOW + 60);
    assert_int_equal(dec.candidates, 1);
    assert_memory_equal(dec.tag, c.tag, CAP_TAG_BYTES);
    assert_string_equal(cap_reason_str(dec.reason), "allowed");
}

static void cap_check_denies_no_capability(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "d");
    struct cap rb = mint_all(f, OBJ_B);

    assert_int_equal(domain_add(f->cs, d, &rb, NOW), SAS_OK);
    struct cap_decision dec = check(f, d, &obj_a, OBJ_A, CAP_R_READ, NOW);
    assert_false(dec.allow);
    assert_int_equal(dec.reason, CAP_DENY_NO_CAP);
    assert_int_equal(dec.candidates, 0);
    assert_int_equal(dec.lo, OBJ_A);                 /* holds for the whole object */
    assert_int_equal(dec.hi, OBJ_A + obj_a.size);
    assert_string_equal(cap_reason_str(dec.reason), "no capability for the object");
}

static void cap_check_denies_missing_right(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "d");
    struct cap root = mint_all(f, OBJ_A);
    struct cap ro = derive(&root, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);

    assert_int_equal(domain_add(f->cs, d, &ro, NOW), SAS_OK);
    struct cap_decision dec = check(f, d, &obj_a, OBJ_A, CAP_R_WRITE, NOW);
    assert_false(dec.allow);
    assert_int_equal(dec.reason, CAP_DENY_RIGHTS);
    assert_memory_equal(dec.tag, ro.tag, CAP_TAG_BYTES);
    dec = check(f, d, &obj_a, OBJ_A, CAP_R_READ | CAP_R_EXEC, NOW);
    assert_int_equal(dec.reason, CAP_DENY_RIGHTS);     /* all requested rights needed */
}

static void cap_check_denies_out_of_range_at_page_granularity(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "d");
    struct cap root = mint_all(f, OBJ_A);
    struct cap two = derive(&root, CAP_R_READ, CAP_NO_EXPIRY, 0x4000, 0x2000);
    struct cap part = derive(&root, CAP_R_READ, CAP_NO_EXPIRY, 0x8800, 0x1000);

    assert_int_equal(domain_add(f->cs, d, &two, NOW), SAS_OK);
    assert_int_equal(domain_add(f->cs, d, &part, NOW), SAS_OK);
    assert_true(check(f, d, &obj_a, OBJ_A + 0x4000, CAP_R_READ, NOW).allow);
    assert_true(check(f, d, &obj_a, OBJ_A + 0x5fff, CAP_R_READ, NOW).allow);
    struct cap_decision dec = check(f, d, &obj_a, OBJ_A + 0x6000, CAP_R_READ, NOW);
    assert_int_equal(dec.reason, CAP_DENY_RANGE);
    assert_int_equal(dec.candidates, 2);
    dec = check(f, d, &obj_a, OBJ_A + 0x3fff, CAP_R_READ, NOW);
    assert_int_equal(dec.reason, CAP_DENY_RANGE);
    /* part covers bytes of pages 8 and 9 but neither page whole: the MMU cannot help. */
    dec = check(f, d, &obj_a, OBJ_A + 0x8900, CAP_R_READ, NOW);
    assert_int_equal(dec.reason, CAP_DENY_RANGE);
    assert_int_equal(dec.lo, OBJ_A + 0x8000);
    assert_int_equal(dec.hi, OBJ_A + 0x9000);
    dec = check(f, d, &obj_a, OBJ_A + 0x9100, CAP_R_READ, NOW);   /* range ends mid-page */
    assert_int_equal(dec.reason, CAP_DENY_RANGE);
}

static void cap_check_denies_expired_at_the_boundary(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "d");
    struct cap root = mint_all(f, OBJ_A);
    struct cap c = derive(&root, CAP_R_READ, NOW + 10, 0, CAP_RANGE_ALL);

    assert_int_equal(domain_add(f->cs, d, &c, NOW), SAS_OK);
    assert_true(check(f, d, &obj_a, OBJ_A, CAP_R_READ, NOW + 9).allow);
    /* The cached allow ends with the capability. */
    struct cap_decision dec = check(f, d, &obj_a, OBJ_A, CAP_R_READ, NOW + 10);
    assert_false(dec.allow);
    assert_int_equal(dec.cached, 0);
    assert_int_equal(dec.reason, CAP_DENY_EXPIRED);
}

static void cap_check_denies_revoked_epoch_and_set(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "d"), e = mkdom(f, "e");
    struct cap root = mint_all(f, OBJ_A), rb = mint_all(f, OBJ_B);
    struct cap a = derive(&root, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct cap sib = derive(&root, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct cap b = derive(&rb, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);

    assert_int_equal(domain_add(f->cs, d, &a, NOW), SAS_OK);
    assert_int_equal(domain_add(f->cs, e, &sib, NOW), SAS_OK);
    assert_int_equal(domain_add(f->cs, d, &b, NOW), SAS_OK);
    assert_true(check(f, d, &obj_a, OBJ_A, CAP_R_READ, NOW).allow);
    assert_true(check(f, d, &obj_a, OBJ_A, CAP_R_READ, NOW).cached);
    assert_int_equal(cap_revoke(f->cs, &a), SAS_OK);
    struct cap_decision dec = check(f, d, &obj_a, OBJ_A, CAP_R_READ, NOW);
    assert_false(dec.allow);                          /* takes effect at once */
    assert_int_equal(dec.reason, CAP_DENY_REVOKED);
    assert_true(check(f, e, &obj_a, OBJ_A, CAP_R_READ, NOW).allow);  /* sibling */
    assert_int_equal(cap_revoke_all(f->cs, &rb, NOW), SAS_OK);
    dec = check(f, d, &obj_b, OBJ_B, CAP_R_READ, NOW);
    assert_int_equal(dec.reason, CAP_DENY_REVOKED);
}

static void cap_check_denies_capability_of_an_older_object(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "d");
    struct cap root = mint_all(f, OBJ_A);
    struct cap_object newer = obj_a;

    assert_int_equal(domain_add(f->cs, d, &root, NOW), SAS_OK);
    assert_true(check(f, d, &obj_a, OBJ_A, CAP_R_READ, NOW).allow);
    /* objmgr deleted it and made another object at the same base, with a newer epoch:
     * denied even before capstore has minted anything for the newcomer (and not from
     * the cached allow). */
    newer.epoch = EPOCH + 1;
    struct cap_decision dec = check(f, d, &newer, OBJ_A, CAP_R_READ, NOW);
    assert_false(dec.allow);
    assert_int_equal(dec.reason, CAP_DENY_REVOKED);
}

static void cap_check_denies_capability_damaged_in_store(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "d");
    struct cap root = mint_all(f, OBJ_A), rb = mint_all(f, OBJ_B);
    uint8_t key[29] = { 'C', 0, 0, 0, (uint8_t)d };  /* internal.h's record key */
    size_t n;

    assert_int_equal(domain_add(f->cs, d, &root, NOW), SAS_OK);
    assert_int_equal(domain_add(f->cs, d, &rb, NOW), SAS_OK);
    for (int i = 0; i < 8; i++)
        key[5 + i] = (uint8_t)(OBJ_A >> (56 - 8 * i));
    memcpy(key + 13, root.tag, 16);
    struct cap *stored = capstore_mem_value(f->mem, key, sizeof key, &n);
    assert_non_null(stored);
    assert_int_equal(n, sizeof *stored);
    stored->link[0].expiry = NOW + 5;        /* shorten... still the tag must catch it */
    fx_reopen(f);
    struct cap_decision dec = check(f, d, &obj_a, OBJ_A, CAP_R_READ, NOW);
    assert_false(dec.allow);
    assert_int_equal(dec.reason, CAP_DENY_FORGED);
    assert_true(check(f, d, &obj_b, OBJ_B, CAP_R_READ, NOW).allow);  /* others unharmed */
    stored->nlinks = 0;                      /* structurally broken: no crash either */
    fx_reopen(f);
    assert_int_equal(check(f, d, &obj_a, OBJ_A, CAP_R_READ, NOW).reason, CAP_DENY_FORGED);
}

static void cap_check_reports_the_closest_capability(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "d");
    struct cap root = mint_all(f, OBJ_A);
    struct cap far = derive(&root, CAP_R_ALL, CAP_NO_EXPIRY, 0x8000, 0x1000);
    struct cap ro = derive(&root, CAP_R_READ, CAP_NO_EXPIRY, 0, 0x2000);
    struct cap old = derive(&root, CAP_R_WRITE, NOW, 0, 0x2000);

    assert_int_equal(domain_add(f->cs, d, &far, NOW - 1), SAS_OK);
    assert_int_equal(domain_add(f->cs, d, &ro, NOW - 1), SAS_OK);
    struct cap_decision dec = check(f, d, &obj_a, OBJ_A, CAP_R_WRITE, NOW);
    assert_int_equal(dec.reason, CAP_DENY_RIGHTS);   /* ro came closer than far */
    assert_memory_equal(dec.tag, ro.tag, CAP_TAG_BYTES);
    assert_int_equal(domain_add(f->cs, d, &old, NOW - 1), SAS_OK);
    dec = check(f, d, &obj_a, OBJ_A, CAP_R_WRITE, NOW);
    assert_int_equal(dec.reason, CAP_DENY_EXPIRED);  /* old came closer still */
    assert_memory_equal(dec.tag, old.tag, CAP_TAG_BYTES);
    assert_int_equal(dec.candidates, 3);
}

static void cap_check_rejects_bad_arguments(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "d");
    struct cap_decision dec;
    struct cap_object odd = { OBJ_A + 1, 0x1000, EPOCH }, empty = { OBJ_A, 0, EPOCH },
                      noepoch = { OBJ_A, 0x1000, 0 };

    assert_int_equal(cap_check(f->cs, d, &obj_a, OBJ_A - 1, CAP_R_READ, NOW, &dec), SAS_EINVAL);
    assert_int_equal(cap_check(f->cs, d, &obj_a, OBJ_A + obj_a.size, CAP_R_READ, NOW, &dec),
                     SAS_EINVAL);
    assert_int_equal(cap_check(f->cs, d, &odd, OBJ_A + 1, CAP_R_READ, NOW, &dec), SAS_EINVAL);
    assert_int_equal(cap_check(f->cs, d, &empty, OBJ_A, CAP_R_READ, NOW, &dec), SAS_EINVAL);
    assert_int_equal(cap_check(f->cs, d, &noepoch, OBJ_A, CAP_R_READ, NOW, &dec), SAS_EINVAL);
    assert_int_equal(cap_check(f->cs, d, &obj_a, OBJ_A, 0, NOW, &dec), SAS_EINVAL);
    assert_int_equal(cap_check(f->cs, d, &obj_a, OBJ_A, 0x20, NOW, &dec), SAS_EINVAL);
    assert_int_equal(cap_check(f->cs, d + 1, &obj_a, OBJ_A, CAP_R_READ, NOW, &dec),
                     SAS_EDOMAIN_NOTFOUND);
}

/* ---- The decision cache -------------------------------------------------------------- */

static void cap_check_cache_hits_then_list_changes_invalidate(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "d");
    struct cap root = mint_all(f, OBJ_A);
    struct capstore_stats st0, st1;

    struct cap_decision dec = check(f, d, &obj_a, OBJ_A + 0x5000, CAP_R_READ, NOW);
    assert_int_equal(dec.reason, CAP_DENY_NO_CAP);
    assert_true(check(f, d, &obj_a, OBJ_A + 0x1000, CAP_R_READ, NOW).cached);
    assert_int_equal(domain_add(f->cs, d, &root, NOW), SAS_OK);   /* deny -> allow */
    dec = check(f, d, &obj_a, OBJ_A + 0x5000, CAP_R_READ, NOW);
    assert_true(dec.allow);
    assert_false(dec.cached);
    capstore_stats(f->cs, &st0);
    dec = check(f, d, &obj_a, OBJ_A + 0xf000, CAP_R_READ, NOW);   /* same cap covers it */
    assert_true(dec.allow);
    assert_true(dec.cached);
    capstore_stats(f->cs, &st1);
    assert_int_equal(st1.cache_hits, st0.cache_hits + 1);
    assert_int_equal(st1.macs, st0.macs);                         /* no MAC on a hit */
    assert_int_equal(domain_remove(f->cs, d, &root), SAS_OK);     /* allow -> deny */
    dec = check(f, d, &obj_a, OBJ_A + 0xf000, CAP_R_READ, NOW);
    assert_false(dec.allow);
    assert_false(dec.cached);
}

static void cap_check_cold_needs_no_mac_until_revocation(void **state)
{
    struct fx *f = *state;
    domain_id d = mkdom(f, "d");
    struct cap ra = mint_all(f, OBJ_A), rb = mint_all(f, OBJ_B);
    struct cap b1 = derive(&rb, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct capstore_stats st0, st1;

    assert_int_equal(domain_add(f->cs, d, &ra, NOW), SAS_OK);
    assert_int_equal(domain_add(f->cs, d, &rb, NOW), SAS_OK);
    capstore_stats(f->cs, &st0);
    assert_true(check(f, d, &obj_a, OBJ_A, CAP_R_WRITE, NOW).allow);
    capstore_stats(f->cs, &st1);
    assert_int_equal(st1.macs, st0.macs);        /* verified when added */
    /* A revocation on another object flushes the cache but costs this object no MAC. */
    assert_int_equal(cap_revoke(f->cs, &b1), SAS_OK);
    capstore_stats(f->cs, &st0);
    struct cap_decision dec = check(f, d, &obj_a, OBJ_A, CAP_R_WRITE, NOW);
    capstore_stats(f->cs, &st1);
    assert_true(dec.allow);
    assert_false(dec.cached);
    assert_int_equal(st1.macs, st0.macs);
    /* On the revoked object, the entry is verified again, once. */
    assert_true(check(f, d, &obj_b, OBJ_B, CAP_R_READ, NOW).allow);
    assert_true(check(f, d, &obj_b, OBJ_B + 0x1000, CAP_R_WRITE, NOW).allow);
    capstore_stats(f->cs, &st0);
    assert_int_equal(st0.macs, st1.macs + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
        T(domain_create_find_and_describe),
        T(domain_persists_with_its_list_and_lock),
        T(domain_locked_cannot_grow),
        T(domain_remove_base_empties_every_list),
        T(domain_add_verifies_first),
        T(domain_failed_write_changes_nothing),
        T(cap_check_allows_and_names_the_capability),
        T(cap_check_denies_no_capability),
        T(cap_check_denies_missing_right),
        T(cap_check_denies_out_of_range_at_page_granularity),
        T(cap_check_denies_expired_at_the_boundary),
        T(cap_check_denies_revoked_epoch_and_set),
        T(cap_check_denies_capability_of_an_older_object),
        T(cap_check_denies_capability_damaged_in_store),
        T(cap_check_reports_the_closest_capability),
        T(cap_check_rejects_bad_arguments),
        T(cap_check_cache_hits_then_list_changes_invalidate),
        T(cap_check_cold_needs_no_mac_until_revocation),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
