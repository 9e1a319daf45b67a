/*
 * Host tests of tools/blklog: reading a blklogwrites log synthesized here in QEMU's
 * layout, and the flush-point and drop-one-write replay onto a small image.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "blklog.h"

#define SECTORS 8

/* A log being written: entries go after sector 0; the super block is written at the end. */
struct mklog {
    int fd;
    uint32_t ss;
    uint64_t cur, n;
};

static struct mklog mk_begin(uint32_t ss)
{
    struct mklog m = { memfd_create("log", 0), ss, 1, 0 };
    assert_true(m.fd >= 0);
    return m;
}

static void mk_entry(struct mklog *m, uint64_t sector, uint64_t count, uint64_t flags, int fill)
{
    char *sec = calloc(1, m->ss);
    struct blklog_entry_hdr h = { sector, count, flags, 0 };
    memcpy(sec, &h, sizeof(h));
    assert_int_equal(pwrite(m->fd, sec, m->ss, (off_t)(m->cur++ * m->ss)), m->ss);
    memset(sec, fill, m->ss);
    for (uint64_t i = 0; i < count && !(flags & BLKLOG_DISCARD); i++)
        assert_int_equal(pwrite(m->fd, sec, m->ss, (off_t)(m->cur++ * m->ss)), m->ss);
    m->n++;
    free(sec);
}

static void mk_write(struct mklog *m, uint64_t sector, int fill) { mk_entry(m, sector, 1, 0, fill); }
static void mk_flush(struct mklog *m) { mk_entry(m, 0, 0, BLKLOG_FLUSH, 0); }

static void mk_super(struct mklog *m, uint64_t magic, uint64_t entries)
{
    struct blklog_super sb = { magic, BLKLOG_VERSION, entries, m->ss };
    char *sec = calloc(1, m->ss);
    memcpy(sec, &sb, sizeof(sb));
    assert_int_equal(pwrite(m->fd, sec, m->ss, 0), m->ss);
    free(sec);
}

static struct blklog mk_open(struct mklog *m)
{
    struct blklog log;
    mk_super(m, BLKLOG_MAGIC, m->n);
    assert_int_equal(blklog_open(&log, m->fd), BLKLOG_OK);
    return log;
}

/* An image of SECTORS sectors of size ss, each filled with `fill`. */
static int mk_image(uint32_t ss, int fill)
{
    int fd = memfd_create("img", 0);
    char *sec = malloc(ss);
    memset(sec, fill, ss);
    for (unsigned i = 0; i < SECTORS; i++)
        assert_int_equal(pwrite(fd, sec, ss, (off_t)i * ss), ss);
    free(sec);
    return fd;
}

/* What the visitor saw: per visit "F1:AB......" (kind, flush point, first byte per sector). */
struct seen {
    uint32_t ss;
    int fail_at;                    /* visit number to fail (1-based), 0 for none */
    size_t n;
    char v[32][32];
};

static int record(void *ctx, int img, const struct blklog_point *p)
{
    struct seen *s = ctx;
    char *o = s->v[s->n++];
    int len = sprintf(o, "%c%zu:", p->kind == BLKLOG_POINT_FLUSH ? 'F' : 'D', p->flush);
    for (unsigned i = 0; i < SECTORS; i++) {
        char c = 0;
        assert_int_equal(pread(img, &c, 1, (off_t)i * s->ss), 1);
        o[len++] = c ? c : '.';
    }
    o[len] = 0;
    return s->fail_at == (int)s->n;
}

