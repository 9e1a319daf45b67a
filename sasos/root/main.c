/*
 * root/main.c — the root task. It shows the kernel working (the kernel info page, an echo
 * thread it calls), then, if sigma0 runs, starts the boot programs as tasks of its own
 * (tasks.c) and serves as their pager until they end — forever, unless under test.
 *
 * Which programs: "start=a,b" on the kernel command line names them (an empty list: none;
 * a name given twice, two instances); without it, every program in the boot archive except
 * root, sigma0, posixrt (the musl programs' system thread, not a program) and those the
 * kernel starts itself ("tasks="). "domain=a:dom" runs program a in domain dom (tasks.c).
 * Under test ("suite=" on the command line) root waits for all of them to end, reports
 * each exit against "expect=a:code,b:code" (default 0) and whether every frame went back
 * to sigma0, and ends the run with the result. A program it could not start, and a name
 * in "expect=" that never ran, fail the run: a test cannot pass by not running.
 *
 * Services come before any program (services.c): the drivers, then the servers of the
 * single address space, persist, capstore and objmgr, one at a time, each started once
 * the one before has told root it serves (start_sas). A service is not a program: root
 * does not wait for services to end, and stops them itself at the end of a test.
 */
#include "root.h"
#include <l4/kdebug.h>
#include <sas/entropy.h>
#include <sas/proto/root.h>
#include <sas/proto/sigma0_client.h>

#define LABEL_ECHO 0x45434830u   /* "ECH0" */

static char server_stack[16384];

/* Answers each message with its words incremented by one. */
static void echo_server(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    uint64_t res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;) {
        if (l4_ipc_error(res)) {
            from = L4_NILTHREAD;
            res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
            continue;
        }
        unsigned u = l4_msgtag_u(l4_ipc_tag(res));
        for (unsigned i = 0; i < u; i++)
            m.w[i]++;
        res = l4_reply_wait(&from, l4_msgtag(LABEL_ECHO, u, 0), &m, L4_TIMEOUT_NEVER);
    }
}

static void show_kip(void)
{
    const volatile struct l4_kip *k = rt_kip;
    printf("root: kernel info page v%x: TSC %lu kHz, timer %lu Hz, boot time %lu\n",
           k->api_version, k->tsc_hz / 1000, k->timer_hz, k->boot_time);
    printf("root: kernel pool %lu of %lu pages free; boot archive %lu bytes\n",
           k->kpool_free, k->kpool_total, k->boot_archive_size);
}

/* Calls the echo thread; returns the number of wrong replies. */
static unsigned echo_demo(void)
{
    uint64_t err;
    l4_threadid_t server = rt_thread_start(1, echo_server, server_stack, sizeof(server_stack), &err);
    if (l4_tid_is_nil(server)) {
        printf("root: cannot start the echo thread (error %lu)\n", err);
        return 1;
    }
    unsigned bad = 0;
    for (unsigned i = 1; i <= 3; i++) {
        l4_msg_t m = { { i, i * 10, i * 100 } };
        uint64_t res = l4_call(server, l4_msgtag(LABEL_ECHO, 3, 0), &m, L4_TIMEOUT_NEVER,
                               L4_TIMEOUT_NEVER);
        bad += l4_ipc_error(res) || m.w[0] != i + 1 || m.w[1] != i * 10 + 1 || m.w[2] != i * 100 + 1;
        printf("root: call %u -> error %u, reply (%lu, %lu, %lu) from %lx\n", i,
               l4_ipc_error(res), m.w[0], m.w[1], m.w[2], server);
    }
    uint64_t t0 = rt_rdtsc();
    for (unsigned i = 0; i < 1000; i++) {
        l4_msg_t m = { { i } };
        l4_call(server, l4_msgtag(LABEL_ECHO, 1, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    }
    printf("root: 1000 round trips, %lu TSC cycles each on average\n", (rt_rdtsc() - t0) / 1000);
    return bad;
}

/* 1 if `name` is one of the comma-separated words of `list`. */
static int listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = p;
        while (*end && *end != ',' && *end != '@')
            end++;
        if ((size_t)(end - p) == n && !strncmp(p, name, n))
            return 1;
        while (*end && *end != ',')
            end++;
        p = *end ? end + 1 : end;
    }
    return 0;
}

