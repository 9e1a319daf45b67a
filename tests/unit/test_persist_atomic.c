/*
 * test_persist_atomic.c — a commit interrupted after any of its writes is all or nothing.
 *
 * The test binary wraps pwrite/write/writev/fdatasync/fsync (linker --wrap, applied to
 * Debian's liblmdb.a as shipped) and counts every 4 KiB written. A child opens a copy of the store, makes one commit that
 * changes pages of three objects, records and metadata, and is ended with _exit() right
 * after its N-th page write; the parent reopens the copy and finds either the whole old state or
 * the whole new one — for every N from 1 to the number of writes the commit makes.
 * (On the host a dead process's completed writes reach the file, so this shows atomicity,
 * not durability across power loss; that is the guest's flush-point replay.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <persist/persist.h>
#include <sas/layout.h>

#define PG 4096u
#define NPAGES 40
#define EXIT_KILLED 77

/* --- the wrapped calls: count writes, end the process after the armed one --- */
static long arm = -1, writes;

ssize_t __real_pwrite(int, const void *, size_t, off_t);
ssize_t __real_write(int, const void *, size_t);
ssize_t __real_writev(int, const struct iovec *, int);
int __real_fdatasync(int);
int __real_fsync(int);

static void after_write(void)
{
    if (++writes == arm)
        _exit(EXIT_KILLED);
}

/*
 * Writes are replayed one 4 KiB page at a time, each a possible crash point, so a crash
 * can fall between any two pages of the commit, not only between LMDB's own calls.
 */
ssize_t __wrap_pwrite(int fd, const void *b, size_t n, off_t off)
{
    size_t done = 0;
    while (done < n) {
        size_t k = n - done < PG ? n - done : PG;
        ssize_t r = __real_pwrite(fd, (const char *)b + done, k, off + (off_t)done);
        if (r < 0)
            return r;
        done += (size_t)r;
        after_write();
    }
    return (ssize_t)done;
}

ssize_t __wrap_write(int fd, const void *b, size_t n)
{
    size_t done = 0;
    while (done < n) {
        size_t k = n - done < PG ? n - done : PG;
        ssize_t r = __real_write(fd, (const char *)b + done, k);
        if (r < 0)
            return r;
        done += (size_t)r;
        after_write();
    }
    return (ssize_t)done;
}

ssize_t __wrap_writev(int fd, const struct iovec *v, int n)
{
    ssize_t total = 0;
    for (int i = 0; i < n; i++) {       /* same bytes at the same offsets as writev */
        ssize_t r = __wrap_write(fd, v[i].iov_base, v[i].iov_len);
        if (r < 0)
            return r;
        total += r;
    }
    return total;
}

int __wrap_fdatasync(int fd)
{
    return __real_fdatasync(fd);
}

int __wrap_fsync(int fd)
{
    return __real_fsync(fd);
}

/* --- the state: pages of three objects, two records, one metadata value --- */
static const uint64_t obj[3] = { SAS_OBJECT_BASE, SAS_OBJECT_BASE + 0x200000,
                                 SAS_OBJECT_BASE + 0x40000000 };
static char dir[64], base_img[96], img[96];

static void content(uint8_t *b, int version, int o, int pg)
{
    for (unsigned i = 0; i < PG; i++)
        b[i] = (uint8_t)(version * 101 + o * 13 + pg * 7 + i);
}

/* Apply state `version` (0 or 1) in one transaction. */
static enum sas_error write_state(struct persist *p, int version)
{
    struct persist_txn *t;
    static uint8_t buf[NPAGES * PG];
    enum sas_error e = persist_begin(p, 1, &t);
    for (int o = 0; o < 3 && !e; o++) {
        for (int i = 0; i < NPAGES; i++)
            content(buf + i * PG, version, o, i);
        e = persist_pages_write(t, obj[o], NPAGES, buf);
    }
    if (!e)
        e = persist_record_put(t, obj[version], version ? "new" : "old", 3);
    if (!e)
        e = version ? persist_record_del(t, obj[0]) : SAS_OK;
    if (!e)
        e = persist_meta_put_u64(t, "test.version", (uint64_t)version);
    if (e) {
        persist_abort(t);
        return e;
    }
    return persist_commit(t);
}

