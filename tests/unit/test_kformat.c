/*
 * test_kformat.c — the printf engine of the kernel and native programs (lib/kformat.c) on
 * the host: %s %c %d %i %u %x %p with 'l'/'ll'/'z', widths and zero padding, negative numbers and
 * the extremes of every integer size, unknown conversions, and that the returned count
 * always equals the characters produced. Built with UBSan, so a signed overflow inside
 * kformat (negating INT64_MIN) fails the test even when the output happens to be right.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <ell/kformat.h>

struct sink {
    char buf[256];
    size_t n;
};

static void put(int c, void *arg)
{
    struct sink *s = arg;
    assert_true(s->n < sizeof(s->buf) - 1);
    s->buf[s->n++] = (char)c;
}

static struct sink out;
static int ret;

/* Formats into `out` (NUL-terminated for comparison) and keeps kformat's count. */
static void fmt(const char *f, ...)
{
    va_list ap;
    memset(&out, 0, sizeof(out));
    va_start(ap, f);
    ret = kformat(put, &out, f, ap);
    va_end(ap);
}

#define EXPECT(want, ...)                                   \
    do {                                                    \
        fmt(__VA_ARGS__);                                   \
        assert_string_equal(out.buf, want);                 \
        assert_int_equal(ret, (int)strlen(want));           \
        assert_int_equal(out.n, strlen(want));              \
    } while (0)

static void kformat_copies_plain_text_and_percent(void **st)
{
    (void)st;
    EXPECT("", "");
    EXPECT("hello, kernel", "hello, kernel");
    EXPECT("100%", "100%%");
    EXPECT("%%", "%%%%");
}

static void kformat_s_prints_strings_and_null(void **st)
{
    (void)st;
    EXPECT("a root b", "a %s b", "root");
    EXPECT("[]", "[%s]", "");
    EXPECT("(null)", "%s", (char *)NULL);
    EXPECT("xy", "%s%s", "x", "y");
}

static void kformat_c_prints_one_char(void **st)
{
    (void)st;
    EXPECT("A", "%c", 'A');
    EXPECT("<*>", "<%c>", '*');
    EXPECT("ab", "%c%c", 'a', 'b');
}

static void kformat_d_prints_signed_int(void **st)
{
    (void)st;
    EXPECT("0", "%d", 0);
    EXPECT("42", "%d", 42);
    EXPECT("-42", "%d", -42);
    EXPECT("-1", "%i", -1);
    EXPECT("2147483647", "%d", INT32_MAX);
    EXPECT("-2147483648", "%d", INT32_MIN);
}

static void kformat_ld_prints_signed_64(void **st)
{
    (void)st;
    EXPECT("9223372036854775807", "%ld", INT64_MAX);
    EXPECT("-9223372036854775807", "%ld", -INT64_MAX);
    EXPECT("-1", "%lld", (long long)-1);
    EXPECT("-4294967296", "%ld", -4294967296L);
    EXPECT("-9223372036854775808", "%ld", INT64_MIN);
}

static void kformat_u_prints_unsigned(void **st)
{
    (void)st;
    EXPECT("0", "%u", 0u);
    EXPECT("4294967295", "%u", UINT32_MAX);
    EXPECT("18446744073709551615", "%lu", UINT64_MAX);
    EXPECT("12345", "%zu", (size_t)12345);
    EXPECT("4294967296", "%llu", 4294967296ULL);
}

static void kformat_x_prints_lowercase_hex(void **st)
{
    (void)st;
    EXPECT("0", "%x", 0u);
    EXPECT("deadbeef", "%x", 0xdeadbeefu);
    EXPECT("ffffffff", "%x", -1);                    /* an int, read as unsigned */
    EXPECT("ffffffffffffffff", "%lx", UINT64_MAX);
    EXPECT("100000000", "%lx", 0x100000000UL);
    EXPECT("abc", "%zx", (size_t)0xabc);
}

/* Without 'l' only 32 bits are taken: the upper half of a wider argument is ignored. */
static void kformat_x_without_l_reads_32_bits(void **st)
{
    (void)st;
    EXPECT("1 2", "%x %x", 1u, 2u);
    EXPECT("ffffffff 7", "%x %lx", 0xffffffffu, 7UL);
}