/* Copies the next comma-separated word of *p, up to `stop` within it, into word (cut to
 * size - 1 characters) and moves *p past the word's comma; returns the copy's length. */
static size_t next_word(const char **p, char *word, size_t size, char stop)
{
    const char *s = *p;
    size_t n = 0;
    while (*s && *s != ',' && *s != stop && n + 1 < size)
        word[n++] = *s++;
    word[n] = 0;
    while (*s && *s != ',')
        s++;
    *p = s + (*s == ',');
    return n;
}

/* The programs root could not start, for the report: a test must not pass by a program
 * that never ran. Names past the table's end are only counted. */
static char unstarted[ROOT_MAX_CHILDREN][ROOT_NAME_LEN];
static unsigned nunstarted;

static void start_one(const char *name)
{
    if (!tasks_start(name))
        return;
    if (nunstarted < ROOT_MAX_CHILDREN)
        snprintf(unstarted[nunstarted], ROOT_NAME_LEN, "%s", name);
    nunstarted++;
}

/* Starts the programs "start=" names, or every one but root, sigma0 and "tasks=". */
static void start_programs(int by_default)
{
    char list[128], word[ROOT_NAME_LEN];
    if (!rt_cmdline_get("start", list, sizeof(list))) {
        for (const char *p = list; *p;)
            if (next_word(&p, word, sizeof(word), ','))
                start_one(word);
        return;
    }
    if (!by_default)
        return;
    char kernel_started[128] = "";
    rt_cmdline_get("tasks", kernel_started, sizeof(kernel_started));
    uint64_t cursor = 0;
    struct cpio_member f;
    while (!bootfs_next(&cursor, &f))
        if (strncmp(f.name, "root", 5) && strncmp(f.name, "sigma0", 7) &&
            strncmp(f.name, "posixrt", 8) && !listed(kernel_started, f.name) &&
            !services_is(f.name))
            start_one(f.name);
}

/* What serve() waits for: a condition on root's tables, or 0 for nothing (forever). */
typedef int serve_until_fn(void);

static int no_program_left(void) { return !tasks_live(); }

/* The SAS service being started (start_sas), for service_settled. */
static unsigned starting;

static int service_settled(void) { return services_settled(starting); }

/* Answers the children until `until` holds (checked after each message, whose reply goes
 * out first) or, with until 0, forever. */
static void serve(serve_until_fn *until)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    if (until && until())
        return;
    uint64_t res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;) {
        l4_msgtag_t tag;
        int reply = !l4_ipc_error(res) && tasks_handle(from, res, &m, &tag);
        if (until && until()) {
            if (reply && l4_ipc_error(res = l4_send(from, tag, &m, L4_TIMEOUT_ZERO)))
                tasks_reply_failed(from, res);
            return;
        }
        if (!reply) {
            from = L4_NILTHREAD;
            res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
            continue;
        }
        l4_threadid_t to = from;
        res = l4_reply_wait(&from, tag, &m, L4_TIMEOUT_NEVER);
        if (l4_ipc_error(res) && !l4_ipc_failed_in_receive(res)) {
            tasks_reply_failed(to, res);
            from = L4_NILTHREAD;      /* the reply failed: nothing was received */
            res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
        }
    }
}

