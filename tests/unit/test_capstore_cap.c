/*
 * test_capstore_cap.c — capabilities: wire format, tags, offline attenuation, verification
 * and revocation, on a capstore over the memory backend.
 */
#include <sodium.h>
#include "test_capstore_util.h"

/* ---- Format and tags ---------------------------------------------------------------- */

static void cap_wire_layout_is_fixed(void **state)
{
    struct fx *f = *state;
    struct cap c = mint_all(f, OBJ_A);
    const uint8_t *b = (const uint8_t *)&c;
    uint64_t base;

    memcpy(&base, b, 8);                 /* the base is the first little-endian word */
    assert_int_equal(base, OBJ_A);
    memcpy(&base, b + 8, 8);
    assert_int_equal(base, EPOCH);
    assert_int_equal(b[16], 1);              /* rgen, little-endian */
    assert_int_equal(b[20], CAP_VERSION);
    assert_int_equal(b[21], 1);
    assert_int_equal(b[24 + 24], CAP_R_ALL); /* link 0's rights */
    assert_int_equal(sizeof c, 232);
}

static void cap_mint_verifies(void **state)
{
    struct fx *f = *state;
    struct cap c = mint_all(f, OBJ_A);

    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_OK);
    assert_int_equal(c.epoch, EPOCH);
    assert_int_equal(c.rgen, 1);
    assert_int_equal(rgen_of(f, OBJ_A), 1);
}

static void cap_mint_for_a_new_object_kills_the_old_ones(void **state)
{
    struct fx *f = *state;
    struct cap old = mint_all(f, OBJ_A), c;
    struct cap_link l = link_all();

    assert_int_equal(cap_mint(f->cs, OBJ_A, 0, &l, &c), SAS_EINVAL);
    assert_int_equal(cap_mint(f->cs, OBJ_A, EPOCH - 1, &l, &c), SAS_EINVAL);
    assert_int_equal(cap_mint(f->cs, OBJ_A, EPOCH + 3, &l, &c), SAS_OK);
    assert_int_equal(cap_verify(f->cs, &old, NOW), SAS_ECAP_REVOKED);
    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_OK);
    assert_int_equal(c.rgen, 1);
    old.epoch = EPOCH + 3;                   /* relabelling an old one is forgery */
    assert_int_equal(cap_verify(f->cs, &old, NOW), SAS_ECAP_FORGED);
}

static void cap_mint_rejects_bad_arguments(void **state)
{
    struct fx *f = *state;
    struct cap c;
    struct cap_link l = link_all();

    assert_int_equal(cap_mint(f->cs, OBJ_A + 1, EPOCH, &l, &c), SAS_EINVAL);
    assert_int_equal(cap_mint(f->cs, SAS_OBJECT_BASE - 0x1000, EPOCH, &l, &c), SAS_EINVAL);
    assert_int_equal(cap_mint(f->cs, SAS_OBJECT_END, EPOCH, &l, &c), SAS_EINVAL);
    l.rights = 0x20;
    assert_int_equal(cap_mint(f->cs, OBJ_A, EPOCH, &l, &c), SAS_ECAP_MALFORMED);
    l = cap_link_make(CAP_R_READ, CAP_NO_EXPIRY, 0, 0);
    assert_int_equal(cap_mint(f->cs, OBJ_A, EPOCH, &l, &c), SAS_ECAP_MALFORMED);
    l = cap_link_make(CAP_R_READ, CAP_NO_EXPIRY, 2, UINT64_MAX - 1);  /* wraps */
    assert_int_equal(cap_mint(f->cs, OBJ_A, EPOCH, &l, &c), SAS_ECAP_MALFORMED);
    assert_int_equal(rgen_of(f, OBJ_A), 0);   /* nothing was created */
}

