/*
 * persist/persist.h — Ell Four's persistent store: one LMDB environment in one file or
 * device (the disk image *is* an LMDB file; `mdb_stat -n IMG` reads it).
 *
 * Contract:
 *  - The environment is opened MDB_NOSUBDIR | MDB_NOLOCK with a map size equal to the file
 *    size, and never with MDB_NOSYNC, MDB_NOMETASYNC, MDB_MAPASYNC or MDB_WRITEMAP: a
 *    returned persist_commit() has been flushed (fdatasync) and is durable.
 *  - Named databases: "pages" (object pages; key = big-endian address, so key order is
 *    address order), "objects" (object records, opaque to persist; key = big-endian base),
 *    "meta" (format version, page-checksum key, layout, and whatever other modules store,
 *    e.g. objmgr's epoch counter). Other modules get their own databases with
 *    persist_db_open() (capstore: capabilities and domains); the three above are reserved.
 *  - Every stored page carries a keyed BLAKE2b checksum over (address, contents): a
 *    corrupted or misplaced page is reported as SAS_ESTORE_CORRUPT, never returned.
 *  - A page never written reads as zeros and takes no space; writing a zero page frees it.
 *  - All changes made through one write transaction are committed all or nothing, across
 *    any number of objects. Only one write transaction may be open at a time (LMDB's rule;
 *    with MDB_NOLOCK persist is the only process using the store).
 *  - After any failed write operation the transaction is poisoned: persist_commit() then
 *    rolls it back and returns that first error. SAS_ESTORE_FULL loses nothing committed.
 *  - Every function returns enum sas_error; LMDB and errno codes are translated in exactly
 *    one place (persist_error()).
 */
#ifndef PERSIST_PERSIST_H
#define PERSIST_PERSIST_H

#include <stddef.h>
#include <stdint.h>
#include <sas/errors.h>

/* On-disk format written by this code; opening a store with a larger one is refused. */
#define PERSIST_FORMAT_VERSION   1u
/* Largest number of object pages packed in one stored value (see docs/SAS.md). */
#define PERSIST_RUN_PAGES_MAX    32u
/* The run length new stores use unless told otherwise (chosen by measurement, SAS.md). */
#define PERSIST_RUN_PAGES_DEFAULT 8u
/* Bytes of the keyed BLAKE2b checksum kept with each page. */
#define PERSIST_CSUM_BYTES       16u

struct persist;       /* an open store */
struct persist_txn;   /* a transaction on it */
typedef unsigned int persist_db; /* a named database of another module */

/* Options of persist_create(). */
struct persist_create_opts {
    uint64_t size;        /* file size in bytes (a multiple of 4096, >= 64 KiB) */
    unsigned run_pages;   /* object pages per stored value: 1 (plain) .. RUN_PAGES_MAX, power of 2 */
};

/* What persist_probe() reads from an image without opening it with LMDB. */
struct persist_probe {
    uint64_t file_size;   /* bytes */
    uint64_t last_page;   /* LMDB's last used page number (from the newer meta page) */
    uint64_t txnid;       /* LMDB's last committed transaction id */
    uint64_t map_size;    /* map size recorded in the meta page */
};

/* Figures of an open store, for `ellfour-store stat` and the benchmarks. */
struct persist_info {
    uint32_t format;          /* PERSIST_FORMAT_VERSION of the image */
    unsigned run_pages;       /* layout of the "pages" database */
    uint64_t map_size;        /* bytes LMDB may use (= file size) */
    uint64_t used_pages;      /* LMDB pages in use (last page + 1) */
    uint64_t stored_values;   /* entries in "pages" */
    uint64_t lmdb_pages;      /* branch + leaf + overflow pages of "pages" */
    uint64_t records;         /* entries in "objects" */
    uint64_t txnid;           /* last committed transaction */
};

/* Flags of persist_open(). */
#define PERSIST_RDONLY  0x1u

/*
 * persist_create — make a new store at path (which must not exist): format it with LMDB,
 * write the format version, a fresh random checksum key and the layout, commit, then grow
 * the file to o->size. Errors: SAS_EINVAL (bad size or run_pages), SAS_EEXIST (path exists),
 * SAS_EIO (cannot create or grow the file), SAS_ENOMEM.
 */
enum sas_error persist_create(const char *path, const struct persist_create_opts *o);

/*
 * persist_probe — read LMDB's two meta pages with plain reads and check them against the
 * file size; safe on any file. Errors: SAS_ESTORE_FOREIGN (not LMDB: bad magic/version, or
 * shorter than two pages), SAS_ESTORE_TRUNCATED (file ends before the last used page),
 * SAS_EIO, SAS_ENOTFOUND (no such file).
 */
enum sas_error persist_probe(const char *path, struct persist_probe *out);

/*
 * persist_open — probe, then open the store at path with the flags above.
 * Errors: those of persist_probe(); SAS_ESTORE_FOREIGN (LMDB but not an Ell Four store),
 * SAS_ESTORE_VERSION (newer format), SAS_ESTORE_CORRUPT, SAS_EIO, SAS_ENOMEM.
 */
enum sas_error persist_open(const char *path, unsigned flags, struct persist **out);

/* persist_close — close p. Any open transaction must have been committed or aborted. */
void persist_close(struct persist *p);

/* persist_stat — fill *out. Errors: SAS_EIO, SAS_EBUSY (a write transaction is open). */
enum sas_error persist_stat(struct persist *p, struct persist_info *out);

/* persist_env_flags — the LMDB environment flags actually in force (for tests and stat). */
unsigned int persist_env_flags(struct persist *p);