static void kformat_p_prints_0x_and_16_digits(void **st)
{
    (void)st;
    EXPECT("0x0000000000000000", "%p", (void *)0);
    EXPECT("0x0000000000001234", "%p", (void *)0x1234);
    EXPECT("0xffffffff80000000", "%p", (void *)0xffffffff80000000UL);
}

static void kformat_width_pads_with_spaces(void **st)
{
    (void)st;
    EXPECT("   42", "%5d", 42);
    EXPECT("    7", "%5u", 7u);
    EXPECT("  ff", "%4x", 0xffu);
    EXPECT("42", "%2d", 42);                         /* exactly the width */
    EXPECT("123456", "%3d", 123456);                 /* wider than the width: whole */
    EXPECT("    0", "%5x", 0u);
}

static void kformat_zero_flag_pads_with_zeros(void **st)
{
    (void)st;
    EXPECT("00042", "%05d", 42);
    EXPECT("00000000deadbeef", "%016lx", 0xdeadbeefUL);
    EXPECT("0000000000000000", "%016lx", 0UL);
    EXPECT("07", "%02u", 7u);
    EXPECT("ffffffffffffffff", "%08lx", UINT64_MAX);
    EXPECT("[000a]", "[%04x]", 10u);
}

static void kformat_wide_width_is_not_truncated(void **st)
{
    (void)st;
    fmt("%040lx", 1UL);
    assert_int_equal(ret, 40);
    assert_int_equal(strlen(out.buf), 40);
    assert_memory_equal(out.buf, "0000000000000000000000000000000000000001", 40);
}

/* The sign belongs inside the width, next to the digits, as in C's printf. */
static void kformat_negative_with_width_keeps_sign_with_digits(void **st)
{
    (void)st;
    EXPECT("  -42", "%5d", -42);
    EXPECT("-0042", "%05d", -42);
    EXPECT("-42", "%3d", -42);
    EXPECT("-9223372036854775808", "%5ld", INT64_MIN);
}

/* A lone '%' at the end is printed as itself, and nothing after it (no NUL byte). */
static void kformat_trailing_percent_prints_only_percent(void **st)
{
    (void)st;
    EXPECT("50%", "50%");
    EXPECT("%", "%");
}

static void kformat_unknown_conversion_is_echoed(void **st)
{
    (void)st;
    EXPECT("%q", "%q");
    EXPECT("a %y b", "a %y b");
    EXPECT("%q 5", "%q %d", 5);                      /* consumes no argument */
}

static void kformat_mixed_line_like_a_log(void **st)
{
    (void)st;
    EXPECT("thread 80080 stopped: page fault at rip 401000 (error 4, address 0)",
           "thread %lx stopped: %s at rip %lx (error %lx, address %lx)",
           0x80080UL, "page fault", 0x401000UL, 4UL, 0UL);
    EXPECT("memory: 255 MiB, pool 32768 KiB, '-3'",
           "memory: %lu MiB, pool %u KiB, '%d'", 255UL, 32768u, -3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kformat_copies_plain_text_and_percent),
        cmocka_unit_test(kformat_s_prints_strings_and_null),
        cmocka_unit_test(kformat_c_prints_one_char),
        cmocka_unit_test(kformat_d_prints_signed_int),
        cmocka_unit_test(kformat_ld_prints_signed_64),
        cmocka_unit_test(kformat_u_prints_unsigned),
        cmocka_unit_test(kformat_x_prints_lowercase_hex),
        cmocka_unit_test(kformat_x_without_l_reads_32_bits),
        cmocka_unit_test(kformat_p_prints_0x_and_16_digits),
        cmocka_unit_test(kformat_width_pads_with_spaces),
        cmocka_unit_test(kformat_zero_flag_pads_with_zeros),
        cmocka_unit_test(kformat_wide_width_is_not_truncated),
        cmocka_unit_test(kformat_negative_with_width_keeps_sign_with_digits),
        cmocka_unit_test(kformat_trailing_percent_prints_only_percent),
        cmocka_unit_test(kformat_unknown_conversion_is_echoed),
        cmocka_unit_test(kformat_mixed_line_like_a_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
