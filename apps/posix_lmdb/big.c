/*
 * posix_lmdb_big — a store larger than the machine's RAM. KEYS values of 64 KiB (512 MiB;
 * tests/qemu/lmdb boots it with 128 MiB) are committed in transactions of PER keys: LMDB
 * without MDB_WRITEMAP keeps a transaction's dirty pages in the heap until its commit
 * writes them, so each transaction must fit in memory, while the store need not. Then
 * every value is read back through LMDB's read-only map of the disk and checked word by
 * word: the block cache pages those reads in and drops clean pages to make room, and the
 * program must see the bytes it wrote. Before it starts, it checks that the data really
 * is more than twice the memory the kernel reports (sas_ram_top, from the KIP's memory map).
 */
#include "lmdbapp.h"
#include <stdio.h>
#include <string.h>
#include <sas/sysinfo.h>

#define KEYS  8192u
#define VALUE (64u * 1024)   /* 17 LMDB pages: 16 of data and the overflow header's */
#define PER   32u            /* 2 MiB of values a transaction */
#define WORDS (VALUE / 8)

static void key_of(char *k, unsigned i) { snprintf(k, 16, "b%05u", i); }

/* Value i: a xorshift64 stream seeded by i, so no two values and no two words agree. */
static void value_of(uint64_t *v, unsigned i)
{
    uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull;
    for (unsigned j = 0; j < WORDS; j++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        v[j] = x;
    }
}

static int put_value(MDB_txn *t, MDB_dbi dbi, unsigned i)
{
    static uint64_t v[WORDS];
    char k[16];
    key_of(k, i);
    value_of(v, i);
    MDB_val mk = { strlen(k), k }, mv = { VALUE, v };
    return mdb_put(t, dbi, &mk, &mv, 0);
}

/* The number of keys found with their values (in one read transaction). */
static unsigned read_back(MDB_env *env)
{
    static uint64_t want[WORDS];
    MDB_txn *t;
    MDB_dbi dbi;
    unsigned found = 0;
    int rc = mdb_txn_begin(env, 0, MDB_RDONLY, &t);
    if (!rc)
        rc = mdb_dbi_open(t, 0, 0, &dbi);
    for (unsigned i = 0; !rc && i < KEYS; i++) {
        char k[16];
        key_of(k, i);
        value_of(want, i);
        MDB_val mk = { strlen(k), k }, mv;
        if (!mdb_get(t, dbi, &mk, &mv) && mv.mv_size == VALUE && !memcmp(mv.mv_data, want, VALUE))
            found++;
        else if (found == i)
            printf("posix_lmdb: big: key %u is missing or wrong\n", i);
    }
    if (!rc)
        mdb_txn_abort(t);
    check(!rc, "a read transaction", rc);
    return found;
}

int main(void)
{
    uint64_t disk, ram = sas_ram_top(), data = (uint64_t)KEYS * VALUE;
    printf("posix_lmdb: big: %lu MiB of values, %lu MiB of memory\n",
           (unsigned long)(data >> 20), (unsigned long)(ram >> 20));
    check(data > 2 * ram, "the store is more than twice the machine's memory", 0);
    device_ops(0);
    MDB_env *env = open_env(&disk);
    if (!env)
        return 1;
    for (unsigned i = 0; i < KEYS && !bad; i += PER) {
        int rc = in_txn(env, i, PER, put_value);
        check(!rc, "a transaction of 32 values of 64 KiB", rc);
        if ((i + PER) % 1024 == 0)
            printf("posix_lmdb: big: %u values committed\n", i + PER);
    }
    device_ops("writing");
    unsigned found = bad ? 0 : read_back(env);
    printf("posix_lmdb: big: %u of %u values read back\n", found, KEYS);
    check(found == KEYS, "every value read back", 0);
    device_ops("reading back");
    check(phase_bytes >= data, "the values came back from the disk, not from memory", 0);
    report(env);
    mdb_env_close(env);
    printf("posix_lmdb: %s\n", bad ? "FAILED" : "all ok");
    return bad ? 1 : 0;
}