/* The number "key=name:number,..." on the command line gives `name`, or 0. */
unsigned root_cmdline_value(const char *key, const char *name)
{
    char list[128];
    if (rt_cmdline_get(key, list, sizeof(list)))
        return 0;
    size_t n = strlen(name);
    for (const char *p = list; *p; p++) {
        if ((p == list || p[-1] == ',') && !strncmp(p, name, n) && p[n] == ':') {
            unsigned v = 0;
            for (p += n + 1; *p >= '0' && *p <= '9'; p++)
                v = v * 10 + (unsigned)(*p - '0');
            return v;
        }
    }
    return 0;
}

/* The word "key=name:word,..." on the command line gives `name`, in out (n bytes, cut and
 * NUL-terminated); 0, or -1 if there is none. */
int root_cmdline_word(const char *key, const char *name, char *out, size_t n)
{
    char list[128];
    if (rt_cmdline_get(key, list, sizeof(list)))
        return -1;
    size_t len = strlen(name);
    for (const char *p = list; *p; p++) {
        if ((p == list || p[-1] == ',') && !strncmp(p, name, len) && p[len] == ':') {
            const char *w = p + len + 1;
            size_t k = 0;
            while (w[k] && w[k] != ',' && k + 1 < n)
                k++;
            memcpy(out, w, k);
            out[k] = 0;
            return k ? 0 : -1;
        }
    }
    return -1;
}

/* The report's checks so far and how many failed. */
static unsigned checks, failures;

/* Counts one check; returns its number for the line "ok N - ..." or "not ok N - ...". */
static unsigned check(int ok)
{
    failures += !ok;
    return ++checks;
}

static const char *verdict(int ok) { return ok ? "ok" : "not ok"; }

/* 1 if root recorded an exit of the program `name`. */
static int exited(const char *name)
{
    const struct child_exit *ex;
    unsigned count = tasks_exits(&ex);
    for (unsigned i = 0; i < count; i++)
        if (!strncmp(ex[i].name, name, ROOT_NAME_LEN))
            return 1;
    return 0;
}

/* Each exit against "expect=", each program root could not start, and each name in
 * "expect=" with no exit: a program that never ran fails the run whatever it was meant
 * to return. A service that ended by itself (persist with no store exits 0) is judged
 * the same way, as root.service.NAME; those root stopped at the end are not recorded. */
static void report_children(void)
{
    const struct child_exit *ex;
    unsigned count = tasks_exits(&ex);
    for (unsigned i = 0; i < count; i++) {
        unsigned want = root_cmdline_value("expect", ex[i].name);
        printf("%s %u - root.%s.%s exited with code %u (want %u)\n",
               verdict(ex[i].code == want), check(ex[i].code == want),
               ex[i].service ? "service" : "child", ex[i].name, ex[i].code, want);
    }
    for (unsigned i = 0; i < nunstarted && i < ROOT_MAX_CHILDREN; i++)
        printf("not ok %u - root.child.%s could not be started\n", check(0), unstarted[i]);
    if (nunstarted > ROOT_MAX_CHILDREN)
        printf("not ok %u - root.child: %u more programs could not be started\n", check(0),
               nunstarted - ROOT_MAX_CHILDREN);
    char list[128], name[ROOT_NAME_LEN];
    if (rt_cmdline_get("expect", list, sizeof(list)))
        return;
    for (const char *p = list; *p;)
        if (next_word(&p, name, sizeof(name), ':') && !exited(name))
            printf("not ok %u - root.child.%s never ran\n", check(0), name);
}

/* Under test: one line per check in the runner's format, the sentinel, the exit code.
 * ready: 0 if root could not set up boot programs at all (no sigma0 or no archive). */
