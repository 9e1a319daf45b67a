/*
 * blklog-replay — replays a QEMU blklogwrites log onto a disk image (blklog.h) and runs a
 * checker on the image at every flush point and, with -d, on every drop-one-write image.
 *
 *   blklog-replay -l LOG                        lists the entries
 *   blklog-replay [-d] [-t] LOG IMAGE CHECKER [ARGS...]
 *
 * IMAGE must hold the disk as it was when logging began; it is changed in place and ends
 * as the last flush point (or the end of the log, with -t). The checker runs as
 * "CHECKER ARGS... IMAGE KIND K WRITE" with KIND "flush" or "drop", K the flush point (for
 * a drop, the one ending the interval), WRITE the log entry left out (0 for a flush
 * point), and exit status 0 for an image that passes. -t also replays the trailing
 * interval that no flush ended (K is then the number of flushes + 1).
 * Exit status: 0 if every image passed, 1 if any failed, 2 on a usage or log error.
 */
#include "blklog.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

struct checker {
    char **argv;                    /* CHECKER ARGS... IMAGE KIND K WRITE NULL */
    int argc;
    size_t flush_points, drop_images;
};

static int run_checker(void *ctx, int image_fd, const struct blklog_point *p)
{
    struct checker *c = ctx;
    char k[24], w[24];
    (void)image_fd;
    snprintf(k, sizeof(k), "%zu", p->flush);
    snprintf(w, sizeof(w), "%zu", p->kind == BLKLOG_POINT_DROP ? p->entry : 0);
    c->argv[c->argc - 3] = p->kind == BLKLOG_POINT_DROP ? "drop" : "flush";
    c->argv[c->argc - 2] = k;
    c->argv[c->argc - 1] = w;
    *(p->kind == BLKLOG_POINT_DROP ? &c->drop_images : &c->flush_points) += 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execvp(c->argv[0], c->argv);
        perror(c->argv[0]);
        _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return 1;
    if (!WIFEXITED(st) || WEXITSTATUS(st)) {
        printf("blklog-replay: FAILED at %s image, flush point %s, write %s\n",
               c->argv[c->argc - 3], k, w);
        return 1;
    }
    return 0;
}

static int list(const struct blklog *log)
{
    printf("sector size %u, %zu entries, %zu flushes\n", log->sector_size, log->n, log->flushes);
    for (size_t i = 0; i < log->n; i++)
        printf("%6zu %s sector %llu count %llu\n", i,
               log->e[i].flags & BLKLOG_FLUSH ? "flush" :
               log->e[i].flags & BLKLOG_DISCARD ? "discard" : "write",
               (unsigned long long)log->e[i].sector, (unsigned long long)log->e[i].nr_sectors);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: blklog-replay -l LOG\n"
                    "       blklog-replay [-d] [-t] LOG IMAGE CHECKER [ARGS...]\n");
    return 2;
}

int main(int argc, char **argv)
{
    unsigned opts = 0;
    int only_list = 0, o;
    while ((o = getopt(argc, argv, "+dtl")) != -1)
        if (o == 'd') opts |= BLKLOG_DROPS;
        else if (o == 't') opts |= BLKLOG_TAIL;
        else if (o == 'l') only_list = 1;
        else return usage();
    if (argc - optind < (only_list ? 1 : 3))
        return usage();
    struct blklog log;
    int lfd = open(argv[optind], O_RDONLY), r;
    if (lfd < 0 || (r = blklog_open(&log, lfd))) {
        fprintf(stderr, "blklog-replay: %s: cannot read the log\n", argv[optind]);
        return 2;
    }
    if (only_list)
        return list(&log);
    const char *image = argv[optind + 1];
    int ifd = open(image, O_RDWR);
    if (ifd < 0) {
        perror(image);
        return 2;
    }
    int n = argc - optind - 2;
    struct checker c = { calloc((size_t)n + 5, sizeof(char *)), n + 4, 0, 0 };
    for (int i = 0; i < n; i++)
        c.argv[i] = argv[optind + 2 + i];
    c.argv[n] = (char *)image;
    long failed = blklog_replay(&log, ifd, opts, run_checker, &c, NULL);
    if (failed < 0) {
        fprintf(stderr, "blklog-replay: replay error %ld\n", failed);
        return 2;
    }
    printf("blklog-replay: %zu log entries, %zu flush points, %zu drop images, %ld failed\n",
           log.n, c.flush_points, c.drop_images, failed);
    return failed ? 1 : 0;
}
