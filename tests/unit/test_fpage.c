/*
 * test_fpage.c — the pure flexpage helpers of l4/fpage.h on the host: packing and unpacking
 * base, size and rights; l4_fpage_valid at every edge (sizes 11/12/47/48, bit 3 and bits
 * 10..11, misalignment by one page, the end of the user half); and the two A/D bits per
 * page that fpage_unmap leaves in the UTCB, at word boundaries; l4_iofpage_valid at every
 * size 0..16 (the whole 64 Ki ports included) and what it must refuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <l4/fpage.h>

static void fpage_packs_base_log2_and_rights(void **st)
{
    (void)st;
    l4_fpage_t f = l4_fpage(0x2000000, 21, L4_FPAGE_RW);
    assert_int_equal(l4_fpage_base(f), 0x2000000);
    assert_int_equal(l4_fpage_log2(f), 21);
    assert_int_equal(l4_fpage_rights(f), L4_FPAGE_RW);
    assert_int_equal(l4_fpage_size(f), 1ULL << 21);
}

static void fpage_drops_offset_bits_and_extra_rights(void **st)
{
    (void)st;
    l4_fpage_t f = l4_fpage(0x12345fff, 12, 0xff);
    assert_int_equal(l4_fpage_base(f), 0x12345000);
    assert_int_equal(l4_fpage_rights(f), L4_FPAGE_RWX);
    assert_int_equal(f & L4_ITEM_GRANT, 0);
    assert_int_equal(l4_fpage_log2(l4_fpage(0, 64 + 12, 0)), 12);  /* six bits of size */
}

static void fpage_whole_is_the_user_half(void **st)
{
    (void)st;
    assert_true(l4_fpage_valid(L4_FPAGE_WHOLE));
    assert_int_equal(l4_fpage_base(L4_FPAGE_WHOLE), 0);
    assert_int_equal(l4_fpage_size(L4_FPAGE_WHOLE), L4_USER_END);
    assert_false(l4_fpage_valid(L4_FPAGE_NIL));
}

static void fpage_valid_size_edges(void **st)
{
    (void)st;
    assert_false(l4_fpage_valid(l4_fpage(0, 11, 0)));
    assert_true(l4_fpage_valid(l4_fpage(0, 12, 0)));
    assert_true(l4_fpage_valid(l4_fpage(0, 47, L4_FPAGE_RWX)));
    assert_false(l4_fpage_valid(l4_fpage(0, 48, 0)));
    assert_false(l4_fpage_valid(l4_fpage(0, 63, 0)));
}

static void fpage_valid_rejects_grant_and_reserved_bits(void **st)
{
    (void)st;
    l4_fpage_t f = l4_fpage(0x1000, 12, L4_FPAGE_R);
    assert_true(l4_fpage_valid(f));
    assert_false(l4_fpage_valid(f | L4_ITEM_GRANT));
    assert_false(l4_fpage_valid(f | 0x400));
    assert_false(l4_fpage_valid(f | 0x800));
}

static void fpage_valid_requires_natural_alignment(void **st)
{
    (void)st;
    assert_true(l4_fpage_valid(l4_fpage(0x200000, 21, 0)));
    assert_false(l4_fpage_valid(l4_fpage(0x201000, 21, 0)));
    assert_false(l4_fpage_valid(l4_fpage(0x100000, 21, 0)));
    assert_true(l4_fpage_valid(l4_fpage(0x1000, 12, 0)));
}

static void fpage_valid_stays_in_the_user_half(void **st)
{
    (void)st;
    assert_true(l4_fpage_valid(l4_fpage(L4_USER_END - 0x1000, 12, 0)));
    assert_true(l4_fpage_valid(l4_fpage(L4_USER_END / 2, 46, 0)));
    assert_false(l4_fpage_valid(l4_fpage(L4_USER_END, 12, 0)));
    assert_false(l4_fpage_valid(l4_fpage(L4_USER_END / 2, 47, 0)));   /* misaligned too */
    assert_false(l4_fpage_valid(l4_fpage(0xffff800000000000ULL, 12, 0)));
    assert_false(l4_fpage_valid(l4_fpage(~0xfffULL, 12, 0)));
}

