/*
 * test_slottab.c — root's program slots (sasos/root/slottab.h) and the domain names it
 * accepts (domname.h) on the host: a program's first instance gets its home slot, every
 * further one an extra slot from the top down that is never handed out again and never
 * reaches the archive's home slots; running out is -1; a start that never ran can be undone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <capstore/capstore.h>
#include "domname.h"
#include "slottab.h"

_Static_assert(ROOT_DOMAIN_NAME_MAX == CAP_DOMAIN_NAME_MAX, "root and capstore agree");

#define TOP (SAS_PROGRAM_SLOTS - 1)

static struct slottab t;

static int setup(void **state)
{
    (void)state;
    slottab_init(&t);
    for (unsigned s = 0; s <= 40; s += 5)
        assert_int_equal(slottab_home(&t, s), 0);
    return 0;
}

static void slottab_first_instance_gets_its_home_slot(void **s)
{
    (void)s;
    assert_int_equal(slottab_take(&t, 7), 7);
    assert_int_equal(slottab_take(&t, 0), 0);
    assert_int_equal(slottab_take(&t, 40), 40);
}

static void slottab_further_instances_get_extra_slots_from_the_top(void **s)
{
    (void)s;
    assert_int_equal(slottab_take(&t, 5), 5);
    assert_int_equal(slottab_take(&t, 5), TOP);
    assert_int_equal(slottab_take(&t, 5), TOP - 1);
    assert_int_equal(slottab_take(&t, 10), 10);
    assert_int_equal(slottab_take(&t, 10), TOP - 2);
}

static void slottab_never_hands_an_extra_slot_out_twice(void **s)
{
    (void)s;
    uint8_t seen[SAS_PROGRAM_SLOTS] = { 0 };
    int slot;
    assert_int_equal(slottab_take(&t, 5), 5);   /* the first instance, long ended */
    while ((slot = slottab_take(&t, 5)) >= 0) {
        assert_true(slot > 40);                 /* above every home slot */
        assert_int_equal(seen[slot]++, 0);
    }
    assert_int_equal(slottab_extras_left(&t), 0);
    assert_int_equal(seen[41], 1);
    assert_int_equal(seen[TOP], 1);
}

static void slottab_refuses_when_extra_slots_run_out(void **s)
{
    (void)s;
    assert_int_equal(slottab_extras_left(&t), SAS_PROGRAM_SLOTS - 41);
    assert_int_equal(slottab_take(&t, 20), 20);       /* the home slot, then extras */
    for (unsigned i = 0; i < SAS_PROGRAM_SLOTS - 41; i++)
        assert_int_equal(slottab_take(&t, 20), (int)(TOP - i));
    assert_int_equal(slottab_take(&t, 20), -1);
    assert_int_equal(slottab_take(&t, 25), 25);       /* a first instance still starts */
    assert_int_equal(slottab_take(&t, 25), -1);
}

static void slottab_untake_gives_back_only_what_never_ran(void **s)
{
    (void)s;
    assert_int_equal(slottab_take(&t, 15), 15);
    slottab_untake(&t, 15, 15);
    assert_int_equal(slottab_take(&t, 15), 15);       /* still the first instance's */
    assert_int_equal(slottab_take(&t, 15), TOP);
    slottab_untake(&t, 15, TOP);
    assert_int_equal(slottab_take(&t, 15), TOP);
    assert_int_equal(slottab_take(&t, 15), TOP - 1);
}

static void slottab_rejects_slots_out_of_range(void **s)
{
    (void)s;
    assert_int_equal(slottab_home(&t, SAS_PROGRAM_SLOTS), -1);
    assert_int_equal(slottab_take(&t, SAS_PROGRAM_SLOTS), -1);
    assert_int_equal(slottab_take(&t, 5), 5);
    assert_int_equal(slottab_take(&t, 5), TOP);
    /* A home slot the archive scan missed, already an extra instance's: refused. */
    assert_int_equal(slottab_take(&t, TOP), -1);
    /* One it missed below the extras raises the floor above it. */
    assert_int_equal(slottab_take(&t, 100), 100);
    for (int slot; (slot = slottab_take(&t, 5)) >= 0;)
        assert_true(slot > 100);
}

static void domain_name_ok_follows_capstore(void **s)
{
    (void)s;
    assert_true(domain_name_ok("bob"));
    assert_true(domain_name_ok("A-z_0.9"));
    assert_true(domain_name_ok("1234567890123456789012345678901"));    /* 31 bytes */
    assert_false(domain_name_ok("12345678901234567890123456789012"));  /* 32 */
    assert_false(domain_name_ok(""));
    assert_false(domain_name_ok("bob/x"));
    assert_false(domain_name_ok("bob x"));
    assert_false(domain_name_ok("b\xc3\xa9"));
    assert_false(domain_name_ok("bob:"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(slottab_first_instance_gets_its_home_slot, setup),
        cmocka_unit_test_setup(slottab_further_instances_get_extra_slots_from_the_top, setup),
        cmocka_unit_test_setup(slottab_never_hands_an_extra_slot_out_twice, setup),
        cmocka_unit_test_setup(slottab_refuses_when_extra_slots_run_out, setup),
        cmocka_unit_test_setup(slottab_untake_gives_back_only_what_never_ran, setup),
        cmocka_unit_test_setup(slottab_rejects_slots_out_of_range, setup),
        cmocka_unit_test(domain_name_ok_follows_capstore),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