static void cap_verify_rejects_1e6_forged_tags(void **state)
{
    struct fx *f = *state;
    struct cap root = mint_all(f, OBJ_A);
    struct cap c = derive(&root, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    unsigned accepted = 0;

    for (unsigned i = 0; i < 1000000; i++) {
        randombytes_buf(c.tag, sizeof c.tag);
        accepted += cap_verify(f->cs, &c, NOW) != SAS_ECAP_FORGED;
    }
    assert_int_equal(accepted, 0);
}

static void cap_verify_rejects_every_bit_flip(void **state)
{
    struct fx *f = *state;
    struct cap root = mint_all(f, OBJ_A);
    struct cap a = derive(&root, CAP_R_READ | CAP_R_WRITE, NOW + 100, 0x1000, 0x8000);
    struct cap c = derive(&a, CAP_R_READ, NOW + 50, 0x2000, 0x2000);
    uint8_t *b = (uint8_t *)&c;
    unsigned accepted = 0;

    /* Mint B too so that flipping base bits can land on an object that has a record. */
    mint_all(f, OBJ_A ^ 0x10000);
    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_OK);
    for (size_t bit = 0; bit < sizeof c * 8; bit++) {
        b[bit / 8] ^= (uint8_t)(1u << bit % 8);
        accepted += cap_verify(f->cs, &c, NOW) == SAS_OK;
        b[bit / 8] ^= (uint8_t)(1u << bit % 8);
    }
    assert_int_equal(accepted, 0);
    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_OK);
}

static void cap_verify_rejects_chain_cut_or_moved(void **state)
{
    struct fx *f = *state;
    struct cap ra = mint_all(f, OBJ_A), rb = mint_all(f, OBJ_B);
    struct cap c = derive(&ra, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct cap cut = c, moved = c;

    /* Dropping the caveat but keeping the tag one holds: needs t[0], which one lacks. */
    cut.nlinks = 1;
    memset(&cut.link[1], 0, sizeof cut.link[1]);
    assert_int_equal(cap_verify(f->cs, &cut, NOW), SAS_ECAP_FORGED);
    /* The same chain presented for another object. */
    moved.base = OBJ_B;
    assert_int_equal(cap_verify(f->cs, &moved, NOW), SAS_ECAP_FORGED);
    /* A capability for an object this store never minted for. */
    moved.base = OBJ_B + 0x100000;
    assert_int_equal(cap_verify(f->cs, &moved, NOW), SAS_ECAP_FORGED);
    assert_int_equal(cap_verify(f->cs, &rb, NOW), SAS_OK);
}

static void cap_verify_rejects_noncanonical(void **state)
{
    struct fx *f = *state;
    struct cap root = mint_all(f, OBJ_A), c;

    c = root;
    c.version = 2;
    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_ECAP_MALFORMED);
    c = root;
    c.nlinks = 0;
    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_ECAP_MALFORMED);
    c = root;
    c.nlinks = CAP_LINKS_MAX + 1;
    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_ECAP_MALFORMED);
    c = root;
    c.link[CAP_LINKS_MAX - 1].off = 1;   /* garbage in an unused link */
    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_ECAP_MALFORMED);
}

/* ---- Attenuation --------------------------------------------------------------------- */

static void cap_derive_narrows_and_verifies(void **state)
{
    struct fx *f = *state;
    struct cap root = mint_all(f, OBJ_A);
    struct cap c = root;

    for (unsigned i = 1; i < CAP_LINKS_MAX; i++) {
        c = derive(&c, CAP_R_READ | CAP_R_WRITE, NOW + 1000 - i, 0x1000 * i, 0x100000 - 0x2000 * i);
        assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_OK);
    }
    assert_int_equal(c.nlinks, CAP_LINKS_MAX);
    assert_int_equal(cap_last(&c)->off, 0x1000 * (CAP_LINKS_MAX - 1));
}

