/*
 * test_objmgr.c — the object table and allocator (objmgr/objmgr.h) on the host:
 * allocation, alignment, exhaustion, lookups inside/between/past objects, resize in place
 * and its collisions, quarantine until retirement, iteration order, restore, encoding,
 * and a randomised comparison with a brute-force model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <objmgr/objmgr.h>
#include <sas/layout.h>

#define PG SAS_PAGE_SIZE

static struct obj_table *new_table(uint64_t base, uint64_t end)
{
    struct obj_table *t = NULL;
    assert_int_equal(obj_table_new(base, end, &t), SAS_OK);
    return t;
}

static struct obj_record make(struct obj_table *t, uint64_t size, uint64_t align)
{
    struct obj_spec s = { .size = size, .align = align, .flags = OBJ_PERSISTENT,
                          .owner = 7, .account = 3, .ctime = 99, .label = "t" };
    struct obj_record r;
    assert_int_equal(obj_create(t, &s, &r), SAS_OK);
    return r;
}

static void obj_create_places_first_object_at_region_base(void **st)
{
    (void)st;
    struct obj_table *t = new_table(SAS_OBJECT_BASE, SAS_OBJECT_END);
    struct obj_record r = make(t, 100, 0);
    assert_int_equal(r.base, SAS_OBJECT_BASE);
    assert_int_equal(r.size, PG);                 /* rounded up to a whole page */
    assert_int_equal(r.owner, 7);
    assert_int_equal(r.account, 3);
    assert_int_equal(r.ctime, 99);
    assert_string_equal(r.label, "t");
    assert_int_equal(r.flags, OBJ_PERSISTENT);
    assert_int_equal(obj_count(t), 1);
    obj_table_free(t);
}

static void obj_create_honours_power_of_two_alignment(void **st)
{
    (void)st;
    struct obj_table *t = new_table(SAS_OBJECT_BASE, SAS_OBJECT_END);
    make(t, PG, 0);
    struct obj_record a = make(t, 3 * PG, 1 << 21);
    assert_int_equal(a.base % (1 << 21), 0);
    assert_true(a.base > SAS_OBJECT_BASE);
    /* The gap left before the aligned object is still used by first fit. */
    struct obj_record b = make(t, PG, 0);
    assert_int_equal(b.base, SAS_OBJECT_BASE + PG);
    obj_table_free(t);
}

static void obj_create_rejects_malformed_specs(void **st)
{
    (void)st;
    struct obj_table *t = new_table(SAS_OBJECT_BASE, SAS_OBJECT_END);
    struct obj_record r;
    struct obj_spec s = { .size = 0 };
    assert_int_equal(obj_create(t, &s, &r), SAS_EINVAL);
    s.size = PG;
    s.align = 3 * PG;
    assert_int_equal(obj_create(t, &s, &r), SAS_EINVAL);
    s.align = PG / 2;
    assert_int_equal(obj_create(t, &s, &r), SAS_EINVAL);
    s.align = 0;
    s.flags = 0x40;
    assert_int_equal(obj_create(t, &s, &r), SAS_EINVAL);
    s.flags = OBJ_FREED;
    assert_int_equal(obj_create(t, &s, &r), SAS_EINVAL);
    s.flags = 0;
    s.label = "0123456789abcdef0123456789abcdef"; /* 32 chars: no room for the NUL */
    assert_int_equal(obj_create(t, &s, &r), SAS_EINVAL);
    assert_int_equal(obj_count(t), 0);
    assert_int_equal(obj_next_epoch(t), 1);       /* nothing was consumed */
    obj_table_free(t);
}

static void obj_create_reports_exhausted_region(void **st)
{
    (void)st;
    struct obj_table *t = new_table(SAS_OBJECT_BASE, SAS_OBJECT_BASE + 8 * PG);
    struct obj_record r;
    struct obj_spec big = { .size = 9 * PG };
    assert_int_equal(obj_create(t, &big, &r), SAS_ENOSPACE);
    make(t, 4 * PG, 0);
    make(t, 4 * PG, 0);
    struct obj_spec one = { .size = 1 };
    assert_int_equal(obj_create(t, &one, &r), SAS_ENOSPACE);
    /* Alignment larger than what is left also fails cleanly. */
    struct obj_table *u = new_table(SAS_OBJECT_BASE + PG, SAS_OBJECT_BASE + 64 * PG);
    struct obj_spec al = { .size = PG, .align = 64 * PG };
    assert_int_equal(obj_create(u, &al, &r), SAS_ENOSPACE);
    assert_int_equal(obj_count(u), 0);
    obj_table_free(u);
    obj_table_free(t);
}

