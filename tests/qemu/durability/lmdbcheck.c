/*
 * lmdbcheck — the host checker of the LMDB durability test (run-lmdb-durability-test),
 * run by blklog-replay on every replayed image:
 *
 *   lmdbcheck REPORT IMAGE KIND K WRITE
 *
 * The host's LMDB opens IMAGE read-only (MDB_NOSUBDIR | MDB_NOLOCK | MDB_RDONLY) and walks
 * the main database: besides the "init" key the host put there, it must hold exactly the
 * keys c00000 .. c(M-1) of apps/posix_lmdb (posix_lmdb_commits), each with its value — a
 * prefix of the transactions. REPORT holds the guest's "posix_lmdb: committed N" lines;
 * commit N issues flushes 2N-1 (data) and 2N (meta), as the script checks in the log, so
 * at flush point K every N with 2N <= K must be there, and on a drop image of the interval
 * ending at K every N with 2N <= K - 1. Exit status 0 if it passes, 1 if not, 2 on error.
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* apps/posix_lmdb/main.c's keys and values. */
static void key_of(char *k, unsigned i) { snprintf(k, 16, "c%05u", i); }
static void value_of(char *v, unsigned i)
{
    snprintf(v, 48, "value of c%05u: %08x", i, i * 2654435761u);
}

static unsigned required(const char *report, unsigned long flushes)
{
    FILE *f = fopen(report, "r");
    char line[256];
    unsigned need = 0, n;
    if (!f) {
        perror(report);
        exit(2);
    }
    while (fgets(line, sizeof(line), f)) {
        const char *p = strstr(line, "posix_lmdb: committed ");
        if (p && sscanf(p, "posix_lmdb: committed %u", &n) == 1 && 2ul * n <= flushes &&
            n > need)
            need = n;
    }
    fclose(f);
    return need;
}

/* M, the number of 'c' keys, if they are c00000 .. c(M-1) with their values; else -1. */
static long prefix(MDB_txn *t, MDB_dbi dbi, const char *where)
{
    MDB_cursor *c;
    MDB_val k, v;
    long m = 0;
    int rc = mdb_cursor_open(t, dbi, &c);
    for (int op = MDB_FIRST; !rc && !(rc = mdb_cursor_get(c, &k, &v, op)); op = MDB_NEXT) {
        char want_k[16], want_v[48];
        if (k.mv_size == 4 && !memcmp(k.mv_data, "init", 4))
            continue;
        key_of(want_k, (unsigned)m);
        value_of(want_v, (unsigned)m);
        if (k.mv_size != strlen(want_k) || memcmp(k.mv_data, want_k, k.mv_size) ||
            v.mv_size != strlen(want_v) + 1 || memcmp(v.mv_data, want_v, v.mv_size)) {
            printf("lmdbcheck: %s: entry %ld is not %s with its value\n", where, m, want_k);
            return -1;
        }
        m++;
    }
    if (rc != MDB_NOTFOUND) {
        printf("lmdbcheck: %s: walking the database: %s\n", where, mdb_strerror(rc));
        return -1;
    }
    mdb_cursor_close(c);
    return m;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: lmdbcheck REPORT IMAGE KIND K WRITE\n");
        return 2;
    }
    char where[96];
    unsigned long k = strtoul(argv[4], NULL, 10);
    int drop = !strcmp(argv[3], "drop");
    snprintf(where, sizeof(where), "%s image, flush point %lu, write %s", argv[3], k, argv[5]);
    MDB_env *env;
    MDB_txn *t;
    MDB_dbi dbi;
    int rc = mdb_env_create(&env);
    if (!rc)
        rc = mdb_env_open(env, argv[2], MDB_NOSUBDIR | MDB_NOLOCK | MDB_RDONLY, 0600);
    if (!rc)
        rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &t);
    if (!rc)
        rc = mdb_dbi_open(t, NULL, 0, &dbi);
    if (rc) {
        printf("lmdbcheck: %s: the host's LMDB cannot open it: %s\n", where, mdb_strerror(rc));
        return 1;
    }
    long m = prefix(t, dbi, where);
    mdb_txn_abort(t);
    mdb_env_close(env);
    if (m < 0)
        return 1;
    unsigned need = required(argv[1], drop ? k - 1 : k);
    if ((unsigned long)m < need) {
        printf("lmdbcheck: %s: transactions 1..%ld on disk, but %u was reported committed\n",
               where, m, need);
        return 1;
    }
    return 0;
}
