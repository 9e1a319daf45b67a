/*
 * sasbench.c — the workloads behind the figures in docs/SAS.md, measured by run.sh under
 * `valgrind --tool=callgrind --instr-atstart=no`: only the region between START and STOP
 * is instrumented, so "Collected" is the instruction count of exactly that region, and
 * setting up 10^6 objects beforehand costs no instrumentation time.
 *
 *   sasbench create N      create 1,000 objects in a table already holding N
 *   sasbench lookup N      1,000 lookups of random addresses in a table of N objects
 *   sasbench commit R P D  commit P fresh pages of one object in a store with R pages/run
 *   sasbench update R P D  rewrite 1 page of a committed P-page object, commit
 *
 * Without valgrind the macros do nothing, so ctest can run it at tiny sizes as a check.
 * commit/update also print the bytes written (wchar from /proc/self/io) and the LMDB pages
 * the "pages" database occupies: the disk-use and I/O side of the layout choice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <valgrind/callgrind.h>
#include <objmgr/objmgr.h>
#include <persist/persist.h>
#include <sas/layout.h>

#define BATCH 1000
#define PG SAS_PAGE_SIZE

static uint64_t rng = 88172645463325252ull;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static struct obj_table *table_of(long n)
{
    struct obj_table *t;
    struct obj_record r;
    if (obj_table_new(SAS_OBJECT_BASE, SAS_OBJECT_END, &t))
        exit(1);
    for (long i = 0; i < n; i++) {
        struct obj_spec s = { .size = (next_rand() % 4 + 1) * PG };
        if (obj_create(t, &s, &r))
            exit(1);
        if (i % 3 == 0)       /* holes and quarantined ranges, as in a used table */
            obj_delete(t, r.base, NULL, NULL);
    }
    return t;
}

static void bench_create(long n)
{
    struct obj_table *t = table_of(n);
    struct obj_record r;
    struct obj_spec s = { .size = 2 * PG };
    CALLGRIND_START_INSTRUMENTATION;
    for (int i = 0; i < BATCH; i++)
        if (obj_create(t, &s, &r))
            exit(1);
    CALLGRIND_STOP_INSTRUMENTATION;
    printf("create: %d objects after %ld\n", BATCH, n);
    obj_table_free(t);
}

static void bench_lookup(long n)
{
    struct obj_table *t = table_of(n);
    struct obj_record r;
    uint64_t span = obj_count(t) * 4 * PG + 1, hits = 0, probes[BATCH];
    for (int i = 0; i < BATCH; i++)
        probes[i] = SAS_OBJECT_BASE + next_rand() % span;
    CALLGRIND_START_INSTRUMENTATION;
    for (int i = 0; i < BATCH; i++)
        hits += obj_find(t, probes[i], &r) == SAS_OK;
    CALLGRIND_STOP_INSTRUMENTATION;
    printf("lookup: %d lookups in %ld objects, %llu hits\n", BATCH, n, (unsigned long long)hits);
    obj_table_free(t);
}

static long wchar(void)
{
    char line[128];
    long v = -1;
    FILE *f = fopen("/proc/self/io", "r");
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "wchar:", 6))
            v = atol(line + 6);
    if (f)
        fclose(f);
    return v;
}

static struct persist *store(unsigned run, const char *dir, char *img)
{
    struct persist_create_opts o = { .size = 64ull << 20, .run_pages = run };
    struct persist *p;
    sprintf(img, "%s/sasbench-%d.img", dir, (int)getpid());
    unlink(img);
    if (persist_create(img, &o) || persist_open(img, 0, &p))
        exit(1);
    return p;
}

static void commit_pages(struct persist *p, uint64_t addr, long n, const uint8_t *data, int measure)
{
    struct persist_txn *t;
    if (measure)
        CALLGRIND_START_INSTRUMENTATION;
    if (persist_begin(p, 1, &t) || persist_pages_write(t, addr, (size_t)n, data) ||
        persist_commit(t))
        exit(1);
    if (measure)
        CALLGRIND_STOP_INSTRUMENTATION;
}

static void bench_store(int update, unsigned run, long pages, const char *dir)
{
    char img[256];
    struct persist_info in;
    uint8_t *data = malloc((size_t)pages * PG);
    struct persist *p = store(run, dir, img);
    for (long i = 0; i < pages * (long)PG; i++)
        data[i] = (uint8_t)(i * 7 + i / PG + 1);
    if (update)
        commit_pages(p, SAS_OBJECT_BASE, pages, data, 0);
    long w0 = wchar();
    if (update)
        commit_pages(p, SAS_OBJECT_BASE + (uint64_t)(pages / 2) * PG, 1, data, 1);
    else
        commit_pages(p, SAS_OBJECT_BASE, pages, data, 1);
    long w1 = wchar();
    if (persist_stat(p, &in))
        exit(1);
    printf("%s: R=%u P=%ld written=%ld bytes (%.1f per object page) pages-db=%llu LMDB pages"
           " values=%llu\n", update ? "update" : "commit", run, pages, w1 - w0,
           (double)(w1 - w0) / (update ? 1 : pages) / PG * 1.0,
           (unsigned long long)in.lmdb_pages, (unsigned long long)in.stored_values);
    persist_close(p);
    unlink(img);
    free(data);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "create"))
        bench_create(atol(argv[2]));
    else if (argc == 3 && !strcmp(argv[1], "lookup"))
        bench_lookup(atol(argv[2]));
    else if (argc == 5 && (!strcmp(argv[1], "commit") || !strcmp(argv[1], "update")))
        bench_store(!strcmp(argv[1], "update"), (unsigned)atoi(argv[2]), atol(argv[3]), argv[4]);
    else {
        fputs("usage: sasbench create|lookup N | commit|update R P DIR\n", stderr);
        return 2;
    }
    return 0;
}