static void obj_find_inside_between_and_past_objects(void **st)
{
    (void)st;
    struct obj_table *t = new_table(SAS_OBJECT_BASE, SAS_OBJECT_END);
    struct obj_record a = make(t, 2 * PG, 0), b = make(t, PG, 1 << 16), r;
    assert_true(b.base > a.base + a.size);        /* a gap between them */
    assert_int_equal(obj_find(t, a.base, &r), SAS_OK);
    assert_int_equal(r.base, a.base);
    assert_int_equal(obj_find(t, a.base + a.size - 1, &r), SAS_OK);
    assert_int_equal(r.base, a.base);
    assert_int_equal(obj_find(t, a.base + a.size, &r), SAS_ENOTFOUND);
    assert_int_equal(obj_find(t, b.base - 1, &r), SAS_ENOTFOUND);
    assert_int_equal(obj_find(t, b.base + 5, &r), SAS_OK);
    assert_int_equal(r.base, b.base);
    assert_int_equal(obj_find(t, b.base + b.size, &r), SAS_ENOTFOUND);
    assert_int_equal(obj_find(t, SAS_OBJECT_END + PG, &r), SAS_ENOTFOUND);
    assert_int_equal(obj_find(t, SAS_OBJECT_BASE - 1, &r), SAS_ENOTFOUND);
    assert_int_equal(obj_find(t, 0, &r), SAS_ENOTFOUND);
    obj_table_free(t);
}

static void obj_delete_quarantines_until_retired(void **st)
{
    (void)st;
    struct obj_table *t = new_table(SAS_OBJECT_BASE, SAS_OBJECT_END);
    struct obj_record a = make(t, PG, 0), old, freed, r;
    make(t, PG, 0);
    assert_int_equal(obj_delete(t, a.base + PG / 2, NULL, NULL), SAS_ENOTFOUND);
    assert_int_equal(obj_delete(t, a.base, &old, &freed), SAS_OK);
    assert_int_equal(old.epoch, a.epoch);
    assert_true(freed.flags & OBJ_FREED);
    assert_true(freed.epoch > a.epoch);
    assert_int_equal(obj_find(t, a.base, &r), SAS_ENOTFOUND);
    assert_int_equal(obj_delete(t, a.base, NULL, NULL), SAS_ENOTFOUND);
    struct obj_record c = make(t, PG, 0);
    assert_true(c.base != a.base);                /* not reused while quarantined */
    assert_int_equal(obj_retire(t, freed.epoch - 1, NULL, NULL), 0);
    assert_int_equal(obj_quarantined(t), 1);
    assert_int_equal(obj_retire(t, freed.epoch, NULL, NULL), 1);
    struct obj_record d = make(t, PG, 0);
    assert_int_equal(d.base, a.base);             /* reused after retirement ... */
    assert_true(d.epoch > freed.epoch);           /* ... under a newer epoch */
    obj_table_free(t);
}