static void report(unsigned bad_echo, int ready, uint64_t free_before, l4_threadid_t s0)
{
    printf("%s %u - root.echo_demo\n", verdict(!bad_echo), check(!bad_echo));
    if (!ready)
        printf("not ok %u - root.boot_programs (no sigma0 or no boot archive)\n", check(0));
    report_children();
    const struct child_exit *ex;
    struct sigma0_info info = { 0 };
    if (ready && tasks_exits(&ex) > 0) {
        unsigned held = frames_in_use() + batches_in_use();
        int back = !sigma0_info(s0, &info) && info.free_pages == free_before && !held;
        printf("%s %u - root.frames_returned (sigma0 free %lu, before %lu; root holds %u)\n",
               verdict(back), check(back), info.free_pages, free_before, held);
    }
    printf("ELLFOUR-KTEST-DONE tests=%u failed=%u\n", checks, failures);
    l4_kdb_exit(failures ? 0x11 : 0x10);
}

/* Sets up frames and the archive from sigma0; 0 if boot programs can be started. */
static int boot_programs_ready(l4_threadid_t s0, uint64_t *free_before)
{
    struct sigma0_info info;
    if (l4_tid_is_nil(s0) || sigma0_info(s0, &info)) {
        printf("root: no sigma0: boot programs are not started\n");
        return -1;
    }
    frames_init(s0);
    batches_init(s0);
    enum sas_error e = bootfs_init(s0);
    if (e) {
        printf("root: cannot map the boot archive: %s\n", sas_strerror(e));
        return -1;
    }
    if (sigma0_info(s0, &info))
        return -1;
    *free_before = info.free_pages;
    printf("root: sigma0 has %lu of %lu pages free\n", info.free_pages, info.ram_pages);
    return 0;
}

/* No randomness, no boot: keys and nonces must never come from a fixed seed. */
static void require_entropy(void)
{
    uint64_t a = 0, b = 0;
    if (sas_entropy_available() && !sas_entropy_u64(&a) && !sas_entropy_u64(&b) && a != b)
        return;
    printf("root: this CPU has no working RDRAND: Ell Four does not run without a source "
           "of randomness; stopping\n");
    l4_kdb_exit(0x11);
    for (;;)
        l4_thread_switch(L4_NILTHREAD);
}

/* The servers of the single address space, in order, each once the one before serves:
 * root answers every child (the new service's faults and requests too) until the one it
 * started is ready (ROOT_SERVICE_READY) or has exited. A service not in the archive ends
 * the chain quietly; persist present but not ready means no single address space. */
static void start_sas(void)
{
    static const struct {
        unsigned id;
        const char *name;
    } order[] = { { ROOT_SERVICE_PERSIST, "persist" }, { ROOT_SERVICE_CAPSTORE, "capstore" },
                  { ROOT_SERVICE_OBJMGR, "objmgr" } };
    for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        starting = order[i].id;
        if (services_spawn(starting))
            return;
        serve(service_settled);
        if (l4_tid_is_nil(services_id(starting))) {
            printf("root: no single address space ('%s' ended before it was ready)\n",
                   order[i].name);
            return;
        }
    }
}

/* Services first, then the programs; with a console and not under test, the prompt
 * instead of the programs (unless "start=" names some). Returns only under test. */
static void boot(int tested, l4_threadid_t s0)
{
    services_start(s0);
    start_sas();
    l4_threadid_t con = services_id(ROOT_SERVICE_CONSOLE);
    int prompt = !tested && !l4_tid_is_nil(con);
    start_programs(!prompt);
    if (prompt && !prompt_start(con))
        serve(0);
    if (tasks_live())
        serve(tested ? no_program_left : 0);
    services_stop();
}

int main(void)
{
    char suite[16];
    int tested = !rt_cmdline_get("suite", suite, sizeof(suite));
    printf("root: hello from the root task, thread %lx\n", l4_myself());
    show_kip();
    require_entropy();
    unsigned bad = echo_demo();
    l4_threadid_t s0 = sigma0_find();
    uint64_t free_before = 0;
    int ready = !boot_programs_ready(s0, &free_before);
    if (ready)
        boot(tested, s0);
    if (tested)
        report(bad, ready, free_before, s0);
    printf("root: done; the system idles (quit QEMU with Ctrl-A X)\n");
    serve(0);
    return 0;
}
