/*
 * prompt.c — root's prompt on the console, until the object shell exists: help, ps,
 * kill, poweroff, and running a boot program by name ("NAME" waits for it to end,
 * "NAME &" does not), in a protection domain of the typist's choice with
 * "run PROG as DOMAIN [&]". End of input (Ctrl-D at the start of a line) powers off, so a
 * script piped into ./ellfour run ends the system when it ends.
 *
 * The console is the only place a program's domain is chosen at run time: whoever types
 * here acts for every domain (docs/SAS.md, "Programs and domains"). PROMPT_RUN, the one
 * request that carries a domain, is answered only for the prompt's own thread.
 *
 * The prompt runs in a thread of its own (PROMPT_LTHREAD): a read from the console blocks,
 * and root's main thread must go on paging every task meanwhile — the console driver's
 * too. The prompt touches none of the task table: it asks the main thread by IPC
 * (PROMPT_* below), which answers in prompt_handle; a PROMPT_WAIT is answered only when
 * the task ends (prompt_task_ended). If the console goes away (its writes fail), the
 * prompt logs so and powers off once no program is left running.
 */
#include "root.h"
#include "domname.h"
#include <l4/kdebug.h>
#include <sas/proto/blk.h>
#include <sas/proto/console.h>
#include <sas/proto/root.h>

#define PROMPT_LTHREAD 2u
#define PROMPT_RUN   0x50520001u   /* MR0 name, MR1 domain or 0 (pointers): reply MR0 task,
                                      or 0 */
#define PROMPT_WAIT  0x50520002u   /* MR0 task: reply MR0 exit code when it ends */
#define PROMPT_PS    0x50520003u   /* MR0 struct task_info[], MR1 max: reply MR0 count */
#define PROMPT_KILL  0x50520004u   /* MR0 task: reply status */
#define PROMPT_IDLE  0x50520005u   /* reply when no program is left running */
#define POWEROFF_OK  0x10u         /* isa-debug-exit: QEMU exits with 33 */
#define PS_MAX       32u

static char stack[16384];
static l4_threadid_t me, main_tid, console;
static unsigned wait_task;         /* main thread: the task PROMPT_WAIT waits for */
static int wait_idle;

/* ---- the main thread's side ---- */

static void answer(unsigned code)
{
    l4_msg_t m = { { code } };
    l4_send(me, l4_msgtag(SAS_OK, 1, 0), &m, L4_TIMEOUT_ZERO);
}

void prompt_task_ended(unsigned task, unsigned code)
{
    if (wait_task && wait_task == task) {
        wait_task = 0;
        answer(code);
    }
    if (wait_idle && !tasks_live()) {
        wait_idle = 0;
        answer(0);
    }
}

/* The code the task ended with (the latest record of that task number). */
static unsigned exit_code_of(unsigned task)
{
    const struct child_exit *ex;
    for (unsigned i = tasks_exits(&ex); i-- > 0;)
        if (ex[i].task == task)
            return ex[i].code;
    return ROOT_EXIT_KILLED;
}

int prompt_handle(l4_threadid_t from, uint64_t res, l4_msg_t *m, l4_msgtag_t *tag)
{
    uint32_t label = l4_msgtag_label(l4_ipc_tag(res));
    *tag = l4_msgtag(SAS_OK, 1, 0);
    if (l4_tid_is_nil(me) || from != me) {
        *tag = l4_msgtag(SAS_ENOTSUP, 0, 0);
        return 1;
    }
    switch (label) {
    case PROMPT_RUN: {
        int task = tasks_spawn((const char *)m->w[0], (const char *)m->w[1], 0, 0);
        m->w[0] = task < 0 ? 0 : (unsigned)task;
        return 1;
    }
    case PROMPT_WAIT:
        wait_task = tasks_alive((unsigned)m->w[0]) ? (unsigned)m->w[0] : 0;
        if (!wait_task)
            m->w[0] = exit_code_of((unsigned)m->w[0]);     /* it was quicker than we */
        return !wait_task;
    case PROMPT_PS:
        m->w[0] = tasks_list((struct task_info *)m->w[0], (unsigned)m->w[1]);
        return 1;
    case PROMPT_KILL:
        m->w[0] = tasks_kill((unsigned)m->w[0], 1);
        return 1;
    case PROMPT_IDLE:
        wait_idle = tasks_live() != 0;
        return !wait_idle;
    }
    *tag = l4_msgtag(SAS_ENOTSUP, 0, 0);
    return 1;
}