static void cap_derive_rejects_amplification(void **state)
{
    struct fx *f = *state;
    struct cap root = mint_all(f, OBJ_A), out;
    struct cap p = derive(&root, CAP_R_READ, NOW + 100, 0x2000, 0x4000);
    struct cap_link more_rights = cap_link_make(CAP_R_READ | CAP_R_WRITE, NOW + 100, 0x2000, 0x4000);
    struct cap_link later = cap_link_make(CAP_R_READ, NOW + 101, 0x2000, 0x4000);
    struct cap_link no_expiry = cap_link_make(CAP_R_READ, CAP_NO_EXPIRY, 0x2000, 0x4000);
    struct cap_link left = cap_link_make(CAP_R_READ, NOW + 100, 0x1fff, 0x1000);
    struct cap_link right = cap_link_make(CAP_R_READ, NOW + 100, 0x3000, 0x3001);
    struct cap_link wider = cap_link_make(CAP_R_READ, NOW + 100, 0, CAP_RANGE_ALL);
    struct cap_link outside = cap_link_make(CAP_R_READ, NOW + 100, 0x6000, 0x1000);

    assert_int_equal(cap_derive(&p, &more_rights, &out), SAS_ECAP_AMPLIFY);
    assert_int_equal(cap_derive(&p, &later, &out), SAS_ECAP_AMPLIFY);
    assert_int_equal(cap_derive(&p, &no_expiry, &out), SAS_ECAP_AMPLIFY);
    assert_int_equal(cap_derive(&p, &left, &out), SAS_ECAP_AMPLIFY);
    assert_int_equal(cap_derive(&p, &right, &out), SAS_ECAP_AMPLIFY);
    assert_int_equal(cap_derive(&p, &wider, &out), SAS_ECAP_AMPLIFY);
    assert_int_equal(cap_derive(&p, &outside, &out), SAS_ECAP_AMPLIFY);
    /* The exact parent bounds are allowed (not an amplification). */
    struct cap same = derive(&p, CAP_R_READ, NOW + 100, 0x2000, 0x4000);
    assert_int_equal(cap_verify(f->cs, &same, NOW), SAS_OK);
}

static void cap_verify_rejects_hand_made_widening_link(void **state)
{
    struct fx *f = *state;
    struct cap root = mint_all(f, OBJ_A);
    struct cap p = derive(&root, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct cap c = derive(&p, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);

    /* A holder with p's tag could MAC any next link; widening it must still not verify. */
    c.link[2].rights = CAP_R_READ | CAP_R_WRITE;
    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_ECAP_MALFORMED);
}

static void cap_derive_rejects_bad_link_and_depth(void **state)
{
    struct fx *f = *state;
    struct cap c = mint_all(f, OBJ_A), out;
    struct cap_link l = cap_link_make(0x40, CAP_NO_EXPIRY, 0, 0x1000);

    assert_int_equal(cap_derive(&c, &l, &out), SAS_ECAP_MALFORMED);
    l = cap_link_make(CAP_R_READ, CAP_NO_EXPIRY, 0, 0);
    assert_int_equal(cap_derive(&c, &l, &out), SAS_ECAP_MALFORMED);
    for (unsigned i = 1; i < CAP_LINKS_MAX; i++)
        c = derive(&c, CAP_R_READ, CAP_NO_EXPIRY, 0, 0x1000);
    l = cap_link_make(CAP_R_READ, CAP_NO_EXPIRY, 0, 0x1000);
    assert_int_equal(cap_derive(&c, &l, &out), SAS_ECAP_DEPTH);
}

static void cap_expiry_boundary(void **state)
{
    struct fx *f = *state;
    struct cap root = mint_all(f, OBJ_A);
    struct cap c = derive(&root, CAP_R_READ, NOW, 0, CAP_RANGE_ALL);

    assert_int_equal(cap_verify(f->cs, &c, NOW - 1), SAS_OK);
    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_ECAP_EXPIRED);
    assert_int_equal(cap_verify(f->cs, &c, UINT64_MAX), SAS_ECAP_EXPIRED);
    assert_int_equal(cap_verify(f->cs, &root, UINT64_MAX - 1), SAS_OK);
}

/* ---- Revocation ---------------------------------------------------------------------- */

