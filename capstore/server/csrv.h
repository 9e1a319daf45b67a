/*
 * csrv.h — the capstore server (sas/proto/capstore.h) inside: its log, the storage backend
 * the capstore library writes through, the request handlers and the hooks that reach the
 * kernel, root and persist.
 *
 *   csrv_log.c   the log and the backend: loads through a source (persist's database
 *                "capstore" in the guest, a fake in the host tests), never writes; every
 *                committed put and delete is appended to the log for objmgr to take.
 *   csrv_ops.c   the requests, as sas/server.h handlers without IPC, and their label table.
 *   csrv_sys.c   the hooks below, and the source over persist (PERSIST_DB_NEXT): the IPC.
 *   main.c       setup: open the store, tell root, serve.
 * csrv_log.c and csrv_ops.c are host-tested (tests/unit/test_capstore_server.c), with the
 * hooks faked.
 */
#ifndef CSRV_H
#define CSRV_H

#include <stddef.h>
#include <stdint.h>
#include <capstore/capstore.h>
#include <sas/proto/capstore.h>
#include <sas/server.h>

/* ---- The log -------------------------------------------------------------------- */

/* A record: a put (with a value) or a delete of key. */
struct csrv_rec {
    struct csrv_rec *next;
    uint8_t  op;                       /* CAPSTORE_LOG_PUT or CAPSTORE_LOG_DEL */
    uint8_t  klen;                     /* 1..CAPSTORE_KEY_MAX */
    uint16_t vlen;                     /* 0..CAPSTORE_VALUE_MAX */
    uint8_t  bytes[];                  /* the key, then the value */
};

/*
 * Where the backend loads from: next() gives the entry with the smallest key strictly
 * greater than key[0..klen) (klen 0: the first entry) in out, SAS_ENOTFOUND after the last,
 * or another error. Keys and values within CAPSTORE_KEY_MAX and CAPSTORE_VALUE_MAX.
 */
struct csrv_source {
    void *arg;
    enum sas_error (*next)(void *arg, const uint8_t *key, size_t klen,
                           struct csc_record *out);
};

/*
 * The log: a FIFO of committed records, and the records of the one open write
 * transaction, which join it at commit (abort drops them). It holds at most
 * CAPSTORE_LOG_MAX records, committed and open together: a put beyond that is SAS_EBUSY.
 */
struct csrv_log {
    struct csrv_source src;
    struct csrv_rec *head, **tail;     /* committed, oldest first */
    struct csrv_rec *txn, **txn_tail;  /* the open write transaction's */
    unsigned n;                        /* records in both lists */
    int writing;                       /* a write transaction is open */
    int written;                       /* something was committed: the source is stale */
    uint64_t appended, dropped;        /* since init: committed records, records forgotten */
};

/* An empty log that loads from src. */
void csrv_log_init(struct csrv_log *log, struct csrv_source src);
/* Frees every record. */
void csrv_log_free(struct csrv_log *log);
/* The storage backend over log, for capstore_open. */
struct capstore_backend csrv_log_backend(struct csrv_log *log);
/* 1 if n more records fit. */
int csrv_log_room(const struct csrv_log *log, unsigned n);
/* Takes the oldest committed record off the log (the caller frees it), or NULL. */
struct csrv_rec *csrv_log_take(struct csrv_log *log);
/* Puts r, just taken, back at the head of the log. */
void csrv_log_untake(struct csrv_log *log, struct csrv_rec *r);
/* Drops the committed records that name the object at base; returns how many. */
unsigned csrv_log_forget(struct csrv_log *log, uint64_t base);

/* ---- The server ------------------------------------------------------------------ */

struct csrv {
    struct capstore *cs;
    struct csrv_log log;
    l4_threadid_t objmgr;              /* objmgr's server thread as root named it; nil:
                                        * not asked yet, or gone */
    l4_word_t *mr;                     /* message words 8 and up: the server thread's
                                        * UTCB (l4_utcb()->mr) in the guest */
    struct csrv_rec *taken;            /* the record of the last CAPSTORE_LOG reply, kept
                                        * until the next in case it is not delivered */
};

extern const struct server_op csrv_ops[];
extern const unsigned csrv_nops;
/* struct server's reply_failed hook: a CAPSTORE_LOG reply that did not reach objmgr (gone
 * during its call) puts its record back at the head of the log, as nobody wrote it. */
enum server_action csrv_reply_failed(void *state, struct server_msg *msg, unsigned err);

/* ---- Hooks (csrv_sys.c in the guest; the host test fakes them) --------------------- */

/* objmgr's server thread, from root (ROOT_SERVICE_OBJMGR): SAS_OK, SAS_ENOTFOUND, SAS_EIO. */
enum sas_error csrv_objmgr_find(l4_threadid_t *id);
/* 1 if thread t exists (the kernel's l4_id_nearest), else 0. */
int csrv_thread_alive(l4_threadid_t t);
/* Wall-clock seconds: the KIP's boot_time plus the seconds since boot. */
uint64_t csrv_now(void);

/* The source over persist's database "capstore" (PERSIST_DB_NEXT to thread *persist). */
enum sas_error csrv_persist_next(void *persist, const uint8_t *key, size_t klen,
                                 struct csc_record *out);

#endif
