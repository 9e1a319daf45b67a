/*
 * blklog.c — the blklogwrites log reader and the flush-point replay (blklog.h).
 */
#include "blklog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1u << 20)

static int valid_sector_size(uint64_t s)
{
    return s >= sizeof(struct blklog_entry_hdr) && s < (1u << 24) && !(s & (s - 1));
}

static int read_all(int fd, void *buf, size_t len, uint64_t off)
{
    while (len) {
        ssize_t r = pread(fd, buf, len, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return BLKLOG_EIO;
        buf = (char *)buf + r, len -= (size_t)r, off += (uint64_t)r;
    }
    return BLKLOG_OK;
}

static int write_all(int fd, const void *buf, size_t len, uint64_t off)
{
    while (len) {
        ssize_t r = pwrite(fd, buf, len, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return BLKLOG_EIO;
        buf = (const char *)buf + r, len -= (size_t)r, off += (uint64_t)r;
    }
    return BLKLOG_OK;
}

/* Decodes entry i at log sector `*cur` and moves `*cur` past it. */
static int read_entry(struct blklog *log, uint64_t *cur, uint64_t file_size, size_t i)
{
    struct blklog_entry_hdr h;
    uint64_t ss = log->sector_size;
    if (*cur > file_size / ss - 1 || read_all(log->fd, &h, sizeof(h), *cur * ss))
        return BLKLOG_EFORMAT;
    if (h.flags & ~(uint64_t)BLKLOG_FLAGS || h.nr_sectors > file_size / ss)
        return BLKLOG_EFORMAT;
    log->e[i] = (struct blklog_entry){ h.sector, h.nr_sectors, h.flags, (*cur + 1) * ss };
    *cur += 1 + (h.flags & BLKLOG_DISCARD ? 0 : h.nr_sectors);
    if (*cur > file_size / ss)
        return BLKLOG_EFORMAT;                   /* its data runs past the end */
    log->flushes += !!(h.flags & BLKLOG_FLUSH);
    return BLKLOG_OK;
}

int blklog_open(struct blklog *log, int fd)
{
    struct blklog_super sb;
    struct stat st;
    *log = (struct blklog){ .fd = fd };
    if (fstat(fd, &st) || read_all(fd, &sb, sizeof(sb), 0))
        return st.st_size < (off_t)sizeof(sb) ? BLKLOG_EFORMAT : BLKLOG_EIO;
    if (sb.magic != BLKLOG_MAGIC || sb.version != BLKLOG_VERSION ||
        !valid_sector_size(sb.sectorsize) || sb.nr_entries > (uint64_t)st.st_size)
        return BLKLOG_EFORMAT;
    log->sector_size = sb.sectorsize;
    if (sb.nr_entries && !(log->e = calloc(sb.nr_entries, sizeof(*log->e))))
        return BLKLOG_ENOMEM;
    uint64_t cur = 1;
    for (size_t i = 0; i < sb.nr_entries; i++) {
        int r = read_entry(log, &cur, (uint64_t)st.st_size, i);
        if (r) {
            blklog_close(log);
            return r;
        }
    }
    log->n = sb.nr_entries;
    return BLKLOG_OK;
}

void blklog_close(struct blklog *log)
{
    free(log->e);
    log->e = NULL;
    log->n = 0;
}

static int is_write(const struct blklog_entry *e)
{
    return e->nr_sectors && !(e->flags & BLKLOG_FLUSH);
}

/* Puts entry e's data (zeroes for a discard) on the image. */
static int apply(const struct blklog *log, int img, const struct blklog_entry *e, char *buf)
{
    uint64_t len = e->nr_sectors * log->sector_size, off = e->sector * log->sector_size;
    for (uint64_t done = 0; done < len; done += CHUNK) {
        size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
        if (e->flags & BLKLOG_DISCARD)
            memset(buf, 0, n);
        else if (read_all(log->fd, buf, n, e->data + done))
            return BLKLOG_EIO;
        if (write_all(img, buf, n, off + done))
            return BLKLOG_EIO;
    }
    return BLKLOG_OK;
}

struct interval {
    size_t first, end;              /* entries [first, end); end is the flush (or log->n) */
    size_t writes;
    char **saved;                   /* per entry of the interval: the image before it */
};

static void free_saved(struct interval *iv)
{
    for (size_t i = 0; iv->saved && i < iv->end - iv->first; i++)
        free(iv->saved[i]);
    free(iv->saved);
    iv->saved = NULL;
}

/* Saves the image under every write of the interval, before any of them lands. */
static int save(const struct blklog *log, int img, struct interval *iv)
{
    if (!(iv->saved = calloc(iv->end - iv->first + 1, sizeof(char *))))
        return BLKLOG_ENOMEM;
    for (size_t i = iv->first; i < iv->end; i++) {
        const struct blklog_entry *e = &log->e[i];
        if (!is_write(e))
            continue;
        uint64_t len = e->nr_sectors * log->sector_size;
        char **s = &iv->saved[i - iv->first];
        if (!(*s = malloc(len)))
            return BLKLOG_ENOMEM;
        memset(*s, 0, len);                      /* past the image's end reads as zero */
        if (pread(img, *s, len, (off_t)(e->sector * log->sector_size)) < 0)
            return BLKLOG_EIO;
    }
    return BLKLOG_OK;
}

static int restore(const struct blklog *log, int img, const struct interval *iv)
{
    for (size_t i = iv->first; i < iv->end; i++) {
        const struct blklog_entry *e = &log->e[i];
        if (is_write(e) && write_all(img, iv->saved[i - iv->first],
                                     e->nr_sectors * log->sector_size,
                                     e->sector * log->sector_size))
            return BLKLOG_EIO;
    }
    return BLKLOG_OK;
}

struct run {
    const struct blklog *log;
    int img;
    blklog_visit_fn visit;
    void *ctx;
    char *buf;
    long failed;
    size_t visits;
};

static void visit(struct run *r, const struct blklog_point *p)
{
    r->visits++;
    r->failed += r->visit(r->ctx, r->img, p) != 0;
}

/* The drop images of one interval; the image is back at the interval's start after. */
static int drops(struct run *r, struct interval *iv, size_t k, int tail)
{
    int e = save(r->log, r->img, iv);
    size_t nth = 0;
    for (size_t d = iv->first; !e && d < iv->end; d++) {
        if (!is_write(&r->log->e[d]))
            continue;
        for (size_t i = iv->first; !e && i < iv->end; i++)
            if (i != d && is_write(&r->log->e[i]))
                e = apply(r->log, r->img, &r->log->e[i], r->buf);
        if (e)
            break;
        visit(r, &(struct blklog_point){ BLKLOG_POINT_DROP, k, d, nth++, iv->writes, tail });
        e = restore(r->log, r->img, iv);
    }
    free_saved(iv);
    return e;
}

/* One interval: its drop images, then all of its writes and the flush point. */
static int interval(struct run *r, struct interval *iv, size_t k, unsigned opts, int tail)
{
    int e = BLKLOG_OK;
    for (size_t i = iv->first; i < iv->end; i++)
        iv->writes += is_write(&r->log->e[i]);
    if ((opts & BLKLOG_DROPS) && iv->writes)
        e = drops(r, iv, k, tail);
    for (size_t i = iv->first; !e && i < iv->end; i++)
        if (is_write(&r->log->e[i]))
            e = apply(r->log, r->img, &r->log->e[i], r->buf);
    if (!e)
        visit(r, &(struct blklog_point){ BLKLOG_POINT_FLUSH, k, 0, 0, iv->writes, tail });
    return e;
}

long blklog_replay(const struct blklog *log, int image_fd, unsigned opts,
                   blklog_visit_fn fn, void *ctx, size_t *visits)
{
    struct run r = { log, image_fd, fn, ctx, malloc(CHUNK), 0, 0 };
    int e = r.buf ? BLKLOG_OK : BLKLOG_ENOMEM;
    size_t first = 0, k = 0;
    for (size_t i = 0; !e && i < log->n; i++) {
        if (!(log->e[i].flags & BLKLOG_FLUSH))
            continue;
        e = interval(&r, &(struct interval){ first, i, 0, NULL }, ++k, opts, 0);
        first = i;                                  /* a flush's own data (none from QEMU) */
    }
    int has_tail = 0;
    for (size_t i = first; i < log->n; i++)
        has_tail |= is_write(&log->e[i]);
    if (!e && has_tail && (opts & BLKLOG_TAIL))
        e = interval(&r, &(struct interval){ first, log->n, 0, NULL }, k + 1, opts, 1);
    free(r.buf);
    if (visits)
        *visits = r.visits;
    return e ? e : r.failed;
}