/* ---- the prompt thread ---- */

static uint64_t ask(uint32_t label, uint64_t a, uint64_t b)
{
    l4_msg_t m = { { a, b } };
    l4_call(main_tid, l4_msgtag(label, 2, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    return m.w[0];
}

/* The block cache is write-back (sas/proto/blk.h): what programs wrote and never synced is
 * written out before the machine goes. (What a program synced is on the disk already.) */
static void flush_disk(void)
{
    l4_threadid_t blk = services_id(ROOT_SERVICE_BLK);
    if (l4_tid_is_nil(blk))
        return;
    enum sas_error e = blk_flush(blk);
    if (e)
        printf("root: flushing the disk's cache failed: %s\n", sas_strerror(e));
}

static __attribute__((noreturn)) void poweroff(const char *why)
{
    flush_disk();
    printf("root: %s: powering off\n", why);
    l4_kdb_exit(POWEROFF_OK);
    for (;;)
        l4_thread_switch(L4_NILTHREAD);
}

/* Without a console there is no one to type: end when the programs have ended. */
static __attribute__((noreturn)) void console_lost(void)
{
    printf("root: the console is gone (its driver ended); the prompt stops\n");
    ask(PROMPT_IDLE, 0, 0);
    poweroff("no console and no program left");
}

static void say(const char *s)
{
    if (console_write(console, s, strlen(s), 0))
        console_lost();
}

static void help(void)
{
    say("Commands:\n"
        "  help          this text\n"
        "  ps            the tasks root started and their state\n"
        "  kill TASK     end a task (its number or name, as ps shows it)\n"
        "  poweroff      end the system (also at the end of input: Ctrl-D)\n"
        "  NAME [&]      run boot program NAME; with &, do not wait for it\n"
        "  run NAME [as DOMAIN] [&]\n"
        "                the same, in protection domain DOMAIN (default: NAME)\n"
        "Boot programs:");
    uint64_t cursor = 0;
    struct cpio_member f;
    while (!bootfs_next(&cursor, &f)) {
        say(" ");
        say(f.name);
    }
    say("\n");
}

/* Appends s to line[0..*k) and blanks up to column col (kformat has no left alignment);
 * at least one blank follows s. */
static void column(char *line, size_t size, size_t *k, const char *s, size_t col)
{
    *k += (size_t)snprintf(line + *k, size - *k, "%s", s);
    if (*k >= size)
        *k = size - 1;
    do
        line[(*k)++] = ' ';
    while (*k < col && *k + 1 < size);
    line[*k] = 0;
}

static void ps(void)
{
    static struct task_info t[PS_MAX];
    char line[160], num[16];
    unsigned n = (unsigned)ask(PROMPT_PS, (uint64_t)t, PS_MAX);
    say("TASK  NAME              DOMAIN            STATE\n");
    for (unsigned i = 0; i < n; i++) {
        size_t k = 0;
        snprintf(num, sizeof(num), "%4u ", t[i].task);
        column(line, sizeof(line), &k, num, 6);
        column(line, sizeof(line), &k, t[i].name, 24);
        column(line, sizeof(line), &k, t[i].domain[0] ? t[i].domain : "-", 42);
        snprintf(line + k, sizeof(line) - k, "%s\n", t[i].state);
        say(line);
    }
}

static unsigned number(const char *s)
{
    unsigned v = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (unsigned)(*s - '0');
    return *s ? 0 : v;
}

/* A task by number, or the running task of that name; 0 if none. */
static unsigned task_named(const char *arg)
{
    static struct task_info t[PS_MAX];
    unsigned n = (unsigned)ask(PROMPT_PS, (uint64_t)t, PS_MAX);
    for (unsigned i = 0; i < n; i++)
        if (!strncmp(t[i].name, arg, ROOT_NAME_LEN) && strncmp(t[i].state, "exited", 6))
            return t[i].task;
    return number(arg);
}

static void kill(const char *arg)
{
    unsigned task = *arg ? task_named(arg) : 0;
    char line[64];
    snprintf(line, sizeof(line), "kill: %s\n", !task ? "usage: kill TASK (a number or name from ps)"
             : ask(PROMPT_KILL, task, 0) ? "no such task" : "done");
    say(line);
}

/* Runs boot program `name` in `domain` (0: its default, tasks_spawn), waiting for it to
 * end unless `background`. */
static void run(const char *name, const char *domain, int background)
{
    char line[160];
    struct cpio_member f;
    if (bootfs_find(name, &f)) {
        snprintf(line, sizeof(line), "%s: no such command or boot program (try help)\n", name);
        say(line);
        return;
    }
    unsigned task = (unsigned)ask(PROMPT_RUN, (uint64_t)name, (uint64_t)domain);
    if (!task) {
        snprintf(line, sizeof(line), "%s: not started (root's line above says why)\n", name);
        say(line);
        return;
    }
    if (background) {
        snprintf(line, sizeof(line), "[task %u] %s\n", task, name);
        say(line);
        return;
    }
    unsigned code = (unsigned)ask(PROMPT_WAIT, task, 0);
    if (code) {
        snprintf(line, sizeof(line), "%s: exit code %u\n", name, code);
        say(line);
    }
}

/* The blank-separated words of s, in place: at most max; returns the count, or max + 1
 * if there are more. */
static unsigned words(char *s, char **w, unsigned max)
{
    unsigned n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            *s++ = 0;
        if (!*s)
            return n;
        if (n == max)
            return max + 1;
        w[n++] = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
    }
}

/* "run NAME [as DOMAIN] [&]": the domain is checked here, so the typist learns why. */
static void run_as(char *arg)
{
    char *w[4], line[160];
    unsigned n = words(arg, w, 4);
    int background = n >= 2 && !strncmp(w[n - 1], "&", 2);
    unsigned rest = n - (unsigned)background;       /* NAME, or NAME as DOMAIN */
    if (n > 4 || (rest != 1 && rest != 3) || (rest == 3 && strncmp(w[1], "as", 3))) {
        say("run: usage: run NAME [as DOMAIN] [&]\n");
        return;
    }
    if (rest == 3 && !domain_name_ok(w[2])) {
        snprintf(line, sizeof(line), "run: '%s' is not a domain name (1 to %u of A-Z a-z 0-9 "
                 ". _ -); %s not started\n", w[2], ROOT_DOMAIN_NAME_MAX, w[0]);
        say(line);
        return;
    }
    if (services_is(w[0])) {
        say("that is a service: root starts it at boot\n");
        return;
    }
    run(w[0], rest == 3 ? w[2] : 0, background);
}

/* Splits "cmd arg" in place; drops the newline and surrounding blanks. */
static char *split(char *line, char **arg)
{
    char *end = line + strlen(line);
    while (end > line && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        *--end = 0;
    while (*line == ' ' || *line == '\t')
        line++;
    char *p = line;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    *arg = p;
    if (*p) {
        *p++ = 0;
        while (*p == ' ' || *p == '\t')
            p++;
        *arg = p;
    }
    return line;
}

static void execute(char *line)
{
    char *arg, *cmd = split(line, &arg);
    if (!*cmd)
        return;
    if (!strncmp(cmd, "help", 5))
        help();
    else if (!strncmp(cmd, "ps", 3))
        ps();
    else if (!strncmp(cmd, "kill", 5))
        kill(arg);
    else if (!strncmp(cmd, "poweroff", 9))
        poweroff("poweroff typed at the prompt");
    else if (!strncmp(cmd, "run", 4))
        run_as(arg);
    else if (services_is(cmd))
        say("that is a service: root starts it at boot\n");
    else
        run(cmd, 0, !strncmp(arg, "&", 2));
}

/* One line from the console; 0 at the end of input. */
static size_t read_line(char *buf, size_t max)
{
    size_t n;
    enum sas_error e = console_read(console, buf, max - 1, 0, &n);
    if (e == SAS_EIO)
        console_lost();
    buf[e ? 0 : n] = 0;
    return e ? 1 : n;
}

static void prompt_main(void)
{
    static char line[CONSOLE_LINE_MAX + 1];
    say("Ell Four: root's prompt (type help)\n");
    for (;;) {
        say("ellfour> ");
        if (!read_line(line, sizeof(line))) {
            say("\n");
            poweroff("end of input");
        }
        execute(line);
    }
}

int prompt_start(l4_threadid_t con)
{
    uint64_t err;
    console = con;
    main_tid = l4_myself();
    me = rt_thread_start(PROMPT_LTHREAD, prompt_main, stack, sizeof(stack), &err);
    if (l4_tid_is_nil(me)) {
        printf("root: cannot start the prompt thread (error %lu)\n", err);
        return -1;
    }
    return 0;
}