static void unmap_ad_bits_are_two_per_page(void **st)
{
    (void)st;
    uint64_t bits[64] = { 0 };
    bits[0] = 0x1;                       /* page 0: accessed */
    bits[0] |= 0x2ULL << 62;             /* page 31: dirty only */
    bits[1] = 0x3;                       /* page 32: both */
    bits[63] = 0x3ULL << 62;             /* page 2047: both, the last one */
    assert_true(l4_unmap_accessed(bits, 0));
    assert_false(l4_unmap_dirty(bits, 0));
    assert_false(l4_unmap_accessed(bits, 31));
    assert_true(l4_unmap_dirty(bits, 31));
    assert_true(l4_unmap_accessed(bits, 32));
    assert_true(l4_unmap_dirty(bits, 32));
    assert_false(l4_unmap_accessed(bits, 33));
    assert_true(l4_unmap_accessed(bits, L4_UNMAP_MAX_PAGES - 1));
    assert_true(l4_unmap_dirty(bits, L4_UNMAP_MAX_PAGES - 1));
    assert_false(l4_unmap_dirty(bits, L4_UNMAP_MAX_PAGES - 2));
}

static void iofpage_valid_at_every_size(void **st)
{
    (void)st;
    for (unsigned s = 0; s <= 16; s++) {
        unsigned last = L4_IO_PORTS - (1u << s);          /* the highest aligned block */
        assert_true(l4_iofpage_valid(l4_iofpage(0, s)));
        assert_true(l4_iofpage_valid(l4_iofpage(last, s)));
        assert_true(l4_iofpage_valid(l4_iofpage(0, s) | L4_FPAGE_RWX));   /* rights: fine */
        assert_int_equal(l4_iofpage_port(l4_iofpage(last, s)), last);
    }
}

static void iofpage_of_all_65536_ports_is_valid(void **st)
{
    (void)st;
    l4_fpage_t all = l4_iofpage(0, 16);
    assert_true(l4_fpage_is_io(all));
    assert_true(l4_iofpage_valid(all));
    assert_int_equal(l4_iofpage_port(all), 0);
    assert_int_equal(1u << l4_fpage_log2(all), L4_IO_PORTS);
    assert_false(l4_fpage_valid(all));                   /* not a memory flexpage */
}

static void iofpage_valid_rejects_size_alignment_and_stray_bits(void **st)
{
    (void)st;
    assert_false(l4_iofpage_valid(l4_iofpage(0, 17)));
    assert_false(l4_iofpage_valid(l4_iofpage(0, 63)));
    assert_false(l4_iofpage_valid(l4_iofpage(0x100, 16)));   /* misaligned whole space */
    assert_false(l4_iofpage_valid(l4_iofpage(1, 1)));
    assert_false(l4_iofpage_valid(l4_iofpage(0x80, 8)));
    assert_false(l4_iofpage_valid(l4_iofpage(0, 16) | L4_ITEM_GRANT));
    assert_false(l4_iofpage_valid(l4_iofpage(0, 4) | L4_ITEM_GRANT));
    assert_false(l4_iofpage_valid(l4_iofpage(0, 16) | L4_FPAGE_IRQ));   /* bits 10 and 11 */
    assert_false(l4_iofpage_valid(l4_iofpage(0, 16) | (1ULL << 28)));   /* above the port */
    assert_false(l4_iofpage_valid(l4_iofpage(0, 0) | (1ULL << 63)));
    assert_false(l4_iofpage_valid(l4_fpage(0, 16, 0)));      /* no I/O bit */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fpage_packs_base_log2_and_rights),
        cmocka_unit_test(fpage_drops_offset_bits_and_extra_rights),
        cmocka_unit_test(fpage_whole_is_the_user_half),
        cmocka_unit_test(fpage_valid_size_edges),
        cmocka_unit_test(fpage_valid_rejects_grant_and_reserved_bits),
        cmocka_unit_test(fpage_valid_requires_natural_alignment),
        cmocka_unit_test(fpage_valid_stays_in_the_user_half),
        cmocka_unit_test(unmap_ad_bits_are_two_per_page),
        cmocka_unit_test(iofpage_valid_at_every_size),
        cmocka_unit_test(iofpage_of_all_65536_ports_is_valid),
        cmocka_unit_test(iofpage_valid_rejects_size_alignment_and_stray_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