static void obj_resize_grows_in_place_or_fails(void **st)
{
    (void)st;
    struct obj_table *t = new_table(SAS_OBJECT_BASE, SAS_OBJECT_BASE + 16 * PG);
    struct obj_record a = make(t, PG, 0), b, r, f;
    assert_int_equal(obj_resize(t, a.base, 3 * PG, &r, NULL), SAS_OK);
    assert_int_equal(r.base, a.base);
    assert_int_equal(r.size, 3 * PG);
    b = make(t, PG, 0);
    assert_int_equal(b.base, a.base + 3 * PG);
    /* Collision with the next object: refused, nothing changed. */
    assert_int_equal(obj_resize(t, a.base, 4 * PG, &r, NULL), SAS_ENOGROW);
    assert_int_equal(obj_find(t, a.base + 2 * PG, &r), SAS_OK);
    assert_int_equal(r.size, 3 * PG);
    /* Past the end of the region. */
    assert_int_equal(obj_resize(t, b.base, 14 * PG, &r, NULL), SAS_ENOGROW);
    assert_int_equal(obj_resize(t, b.base, 13 * PG, &r, NULL), SAS_OK); /* up to the end */
    /* Shrinking quarantines the tail, so growing back into it is refused until retired. */
    assert_int_equal(obj_resize(t, a.base, PG, &r, &f), SAS_OK);
    assert_int_equal(f.base, a.base + PG);
    assert_int_equal(f.size, 2 * PG);
    assert_int_equal(obj_find(t, a.base + PG, &r), SAS_ENOTFOUND);
    assert_int_equal(obj_resize(t, a.base, 2 * PG, &r, NULL), SAS_ENOGROW);
    obj_retire(t, f.epoch, NULL, NULL);
    assert_int_equal(obj_resize(t, a.base, 3 * PG, &r, NULL), SAS_OK);
    assert_int_equal(obj_resize(t, a.base, 0, &r, NULL), SAS_EINVAL);
    assert_int_equal(obj_resize(t, a.base + PG, PG, &r, NULL), SAS_ENOTFOUND);
    obj_table_free(t);
}

static void obj_iteration_is_in_address_order(void **st)
{
    (void)st;
    struct obj_table *t = new_table(SAS_OBJECT_BASE, SAS_OBJECT_END);
    struct obj_record rs[40], r;
    for (int i = 0; i < 40; i++)
        rs[i] = make(t, (uint64_t)(i % 5 + 1) * PG, i % 7 == 0 ? 1 << 20 : 0);
    for (int i = 0; i < 40; i += 3)
        assert_int_equal(obj_delete(t, rs[i].base, NULL, NULL), SAS_OK);
    size_t n = 0;
    uint64_t last = 0;
    for (enum sas_error e = obj_first(t, &r); !e; e = obj_next(t, r.base, &r)) {
        assert_true(r.base >= last);
        last = r.base + r.size;
        n++;
    }
    assert_int_equal(n, obj_count(t));
    assert_int_equal(n, 40 - 14);
    obj_table_free(t);
}

static void obj_restore_rebuilds_table_and_rejects_overlaps(void **st)
{
    (void)st;
    struct obj_table *t = new_table(SAS_OBJECT_BASE, SAS_OBJECT_END), *u;
    struct obj_record a = make(t, 2 * PG, 0), b = make(t, PG, 0), fa, r;
    assert_int_equal(obj_delete(t, a.base, NULL, &fa), SAS_OK);
    u = new_table(SAS_OBJECT_BASE, SAS_OBJECT_END);
    assert_int_equal(obj_restore(u, &b), SAS_OK);
    assert_int_equal(obj_restore(u, &fa), SAS_OK);
    assert_int_equal(obj_restore(u, &b), SAS_EEXIST);
    struct obj_record bad = b;
    bad.base += PG / 2;
    assert_int_equal(obj_restore(u, &bad), SAS_EINVAL);
    bad = b;
    bad.base = SAS_OBJECT_END;
    assert_int_equal(obj_restore(u, &bad), SAS_EINVAL);
    assert_int_equal(obj_next_epoch(u), obj_next_epoch(t));
    assert_int_equal(obj_quarantined(u), 1);
    struct obj_record c = make(u, PG, 0);          /* quarantine survives the restore */
    assert_true(c.base != a.base && c.base != a.base + PG);
    assert_int_equal(obj_find(u, b.base, &r), SAS_OK);
    assert_int_equal(r.epoch, b.epoch);
    obj_table_free(u);
    obj_table_free(t);
}