/* Which whole state the image holds: 0, 1, or -1 for a mixture. */
static int read_state(const char *path)
{
    struct persist *p;
    struct persist_txn *t;
    static uint8_t got[PG], want[PG];
    uint64_t v;
    size_t len;
    char rec[4];
    int seen[2] = { 0, 0 }, checks = 0;

    assert_int_equal(persist_open(path, PERSIST_RDONLY, &p), SAS_OK);
    assert_int_equal(persist_begin(p, 0, &t), SAS_OK);
    for (int o = 0; o < 3; o++)
        for (int i = 0; i < NPAGES; i++, checks++) {
            assert_int_equal(persist_pages_read(t, obj[o] + (uint64_t)i * PG, 1, got), SAS_OK);
            for (int ver = 0; ver < 2; ver++) {
                content(want, ver, o, i);
                seen[ver] += !memcmp(got, want, PG);
            }
        }
    assert_int_equal(persist_meta_get_u64(t, "test.version", &v), SAS_OK);
    seen[v]++;
    seen[persist_record_get(t, obj[0], rec, sizeof rec, &len) == SAS_OK ? 0 : 1]++;
    seen[persist_record_get(t, obj[1], rec, sizeof rec, &len) == SAS_OK ? 1 : 0]++;
    checks += 3;
    persist_abort(t);
    persist_close(p);
    return seen[0] == checks ? 0 : seen[1] == checks ? 1 : -1;
}

static void copy(const char *from, const char *to)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cp %s %s", from, to);
    assert_int_equal(system(cmd), 0);
}

/* Run the version-1 commit in a child armed to die after write n (-1: never). */
static int commit_in_child(long n, long *count)
{
    int fds[2], st;
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct persist *p;
        close(fds[0]);
        if (persist_open(img, 0, &p))
            _exit(2);
        writes = 0;
        arm = n;
        enum sas_error e = write_state(p, 1);
        arm = -1;
        __real_write(fds[1], &writes, sizeof writes);
        _exit(e ? 3 : 0);
    }
    close(fds[1]);
    if (read(fds[0], count, sizeof *count) != sizeof *count)
        *count = -1;
    close(fds[0]);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void every_interruption_is_all_or_nothing(unsigned run_pages)
{
    struct persist_create_opts o = { .size = 4 << 20, .run_pages = run_pages };
    struct persist *p;
    long total, dummy;

    strcpy(dir, "/tmp/test_atomic.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(base_img, sizeof base_img, "%s/base.img", dir);
    snprintf(img, sizeof img, "%s/work.img", dir);
    assert_int_equal(persist_create(base_img, &o), SAS_OK);
    assert_int_equal(persist_open(base_img, 0, &p), SAS_OK);
    /* Several commits leave free pages scattered, so the next commit writes in pieces. */
    for (int i = 0; i < 4; i++)
        assert_int_equal(write_state(p, 0), SAS_OK);
    persist_close(p);
    assert_int_equal(read_state(base_img), 0);

    copy(base_img, img);
    assert_int_equal(commit_in_child(-1, &total), 0);     /* how many writes a commit makes */
    assert_int_equal(read_state(img), 1);
    assert_true(total >= 2);
    print_message("R=%u: the commit makes %ld writes; interrupting after each\n", run_pages, total);
    int olds = 0, news = 0;
    for (long n = 1; n <= total; n++) {
        copy(base_img, img);
        assert_int_equal(commit_in_child(n, &dummy), EXIT_KILLED);
        int s = read_state(img);
        assert_true(s == 0 || s == 1);                   /* never a mixture */
        s ? news++ : olds++;
        if (n < total)
            assert_int_equal(s, 0);  /* LMDB's last write is the meta page: the commit point */
    }
    assert_true(olds >= 1);
    assert_int_equal(news, 1);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void persist_commit_is_atomic_at_every_write_plain_layout(void **st)
{
    (void)st;
    every_interruption_is_all_or_nothing(1);
}

static void persist_commit_is_atomic_at_every_write_run_layout(void **st)
{
    (void)st;
    every_interruption_is_all_or_nothing(PERSIST_RUN_PAGES_DEFAULT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(persist_commit_is_atomic_at_every_write_plain_layout),
        cmocka_unit_test(persist_commit_is_atomic_at_every_write_run_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