static void assert_seen(const struct seen *s, const char *const *want, size_t n)
{
    assert_int_equal(s->n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(s->v[i], want[i]);
}

static void blklog_open_reads_entries_and_flushes(void **state)
{
    (void)state;
    struct mklog m = mk_begin(512);
    mk_write(&m, 0, 'A');
    mk_entry(&m, 2, 3, 0, 'B');
    mk_flush(&m);
    mk_entry(&m, 5, 2, BLKLOG_DISCARD, 0);
    struct blklog log = mk_open(&m);
    assert_int_equal(log.n, 4);
    assert_int_equal(log.flushes, 1);
    assert_int_equal(log.sector_size, 512);
    assert_int_equal(log.e[1].sector, 2);
    assert_int_equal(log.e[1].nr_sectors, 3);
    assert_int_equal(log.e[1].data, 4 * 512);         /* super, A's header, A, B's header */
    assert_int_equal(log.e[3].flags, BLKLOG_DISCARD);
    blklog_close(&log);
    close(m.fd);
}

static void blklog_open_rejects_bad_magic(void **state)
{
    (void)state;
    struct mklog m = mk_begin(512);
    struct blklog log;
    mk_write(&m, 0, 'A');
    mk_super(&m, BLKLOG_MAGIC + 1, 1);
    assert_int_equal(blklog_open(&log, m.fd), BLKLOG_EFORMAT);
    close(m.fd);
}

static void blklog_open_rejects_unknown_flags(void **state)
{
    (void)state;
    struct mklog m = mk_begin(512);
    struct blklog log;
    mk_entry(&m, 0, 1, 1u << 7, 'A');
    mk_super(&m, BLKLOG_MAGIC, 1);
    assert_int_equal(blklog_open(&log, m.fd), BLKLOG_EFORMAT);
    close(m.fd);
}

static void blklog_open_rejects_entry_past_end_of_log(void **state)
{
    (void)state;
    struct mklog m = mk_begin(512);
    struct blklog log;
    mk_write(&m, 0, 'A');
    mk_super(&m, BLKLOG_MAGIC, 2);                    /* claims an entry never written */
    assert_int_equal(blklog_open(&log, m.fd), BLKLOG_EFORMAT);
    assert_int_equal(ftruncate(m.fd, 2 * 512 + 100), 0);   /* A's data cut short */
    mk_super(&m, BLKLOG_MAGIC, 1);
    assert_int_equal(blklog_open(&log, m.fd), BLKLOG_EFORMAT);
    close(m.fd);
}

static void blklog_replay_visits_each_flush_point(void **state)
{
    (void)state;
    struct mklog m = mk_begin(512);
    mk_write(&m, 0, 'A');
    mk_write(&m, 1, 'B');
    mk_flush(&m);
    mk_write(&m, 2, 'C');
    mk_flush(&m);
    struct blklog log = mk_open(&m);
    int img = mk_image(512, 0);
    struct seen s = { .ss = 512 };
    size_t visits;
    assert_int_equal(blklog_replay(&log, img, 0, record, &s, &visits), 0);
    assert_int_equal(visits, 2);
    assert_seen(&s, (const char *const[]){ "F1:AB......", "F2:ABC....." }, 2);
    blklog_close(&log);
    close(img), close(m.fd);
}

static void blklog_replay_drops_each_write_of_an_interval(void **state)
{
    (void)state;
    struct mklog m = mk_begin(512);
    mk_write(&m, 0, 'A');
    mk_write(&m, 1, 'B');
    mk_flush(&m);
    mk_write(&m, 2, 'C');
    mk_flush(&m);
    struct blklog log = mk_open(&m);
    int img = mk_image(512, 0);
    struct seen s = { .ss = 512 };
    assert_int_equal(blklog_replay(&log, img, BLKLOG_DROPS, record, &s, NULL), 0);
    assert_seen(&s, (const char *const[]){ "D1:.B......", "D1:A.......", "F1:AB......",
                                           "D2:AB......", "F2:ABC....." }, 5);
    blklog_close(&log);
    close(img), close(m.fd);
}

static void blklog_replay_drop_restores_overwritten_sectors(void **state)
{
    (void)state;
    struct mklog m = mk_begin(512);
    mk_write(&m, 0, 'A');
    mk_entry(&m, 0, 2, 0, 'B');                       /* overwrites A, and sector 1 */
    mk_flush(&m);
    struct blklog log = mk_open(&m);
    int img = mk_image(512, 'z');
    struct seen s = { .ss = 512 };
    assert_int_equal(blklog_replay(&log, img, BLKLOG_DROPS, record, &s, NULL), 0);
    assert_seen(&s, (const char *const[]){ "D1:BBzzzzzz", "D1:Azzzzzzz", "F1:BBzzzzzz" }, 3);
    blklog_close(&log);
    close(img), close(m.fd);
}

static void blklog_replay_tail_only_when_asked(void **state)
{
    (void)state;
    struct mklog m = mk_begin(512);
    mk_write(&m, 0, 'A');
    mk_flush(&m);
    mk_write(&m, 1, 'B');
    struct blklog log = mk_open(&m);
    mk_write(&m, 2, 'X');                             /* logged, never counted: ignored */
    int img = mk_image(512, 0);
    struct seen s = { .ss = 512 };
    assert_int_equal(blklog_replay(&log, img, BLKLOG_DROPS, record, &s, NULL), 0);
    assert_seen(&s, (const char *const[]){ "D1:........", "F1:A......." }, 2);
    s.n = 0;
    assert_int_equal(blklog_replay(&log, img, BLKLOG_DROPS | BLKLOG_TAIL, record, &s, NULL), 0);
    assert_seen(&s, (const char *const[]){ "D1:A.......", "F1:A.......", "D2:A.......",
                                           "F2:AB......" }, 4);
    blklog_close(&log);
    close(img), close(m.fd);
}

static void blklog_replay_discard_zeroes_and_large_sectors(void **state)
{
    (void)state;
    struct mklog m = mk_begin(4096);
    mk_entry(&m, 1, 3, 0, 'Q');
    mk_flush(&m);
    mk_entry(&m, 2, 1, BLKLOG_DISCARD, 0);
    mk_flush(&m);
    struct blklog log = mk_open(&m);
    int img = mk_image(4096, 'z');
    struct seen s = { .ss = 4096 };
    assert_int_equal(blklog_replay(&log, img, 0, record, &s, NULL), 0);
    assert_seen(&s, (const char *const[]){ "F1:zQQQzzzz", "F2:zQ.Qzzzz" }, 2);
    blklog_close(&log);
    close(img), close(m.fd);
}

static void blklog_replay_counts_failed_visits(void **state)
{
    (void)state;
    struct mklog m = mk_begin(512);
    mk_write(&m, 0, 'A');
    mk_write(&m, 1, 'B');
    mk_flush(&m);
    struct blklog log = mk_open(&m);
    int img = mk_image(512, 0);
    struct seen s = { .ss = 512, .fail_at = 2 };
    assert_int_equal(blklog_replay(&log, img, BLKLOG_DROPS, record, &s, NULL), 1);
    assert_int_equal(s.n, 3);                         /* a failure does not stop the replay */
    blklog_close(&log);
    close(img), close(m.fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blklog_open_reads_entries_and_flushes),
        cmocka_unit_test(blklog_open_rejects_bad_magic),
        cmocka_unit_test(blklog_open_rejects_unknown_flags),
        cmocka_unit_test(blklog_open_rejects_entry_past_end_of_log),
        cmocka_unit_test(blklog_replay_visits_each_flush_point),
        cmocka_unit_test(blklog_replay_drops_each_write_of_an_interval),
        cmocka_unit_test(blklog_replay_drop_restores_overwritten_sectors),
        cmocka_unit_test(blklog_replay_tail_only_when_asked),
        cmocka_unit_test(blklog_replay_discard_zeroes_and_large_sectors),
        cmocka_unit_test(blklog_replay_counts_failed_visits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