static void obj_encode_round_trips_and_decode_rejects_damage(void **st)
{
    (void)st;
    struct obj_record r, d;
    uint8_t buf[OBJ_RECORD_BYTES];
    r = (struct obj_record){ .base = SAS_OBJECT_BASE, .size = PG, .flags = OBJ_PERSISTENT,
                             .owner = 1, .epoch = 0x123456789ull, .ctime = 5, .account = 9,
                             .label = "hello" };
    obj_encode(&r, buf);
    assert_int_equal(obj_decode(buf, sizeof buf, &d), SAS_OK);
    assert_int_equal(d.base, r.base);
    assert_int_equal(d.size, r.size);
    assert_int_equal(d.flags, r.flags);
    assert_int_equal(d.owner, r.owner);
    assert_int_equal(d.epoch, r.epoch);
    assert_int_equal(d.ctime, r.ctime);
    assert_int_equal(d.account, r.account);
    assert_memory_equal(d.label, r.label, OBJ_LABEL_MAX);
    assert_int_equal(obj_decode(buf, sizeof buf - 1, &d), SAS_ESTORE_CORRUPT);
    buf[0] = 2;
    assert_int_equal(obj_decode(buf, sizeof buf, &d), SAS_ESTORE_CORRUPT);
    buf[0] = 1;
    memset(buf + 56, 'x', OBJ_LABEL_MAX);
    assert_int_equal(obj_decode(buf, sizeof buf, &d), SAS_ESTORE_CORRUPT);
}

/* Compare with a brute-force model over many random creates, deletes and resizes. */
#define MODEL_N 600
static void obj_table_agrees_with_brute_force_model(void **st)
{
    (void)st;
    struct obj_table *t = new_table(SAS_OBJECT_BASE, SAS_OBJECT_BASE + 4096 * PG);
    struct obj_record live[MODEL_N], r;
    int n = 0;
    srand(42);
    for (int step = 0; step < 6000; step++) {
        int op = rand() % 4;
        if ((op < 2 || n == 0) && n < MODEL_N) {
            struct obj_spec s = { .size = (uint64_t)(rand() % 8 + 1) * PG,
                                  .align = rand() % 5 == 0 ? 8 * PG : 0 };
            enum sas_error e = obj_create(t, &s, &r);
            assert_true(e == SAS_OK || e == SAS_ENOSPACE);
            if (!e) {
                for (int i = 0; i < n; i++)  /* no overlap with any live object */
                    assert_true(r.base >= live[i].base + live[i].size ||
                                live[i].base >= r.base + r.size);
                assert_int_equal(r.base % (s.align ? s.align : PG), 0);
                live[n++] = r;
            }
        } else if (op == 2) {
            int i = rand() % n;
            assert_int_equal(obj_delete(t, live[i].base, NULL, NULL), SAS_OK);
            live[i] = live[--n];
        } else if (op == 3 && n) {
            int i = rand() % n;
            if (obj_resize(t, live[i].base, (uint64_t)(rand() % 8 + 1) * PG, &r, NULL) == 0)
                live[i] = r;
        }
        if (step % 500 == 499)
            obj_retire(t, obj_next_epoch(t), NULL, NULL);
        uint64_t probe = SAS_OBJECT_BASE + (uint64_t)(rand() % (4096 * 4)) * (PG / 4);
        int want = -1;
        for (int i = 0; i < n; i++)
            if (probe >= live[i].base && probe < live[i].base + live[i].size)
                want = i;
        enum sas_error e = obj_find(t, probe, &r);
        assert_int_equal(e, want < 0 ? SAS_ENOTFOUND : SAS_OK);
        if (want >= 0)
            assert_int_equal(r.base, live[want].base);
    }
    assert_int_equal(obj_count(t), n);
    obj_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(obj_create_places_first_object_at_region_base),
        cmocka_unit_test(obj_create_honours_power_of_two_alignment),
        cmocka_unit_test(obj_create_rejects_malformed_specs),
        cmocka_unit_test(obj_create_reports_exhausted_region),
        cmocka_unit_test(obj_find_inside_between_and_past_objects),
        cmocka_unit_test(obj_delete_quarantines_until_retired),
        cmocka_unit_test(obj_resize_grows_in_place_or_fails),
        cmocka_unit_test(obj_iteration_is_in_address_order),
        cmocka_unit_test(obj_restore_rebuilds_table_and_rejects_overlaps),
        cmocka_unit_test(obj_encode_round_trips_and_decode_rejects_damage),
        cmocka_unit_test(obj_table_agrees_with_brute_force_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