/*
 * persist_begin — start a transaction (write != 0: the store's one write transaction).
 * Errors: SAS_EBUSY (a write transaction is already open), SAS_ESTORE_READONLY (write on
 * a store opened PERSIST_RDONLY), SAS_ENOMEM.
 */
enum sas_error persist_begin(struct persist *p, int write, struct persist_txn **out);

/*
 * persist_commit — make all of t's changes durable, or none of them; frees t either way.
 * A read transaction just ends. Errors: the first error of a failed operation in t;
 * SAS_ESTORE_FULL; SAS_EIO (the flush failed: the commit may or may not be on disk).
 */
enum sas_error persist_commit(struct persist_txn *t);

/* persist_abort — discard t's changes and free t. */
void persist_abort(struct persist_txn *t);

/*
 * Object pages. addr is a page-aligned address in the object region; n pages at 4 KiB.
 * persist_pages_write: store n pages from data (all-zero pages are freed instead).
 * persist_pages_read: copy n pages to out; pages never written read as zeros.
 * persist_pages_discard: free n pages (object deletion or shrinking).
 * Errors: SAS_EINVAL (misaligned, outside the object region, n == 0 or wrapping),
 * SAS_ESTORE_CORRUPT (read: a checksum or value layout is wrong), SAS_ESTORE_FULL,
 * SAS_ESTORE_READONLY (write in a read transaction), SAS_ENOMEM.
 */
enum sas_error persist_pages_write(struct persist_txn *t, uint64_t addr, size_t n,
                                   const void *data);
enum sas_error persist_pages_read(struct persist_txn *t, uint64_t addr, size_t n, void *out);
enum sas_error persist_pages_discard(struct persist_txn *t, uint64_t addr, size_t n);

/*
 * persist_pages_each — call fn for every stored page in address order, with the result of
 * its checksum check (SAS_OK, or SAS_ESTORE_CORRUPT with page == NULL). A value whose
 * layout is unreadable is reported once at its run's address. fn returns 0 to go on,
 * anything else to stop (persist_pages_each then returns SAS_OK).
 */
typedef int (*persist_page_fn)(void *arg, uint64_t addr, const void *page,
                               enum sas_error check);
enum sas_error persist_pages_each(struct persist_txn *t, persist_page_fn fn, void *arg);

/*
 * Object records: opaque bytes (objmgr's encoding) keyed by the object's base address.
 * persist_record_get copies at most cap bytes and sets *len to the stored length.
 * Errors: SAS_ENOTFOUND (get/del: no record), SAS_EINVAL (len 0 or > 1024), SAS_ESTORE_FULL,
 * SAS_ESTORE_READONLY.
 */
enum sas_error persist_record_put(struct persist_txn *t, uint64_t base, const void *rec,
                                  size_t len);
enum sas_error persist_record_get(struct persist_txn *t, uint64_t base, void *rec, size_t cap,
                                  size_t *len);
enum sas_error persist_record_del(struct persist_txn *t, uint64_t base);
typedef int (*persist_record_fn)(void *arg, uint64_t base, const void *rec, size_t len);
enum sas_error persist_record_each(struct persist_txn *t, persist_record_fn fn, void *arg);

/*
 * System metadata: small values under string keys ("format", "epoch", ...). Keys starting
 * with "persist." are persist's own and refused to others (SAS_EINVAL).
 * Errors: SAS_ENOTFOUND (get: no such key), SAS_EINVAL, SAS_ESTORE_FULL, SAS_ESTORE_READONLY.
 */
enum sas_error persist_meta_get(struct persist_txn *t, const char *key, void *val, size_t cap,
                                size_t *len);
enum sas_error persist_meta_put(struct persist_txn *t, const char *key, const void *val,
                                size_t len);
enum sas_error persist_meta_get_u64(struct persist_txn *t, const char *key, uint64_t *val);
enum sas_error persist_meta_put_u64(struct persist_txn *t, const char *key, uint64_t val);

/*
 * Named databases of other modules (capstore's capabilities and domain lists).
 * persist_db_open: open (creating on a writable store) database name; call once after
 * persist_open, outside any transaction. "pages", "objects" and "meta" are refused.
 * Values returned by persist_db_get point into the map and stay valid until t ends.
 * persist_db_each visits keys >= from (from == NULL: all) in key order until fn returns
 * non-zero. Errors: SAS_EINVAL (bad name or empty key), SAS_ENOTFOUND, SAS_ESTORE_FULL,
 * SAS_ESTORE_READONLY, SAS_ENOSPACE (too many databases), SAS_EBUSY (a transaction is open).
 */
enum sas_error persist_db_open(struct persist *p, const char *name, persist_db *out);
enum sas_error persist_db_get(struct persist_txn *t, persist_db db, const void *key,
                              size_t klen, const void **val, size_t *vlen);
enum sas_error persist_db_put(struct persist_txn *t, persist_db db, const void *key,
                              size_t klen, const void *val, size_t vlen);
enum sas_error persist_db_del(struct persist_txn *t, persist_db db, const void *key,
                              size_t klen);
typedef int (*persist_kv_fn)(void *arg, const void *key, size_t klen, const void *val,
                             size_t vlen);
enum sas_error persist_db_each(struct persist_txn *t, persist_db db, const void *from,
                               size_t fromlen, persist_kv_fn fn, void *arg);

/* persist_error — the one translation of an LMDB or errno code (either sign) to sas_error. */
enum sas_error persist_error(int rc);

#endif
