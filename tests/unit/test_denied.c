/*
 * test_denied.c — how a refused access to an object is said (sas/denied.h): one phrase per
 * capstore reason, the denied right named for CAP_DENY_RIGHTS, the access's opening words,
 * and the line the posix personality ends a program with, assembled as objects.c does.
 * The header repeats capstore's numbers (enum cap_reason, CAP_R_*) so freestanding code
 * need not include capstore: the first test pins them to capstore's own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <capstore/capstore.h>
#include <sas/denied.h>

static void denied_numbers_are_capstores(void **state)
{
    (void)state;
    assert_int_equal(SAS_DENIED_NO_CAP, CAP_DENY_NO_CAP);
    assert_int_equal(SAS_DENIED_RANGE, CAP_DENY_RANGE);
    assert_int_equal(SAS_DENIED_RIGHTS, CAP_DENY_RIGHTS);
    assert_int_equal(SAS_DENIED_EXPIRED, CAP_DENY_EXPIRED);
    assert_int_equal(SAS_DENIED_REVOKED, CAP_DENY_REVOKED);
    assert_int_equal(SAS_DENIED_FORGED, CAP_DENY_FORGED);
    assert_int_equal(SAS_DENIED_READ, CAP_R_READ);
    assert_int_equal(SAS_DENIED_WRITE, CAP_R_WRITE);
    assert_int_equal(SAS_DENIED_EXEC, CAP_R_EXEC);
}

static void denied_phrase_per_reason(void **state)
{
    (void)state;
    assert_string_equal(sas_denied_phrase(CAP_DENY_NO_CAP, CAP_R_READ),
                        "no capability for the object");
    assert_string_equal(sas_denied_phrase(CAP_DENY_RANGE, CAP_R_WRITE),
                        "no capability covers the page");
    assert_string_equal(sas_denied_phrase(CAP_DENY_EXPIRED, CAP_R_READ), "capability expired");
    assert_string_equal(sas_denied_phrase(CAP_DENY_REVOKED, CAP_R_READ), "capability revoked");
    assert_string_equal(sas_denied_phrase(CAP_DENY_FORGED, CAP_R_EXEC),
                        "capability does not verify");
}

static void denied_rights_names_the_right(void **state)
{
    (void)state;
    assert_string_equal(sas_denied_phrase(CAP_DENY_RIGHTS, CAP_R_READ),
                        "no capability with read right");
    assert_string_equal(sas_denied_phrase(CAP_DENY_RIGHTS, CAP_R_WRITE),
                        "no capability with write right");
    assert_string_equal(sas_denied_phrase(CAP_DENY_RIGHTS, CAP_R_EXEC),
                        "no capability with execute right");
    /* A write fault may carry read too: the write is what was refused. */
    assert_string_equal(sas_denied_phrase(CAP_DENY_RIGHTS, CAP_R_READ | CAP_R_WRITE),
                        "no capability with write right");
    assert_string_equal(sas_denied_phrase(CAP_DENY_RIGHTS, CAP_R_READ | CAP_R_EXEC),
                        "no capability with execute right");
}

static void denied_unknown_reason_still_says_something(void **state)
{
    (void)state;
    assert_string_equal(sas_denied_phrase(CAP_ALLOWED, CAP_R_READ),
                        "capability check refused the access");
    assert_string_equal(sas_denied_phrase(200, CAP_R_WRITE),
                        "capability check refused the access");
}

static void denied_access_phrase(void **state)
{
    (void)state;
    assert_string_equal(sas_access_phrase(CAP_R_READ), "read from");
    assert_string_equal(sas_access_phrase(CAP_R_WRITE), "write to");
    assert_string_equal(sas_access_phrase(CAP_R_READ | CAP_R_WRITE), "write to");
    assert_string_equal(sas_access_phrase(CAP_R_EXEC), "execute at");
    assert_string_equal(sas_access_phrase(0), "read from");
}

/* The issue's example line, made as sasos/posix/objects.c makes it. */
static void denied_line_as_the_issue_writes_it(void **state)
{
    (void)state;
    char line[128];
    uint64_t va = 0x100000003000ULL;
    snprintf(line, sizeof(line), "%s 0x%lx denied: %s", sas_access_phrase(CAP_R_WRITE),
             (unsigned long)va, sas_denied_phrase(CAP_DENY_RIGHTS, CAP_R_WRITE));
    assert_string_equal(line, "write to 0x100000003000 denied: no capability with write right");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(denied_numbers_are_capstores),
        cmocka_unit_test(denied_phrase_per_reason),
        cmocka_unit_test(denied_rights_names_the_right),
        cmocka_unit_test(denied_unknown_reason_still_says_something),
        cmocka_unit_test(denied_access_phrase),
        cmocka_unit_test(denied_line_as_the_issue_writes_it),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
