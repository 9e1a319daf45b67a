/*
 * store.h — persist's private state and helpers shared by its source files.
 */
#ifndef PERSIST_STORE_H
#define PERSIST_STORE_H

#include <lmdb.h>
#include <persist/persist.h>

#define PERSIST_PAGE        4096u
#define PERSIST_KEY_BYTES   32u    /* crypto_generichash_KEYBYTES */
#define PERSIST_MAXDBS      16u
#define PERSIST_MAGIC       "ellfour-store"

/* Reserved metadata keys (persist's own; refused to persist_meta_put). */
#define META_MAGIC   "persist.magic"
#define META_FORMAT  "persist.format"
#define META_KEY     "persist.page_key"
#define META_RUN     "persist.run_pages"

struct persist {
    MDB_env *env;
    MDB_dbi pages, objects, meta;
    unsigned run_pages;
    uint32_t format;
    uint8_t key[PERSIST_KEY_BYTES];
    int rdonly;
    int writer;      /* a write transaction is open */
    int readers;     /* read transactions open */
};

struct persist_txn {
    struct persist *p;
    MDB_txn *txn;
    int write;
    enum sas_error err;  /* first failure of a write operation: poisons the txn */
    uint8_t *run;        /* scratch for one decoded run (run.c), allocated on first use */
};

/* Record the first failure of t and return e (so callers can `return fail(t, e)`). */
enum sas_error txn_fail(struct persist_txn *t, enum sas_error e);
/* Refuse writes in read transactions and after a failure. */
enum sas_error txn_writable(struct persist_txn *t);

/* Big-endian 8-byte keys, so that LMDB's memcmp order is address order. */
void key_be64(uint8_t out[8], uint64_t v);
uint64_t be64_key(const uint8_t in[8]);

/* meta.c: persist's own metadata access (no reserved-key check). */
enum sas_error meta_get_raw(struct persist_txn *t, const char *key, void *val, size_t cap,
                            size_t *len);
enum sas_error meta_put_raw(struct persist_txn *t, const char *key, const void *val,
                            size_t len);

/* env.c: open the reserved databases (flags: 0 or MDB_CREATE). */
enum sas_error open_dbis(struct persist *p, unsigned flags);
/* env.c: create and open an environment with persist's fixed flags (| extra). */
enum sas_error env_new(const char *path, uint64_t mapsize, unsigned extra, MDB_env **out);

#endif