static void cap_revoke_all_bumps_generation(void **state)
{
    struct fx *f = *state;
    struct cap root = mint_all(f, OBJ_A), other = mint_all(f, OBJ_B);
    struct cap c = derive(&root, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);

    assert_int_equal(cap_revoke_all(f->cs, &root, NOW), SAS_OK);
    assert_int_equal(rgen_of(f, OBJ_A), 2);
    assert_int_equal(cap_verify(f->cs, &root, NOW), SAS_ECAP_REVOKED);
    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_ECAP_REVOKED);
    assert_int_equal(cap_verify(f->cs, &other, NOW), SAS_OK);
    struct cap fresh = mint_all(f, OBJ_A);
    assert_int_equal(fresh.rgen, 2);
    assert_int_equal(cap_verify(f->cs, &fresh, NOW), SAS_OK);
    /* The revoked generation stays revoked after a restart. */
    fx_reopen(f);
    assert_int_equal(cap_verify(f->cs, &root, NOW), SAS_ECAP_REVOKED);
    assert_int_equal(cap_verify(f->cs, &fresh, NOW), SAS_OK);
}

static void cap_revoke_all_needs_authority(void **state)
{
    struct fx *f = *state;
    struct cap root = mint_all(f, OBJ_A);
    struct cap no_grant = derive(&root, CAP_R_ALL & ~CAP_R_GRANT, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct cap ranged = derive(&root, CAP_R_ALL, CAP_NO_EXPIRY, 0, 0x10000);
    struct cap expiring = derive(&root, CAP_R_ALL, NOW, 0, CAP_RANGE_ALL);
    struct cap forged = root;

    forged.tag[0] ^= 1;
    assert_int_equal(cap_revoke_all(f->cs, &no_grant, NOW), SAS_ECAP_DENIED);
    assert_int_equal(cap_revoke_all(f->cs, &ranged, NOW), SAS_ECAP_DENIED);
    assert_int_equal(cap_revoke_all(f->cs, &expiring, NOW), SAS_ECAP_EXPIRED);
    assert_int_equal(cap_revoke_all(f->cs, &forged, NOW), SAS_ECAP_FORGED);
    assert_int_equal(rgen_of(f, OBJ_A), 1);
    assert_int_equal(cap_verify(f->cs, &root, NOW), SAS_OK);
}

static void cap_revoke_kills_descendants_not_siblings(void **state)
{
    struct fx *f = *state;
    struct cap root = mint_all(f, OBJ_A);
    struct cap a = derive(&root, CAP_R_READ | CAP_R_WRITE, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct cap b = derive(&root, CAP_R_READ | CAP_R_WRITE, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct cap a1 = derive(&a, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct cap a2 = derive(&a, CAP_R_READ, NOW + 10, 0, 0x1000);
    struct cap a1x = derive(&a1, CAP_R_READ, CAP_NO_EXPIRY, 0x1000, 0x1000);
    struct cap b1 = derive(&b, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);

    /* a and b state the same caveat; their random nonces keep them apart. */
    assert_memory_not_equal(a.tag, b.tag, CAP_TAG_BYTES);
    assert_int_equal(cap_revoke(f->cs, &a1), SAS_OK);
    assert_int_equal(cap_verify(f->cs, &a1, NOW), SAS_ECAP_REVOKED);
    assert_int_equal(cap_verify(f->cs, &a1x, NOW), SAS_ECAP_REVOKED);
    assert_int_equal(cap_verify(f->cs, &a, NOW), SAS_OK);       /* parent */
    assert_int_equal(cap_verify(f->cs, &a2, NOW), SAS_OK);      /* sibling */
    assert_int_equal(cap_revoke(f->cs, &a1), SAS_ECAP_REVOKED); /* already */
    assert_int_equal(cap_revoke(f->cs, &a), SAS_OK);
    assert_int_equal(cap_verify(f->cs, &a2, NOW), SAS_ECAP_REVOKED);
    assert_int_equal(cap_verify(f->cs, &root, NOW), SAS_OK);
    assert_int_equal(cap_verify(f->cs, &b, NOW), SAS_OK);
    assert_int_equal(cap_verify(f->cs, &b1, NOW), SAS_OK);
    fx_reopen(f);                          /* the revocation set is stored */
    assert_int_equal(cap_verify(f->cs, &a1x, NOW), SAS_ECAP_REVOKED);
    assert_int_equal(cap_verify(f->cs, &b1, NOW), SAS_OK);
}

static void cap_revset_full_then_revoke_all_empties_it(void **state)
{
    struct fx *f = *state;
    struct cap root = mint_all(f, OBJ_A), c;

    for (unsigned i = 0; i < CAP_REVSET_MAX; i++) {
        c = derive(&root, CAP_R_READ, NOW + 1000 + i, 0, CAP_RANGE_ALL);
        assert_int_equal(cap_revoke(f->cs, &c), SAS_OK);
    }
    c = derive(&root, CAP_R_READ, NOW + 1, 0, CAP_RANGE_ALL);
    assert_int_equal(cap_revoke(f->cs, &c), SAS_ECAP_REVSET_FULL);
    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_OK);
    assert_int_equal(cap_revoke_all(f->cs, &root, NOW), SAS_OK);
    root = mint_all(f, OBJ_A);
    c = derive(&root, CAP_R_READ, NOW + 1, 0, CAP_RANGE_ALL);
    assert_int_equal(cap_revoke(f->cs, &c), SAS_OK);
}

static void cap_retire_ends_every_capability(void **state)
{
    struct fx *f = *state;
    struct cap root = mint_all(f, OBJ_A);

    assert_int_equal(cap_retire(f->cs, OBJ_B), SAS_OK);       /* nothing minted: no-op */
    assert_int_equal(rgen_of(f, OBJ_B), 0);
    assert_int_equal(cap_retire(f->cs, OBJ_A + 8), SAS_EINVAL);
    assert_int_equal(cap_retire(f->cs, OBJ_A), SAS_OK);
    assert_int_equal(cap_verify(f->cs, &root, NOW), SAS_ECAP_REVOKED);
    assert_int_equal(rgen_of(f, OBJ_A), 2);
}

/* ---- The store ------------------------------------------------------------------------ */

static void capstore_master_key_is_kept_and_unique(void **state)
{
    struct fx *f = *state;
    struct cap c = mint_all(f, OBJ_A);
    struct capstore_mem *m2;
    struct capstore *cs2;

    fx_reopen(f);
    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_OK);
    /* Another store draws its own key: the capability is worthless there. */
    assert_int_equal(capstore_mem_new(&m2), SAS_OK);
    struct capstore_backend be = capstore_mem_backend(m2);
    assert_int_equal(capstore_open(&be, 0, &cs2), SAS_OK);
    struct cap_link l = link_all();
    struct cap d;
    assert_int_equal(cap_mint(cs2, OBJ_A, EPOCH, &l, &d), SAS_OK);
    assert_int_equal(cap_verify(cs2, &c, NOW), SAS_ECAP_FORGED);
    assert_memory_not_equal(c.tag, d.tag, CAP_TAG_BYTES);
    capstore_close(cs2);
    capstore_mem_free(m2);
}

static void capstore_failed_write_changes_nothing(void **state)
{
    struct fx *f = *state;
    struct cap root = mint_all(f, OBJ_A), out;
    struct cap c = derive(&root, CAP_R_READ, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    struct cap_link l = link_all();

    capstore_mem_fail(f->mem, 0, SAS_ESTORE_FULL);
    assert_int_equal(cap_revoke(f->cs, &c), SAS_ESTORE_FULL);
    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_OK);
    capstore_mem_fail(f->mem, 0, SAS_EIO);
    assert_int_equal(cap_revoke_all(f->cs, &root, NOW), SAS_EIO);
    assert_int_equal(rgen_of(f, OBJ_A), 1);
    capstore_mem_fail(f->mem, 0, SAS_EIO);
    assert_int_equal(cap_mint(f->cs, OBJ_B, EPOCH, &l, &out), SAS_EIO);
    assert_int_equal(rgen_of(f, OBJ_B), 0);
    fx_reopen(f);
    assert_int_equal(cap_verify(f->cs, &c, NOW), SAS_OK);
    assert_int_equal(rgen_of(f, OBJ_B), 0);
}

static void capstore_rdonly_creates_nothing(void **state)
{
    struct capstore_mem *m;
    struct capstore *cs;
    struct cap c;
    struct cap_link l = link_all();

    (void)state;
    assert_int_equal(capstore_mem_new(&m), SAS_OK);
    struct capstore_backend be = capstore_mem_backend(m);
    assert_int_equal(capstore_open(&be, CAPSTORE_RDONLY, &cs), SAS_OK);
    assert_int_equal(capstore_has_key(cs), 0);
    assert_int_equal(cap_mint(cs, OBJ_A, EPOCH, &l, &c), SAS_ESTORE_READONLY);
    assert_int_equal(capstore_mem_count(m), 0);
    capstore_close(cs);
    capstore_mem_free(m);
}

static void capstore_open_refuses_newer_format_and_junk(void **state)
{
    struct fx *f = *state;
    struct capstore_backend be = capstore_mem_backend(f->mem);
    struct capstore *cs;
    size_t n;
    uint32_t *fmt = capstore_mem_value(f->mem, "V", 1, &n);

    assert_non_null(fmt);
    assert_int_equal(n, 4);
    *fmt = CAPSTORE_FORMAT + 1;
    assert_int_equal(capstore_open(&be, 0, &cs), SAS_ESTORE_VERSION);
    *fmt = CAPSTORE_FORMAT;
    uint8_t *key = capstore_mem_value(f->mem, "K", 1, &n);
    assert_non_null(key);
    void *t;
    be.begin(be.ctx, 1, &t);
    be.put(be.ctx, t, "Zjunk", 5, "x", 1);
    be.commit(be.ctx, t);
    assert_int_equal(capstore_open(&be, 0, &cs), SAS_ESTORE_CORRUPT);
}

static void cap_text_round_trip(void **state)
{
    struct fx *f = *state;
    struct cap root = mint_all(f, OBJ_A), back;
    char text[CAP_TEXT_BYTES];

    cap_format(&root, text);
    assert_int_equal(strlen(text), CAP_TEXT_BYTES - 1);
    assert_int_equal(cap_parse(text, &back), SAS_OK);
    assert_memory_equal(&root, &back, sizeof root);
    text[7] = 'g';
    assert_int_equal(cap_parse(text, &back), SAS_EINVAL);
    assert_int_equal(cap_parse("cap1:00", &back), SAS_EINVAL);
    assert_int_equal(cap_parse("cap2:", &back), SAS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
        T(cap_wire_layout_is_fixed),
        T(cap_mint_verifies),
        T(cap_mint_rejects_bad_arguments),
        T(cap_mint_for_a_new_object_kills_the_old_ones),
        T(cap_verify_rejects_1e6_forged_tags),
        T(cap_verify_rejects_every_bit_flip),
        T(cap_verify_rejects_chain_cut_or_moved),
        T(cap_verify_rejects_noncanonical),
        T(cap_derive_narrows_and_verifies),
        T(cap_derive_rejects_amplification),
        T(cap_verify_rejects_hand_made_widening_link),
        T(cap_derive_rejects_bad_link_and_depth),
        T(cap_expiry_boundary),
        T(cap_revoke_all_bumps_generation),
        T(cap_revoke_all_needs_authority),
        T(cap_revoke_kills_descendants_not_siblings),
        T(cap_revset_full_then_revoke_all_empties_it),
        T(cap_retire_ends_every_capability),
        T(capstore_master_key_is_kept_and_unique),
        T(capstore_failed_write_changes_nothing),
        T(capstore_rdonly_creates_nothing),
        T(capstore_open_refuses_newer_format_and_junk),
        T(cap_text_round_trip),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
