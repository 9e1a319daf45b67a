/*
 * main.c — ellfour-store's command line. Every command that reads an image runs in a
 * child process: LMDB trusts the file it maps, so a damaged branch page can make it read
 * wild addresses; in a child that becomes a report and an exit status, never a crash of
 * the tool (or of a caller such as ./ellfour).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tool.h"

const char *tool_img = "";

static int usage(void)
{
    fputs("usage: ellfour-store create IMG [--size N[K|M|G]] [--run-pages R]\n"
          "       ellfour-store ls IMG\n"
          "       ellfour-store dump IMG ADDR [LEN]\n"
          "       ellfour-store check IMG\n"
          "       ellfour-store stat IMG\n"
          "       ellfour-store domains IMG\n"
          "exit: 0 ok, 1 check found problems, 2 usage, 3 image unreadable or damaged\n",
          stderr);
    return EXIT_USAGE;
}

int tool_fail(const char *what, enum sas_error e)
{
    fprintf(stderr, "ellfour-store: %s: %s: %s\n", tool_img, what, sas_strerror(e));
    return EXIT_DAMAGED;
}

static int run_read(const char *cmd, int argc, char **argv)
{
    struct persist *p;
    struct persist_txn *t;
    int rc;

    if (!strcmp(cmd, "domains"))
        return cmd_domains(argc, argv);  /* opens the store its own way (domains.c) */
    if ((rc = tool_open(&p, &t)))
        return rc;
    if (!strcmp(cmd, "ls"))
        rc = cmd_ls(t, argc, argv);
    else if (!strcmp(cmd, "dump"))
        rc = cmd_dump(t, argc, argv);
    else if (!strcmp(cmd, "check"))
        rc = cmd_check(t, argc, argv);
    else
        rc = cmd_stat(p, t, argc, argv);
    tool_close(p, t);
    if (!strcmp(cmd, "check"))
        rc = cmd_check_caps(rc);         /* and verify every stored capability */
    return rc;
}

/* Run a read command in a child; a signal there is reported as damage. */
static int in_child(const char *cmd, int argc, char **argv)
{
    int status;
    pid_t pid;

    fflush(NULL);
    if ((pid = fork()) < 0) {
        perror("ellfour-store: fork");
        return EXIT_DAMAGED;
    }
    if (pid == 0) {
        int rc = run_read(cmd, argc, argv);
        fflush(NULL);
        _exit(rc);
    }
    if (waitpid(pid, &status, 0) < 0) {
        perror("ellfour-store: waitpid");
        return EXIT_DAMAGED;
    }
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "ellfour-store: %s: store is corrupt: reading it raised signal %d "
                "(%s)\n", tool_img, WTERMSIG(status), strsignal(WTERMSIG(status)));
        return EXIT_DAMAGED;
    }
    return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
    const char *cmd;

    if (argc < 3)
        return usage();
    cmd = argv[1];
    tool_img = argv[2];
    if (!strcmp(cmd, "create"))
        return cmd_create(argc - 3, argv + 3);
    if (!strcmp(cmd, "ls") || !strcmp(cmd, "dump") || !strcmp(cmd, "check") ||
        !strcmp(cmd, "stat") || !strcmp(cmd, "domains"))
        return in_child(cmd, argc - 3, argv + 3);
    return usage();
}
