/*
 * guest.c — a root task that ends wrongly on purpose, for the test of the QEMU test runner
 * (run-harness). "suite=" on the kernel command line picks how it ends:
 *   good        one passing check, the sentinel, the success code: the positive control
 *   nosentinel  one passing check and the success code, but no sentinel line
 *   hang        one passing check, then it never ends
 * Any other suite is a failed check. Output and exit codes as tests/qemu/run-qemu-test reads.
 */
#include <native/rt.h>
#include <l4/kdebug.h>

#define EXIT_PASS 0x10u
#define EXIT_FAIL 0x11u

static int is(const char *suite, const char *name)
{
    return !strncmp(suite, name, strlen(name) + 1);
}

int main(void)
{
    char suite[16] = "";
    rt_cmdline_get("suite", suite, sizeof(suite));
    if (!is(suite, "good") && !is(suite, "nosentinel") && !is(suite, "hang")) {
        printf("not ok 1 - harness.guest: unknown suite '%s'\n", suite);
        printf("ELLFOUR-KTEST-DONE tests=1 failed=1\n");
        l4_kdb_exit(EXIT_FAIL);
        return 1;
    }
    printf("ok 1 - harness.guest ran (suite %s)\n", suite);
    if (is(suite, "hang"))
        for (;;)
            l4_thread_switch(L4_NILTHREAD);
    if (is(suite, "good"))
        printf("ELLFOUR-KTEST-DONE tests=1 failed=0\n");
    l4_kdb_exit(EXIT_PASS);
    return 0;
}
