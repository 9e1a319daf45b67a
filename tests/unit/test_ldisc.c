/*
 * test_ldisc.c — the console's line discipline (sasos/console/ldisc.c) on the host: lines
 * typed become records a reader takes whole, and what a reader took but never got (its task
 * deleted while it waited) goes back in front for the next reader (ldisc_untake).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "console.h"

static void no_echo(uint8_t c, void *arg)
{
    (void)c, (void)arg;
}

static void type(struct ldisc *ld, const char *s)
{
    for (; *s; s++)
        ldisc_input(ld, (uint8_t)*s);
}

/* Takes the next record as a string ("" for an end of file); 0 if none. */
static int take(struct ldisc *ld, char *out, unsigned max)
{
    unsigned n;
    if (!ldisc_take(ld, (uint8_t *)out, max, &n))
        return 0;
    out[n] = 0;
    return 1;
}

static void ldisc_take_gives_one_line_per_read(void **state)
{
    (void)state;
    struct ldisc ld;
    char buf[64];
    ldisc_init(&ld, no_echo, 0);
    type(&ld, "one\ntwo\n");
    assert_true(take(&ld, buf, sizeof(buf) - 1));
    assert_string_equal(buf, "one\n");
    assert_true(take(&ld, buf, sizeof(buf) - 1));
    assert_string_equal(buf, "two\n");
    assert_false(take(&ld, buf, sizeof(buf) - 1));
}

static void ldisc_untake_puts_a_line_back_in_front(void **state)
{
    (void)state;
    struct ldisc ld;
    char buf[64];
    ldisc_init(&ld, no_echo, 0);
    type(&ld, "ps\nhelp\n");
    assert_true(take(&ld, buf, sizeof(buf) - 1));
    assert_int_equal(ldisc_untake(&ld, (const uint8_t *)buf, (unsigned)strlen(buf)), 1);
    assert_true(take(&ld, buf, sizeof(buf) - 1));
    assert_string_equal(buf, "ps\n");
    assert_true(take(&ld, buf, sizeof(buf) - 1));
    assert_string_equal(buf, "help\n");
    assert_int_equal(ld.count, 0);
}

static void ldisc_untake_keeps_an_end_of_file(void **state)
{
    (void)state;
    struct ldisc ld;
    char buf[64];
    ldisc_init(&ld, no_echo, 0);
    type(&ld, "\004");
    assert_true(take(&ld, buf, sizeof(buf) - 1));
    assert_string_equal(buf, "");
    assert_false(take(&ld, buf, sizeof(buf) - 1));
    assert_int_equal(ldisc_untake(&ld, (const uint8_t *)"", 0), 1);
    assert_true(take(&ld, buf, sizeof(buf) - 1));
    assert_string_equal(buf, "");
}

static void ldisc_untake_wraps_around_the_ring(void **state)
{
    (void)state;
    struct ldisc ld;
    char buf[64];
    ldisc_init(&ld, no_echo, 0);
    type(&ld, "a\n");                         /* 2 bytes in: a longer line put back wraps */
    assert_true(take(&ld, buf, sizeof(buf) - 1));
    assert_int_equal(ldisc_untake(&ld, (const uint8_t *)"wxyz\n", 5), 1);
    assert_int_equal(ld.head, LDISC_RING - 3);
    type(&ld, "next\n");
    assert_true(take(&ld, buf, sizeof(buf) - 1));
    assert_string_equal(buf, "wxyz\n");
    assert_true(take(&ld, buf, sizeof(buf) - 1));
    assert_string_equal(buf, "next\n");
}

static void ldisc_untake_refuses_when_full(void **state)
{
    (void)state;
    struct ldisc ld;
    char buf[8];
    ldisc_init(&ld, no_echo, 0);
    for (unsigned i = 0; i < LDISC_RECORDS; i++)
        type(&ld, "x\n");
    assert_int_equal(ldisc_untake(&ld, (const uint8_t *)"y\n", 2), 0);
    assert_true(take(&ld, buf, sizeof(buf) - 1));
    assert_string_equal(buf, "x\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ldisc_take_gives_one_line_per_read),
        cmocka_unit_test(ldisc_untake_puts_a_line_back_in_front),
        cmocka_unit_test(ldisc_untake_keeps_an_end_of_file),
        cmocka_unit_test(ldisc_untake_wraps_around_the_ring),
        cmocka_unit_test(ldisc_untake_refuses_when_full),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
