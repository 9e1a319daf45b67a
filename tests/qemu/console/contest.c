/*
 * contest — a client of the console driver, started at root's prompt as "contest &".
 * It finds the console through root, checks the terminal query, writes through the
 * console (the test reads those lines on COM1), draws entropy twice and prints it (the
 * test compares two boots), then waits for the driver to be deleted ("kill" at the
 * prompt) and checks that a write then fails cleanly with SAS_EIO instead of hanging.
 * Results go to the kernel's debug console as "contest: ok - ..." / "contest: not ok".
 */
#include <native/rt.h>
#include <sas/entropy.h>
#include <sas/proto/console.h>
#include <sas/proto/root.h>

#define WAIT_STEP_US 20000u
#define WAIT_STEPS   1500u          /* 30 s */

static unsigned bad;

static void check(int ok, const char *what)
{
    printf("contest: %s - %s\n", ok ? "ok" : "not ok", what);
    bad += !ok;
}

static void say(l4_threadid_t con, const char *s)
{
    check(!console_write(con, s, strlen(s), 0), "write through the console");
}

/* A write longer than one message: the stub splits it. */
static void long_line(l4_threadid_t con)
{
    static char buf[600];
    size_t n = (size_t)snprintf(buf, sizeof(buf), "contest: long ");
    while (n < 540)
        buf[n++] = '=';
    memcpy(buf + n, "end\n", 4);
    size_t done = 0;
    check(!console_write(con, buf, n + 4, &done) && done == n + 4, "a 544-byte write");
}

static void entropy(void)
{
    uint64_t a = 0, b = 0;
    check(!sas_entropy_u64(&a) && !sas_entropy_u64(&b) && a != b, "two entropy draws differ");
    printf("contest: entropy %lx\n", a);
}

/* Waits until the console stops answering, then writes once more. */
static void after_the_driver(l4_threadid_t con)
{
    struct console_info ci;
    unsigned i = 0;
    for (; i < WAIT_STEPS && !console_info(con, &ci); i++) {
        l4_threadid_t f = root_find();
        l4_msg_t m;
        l4_receive(&f, &m, l4_timeout_from_us(WAIT_STEP_US));   /* a sleep */
    }
    check(i < WAIT_STEPS, "the console went away");
    enum sas_error e = console_write(con, "x", 1, 0);
    printf("contest: write after the driver is gone: %s\n", sas_strerror(e));
    check(e == SAS_EIO, "a write to a deleted driver fails with SAS_EIO");
}

int main(void)
{
    l4_threadid_t con = L4_NILTHREAD;
    struct console_info ci = { 0 };
    check(!root_service(root_find(), ROOT_SERVICE_CONSOLE, &con), "root names the console");
    check(!console_info(con, &ci) && (ci.flags & CONSOLE_INFO_TTY) && ci.rows && ci.cols,
          "the console is a terminal with a size");
    say(con, "contest: written through the console\n");
    long_line(con);
    entropy();
    say(con, "contest: waiting for the console to go\n");
    after_the_driver(con);
    root_exit(bad);
}
