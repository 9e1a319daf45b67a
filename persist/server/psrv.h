/*
 * psrv.h — the persist server's state and handlers (sas/proto/persist.h is the protocol).
 *
 * psrv_ops.c holds the requests as plain functions over struct psrv, with no IPC in them:
 * the page a request maps in is read at s->window, the message words past MR7 at s->hi,
 * and the kernel and root are reached only through the two hooks below, which main.c
 * implements and the host test (tests/unit/test_persist_server.c) fakes. main.c opens the
 * store, fills in struct psrv and runs sas/server.h's loop on psrv_ops.
 */
#ifndef PERSIST_SERVER_PSRV_H
#define PERSIST_SERVER_PSRV_H

#include <persist/persist.h>
#include <sas/server.h>
#include <sas/proto/persist.h>

struct psrv {
    struct persist *p;            /* the store, open read-write */
    struct persist_txn *txn;      /* objmgr's write transaction, or NULL */
    persist_db capdb;             /* the "capstore" database */
    uint8_t *window;              /* where a request's page lands (one page) */
    l4_word_t *hi;                /* message words 8..: the UTCB's mr, both ways */
    l4_threadid_t objmgr;         /* the clients' ids as root gave them (nil: unknown) */
    l4_threadid_t capstore;
};

extern const struct server_op psrv_ops[];
extern const unsigned psrv_nops;

/* Hooks (main.c): the id root gives for service svc (ROOT_SERVICE_*), nil if it has none;
 * 1 if thread id names a thread that exists. */
l4_threadid_t psrv_lookup(unsigned svc);
int psrv_alive(l4_threadid_t id);

/* psrv_cursor.c: the record with the least base >= from, in t: *base, its bytes (valid
 * until t ends) and length. SAS_ENOTFOUND past the last; SAS_ESTORE_CORRUPT for a key of
 * the wrong size. */
enum sas_error psrv_record_next(struct persist_txn *t, uint64_t from, uint64_t *base,
                                const void **rec, size_t *len);
/* psrv_cursor.c: persist_pages_discard(t, addr, n), with its checks and errors, in time
 * that grows with the stored runs the range overlaps, not with n. */
enum sas_error psrv_pages_discard(struct persist_txn *t, uint64_t addr, uint64_t n);

#endif
