/*
 * osrv.h — the objmgr server's state and the handlers of its protocol (sas/proto/objmgr.h).
 *
 * The handlers hold no IPC: everything they ask of another task — persist's store,
 * capstore's decisions, root's bindings, the kernel's unmap — goes through struct
 * osrv_env, which osrv_ipc.c implements with IPC in the server and the host tests
 * implement with the persist and capstore libraries called directly. So the server's
 * logic, its transaction protocol included, is tested on the host.
 *
 * Memory. Every resident object page has one frame: a page of objmgr's own frame pool
 * (frames[i] at pool + i pages), mapped on to every task that may see it. struct
 * osrv_page describes frame i: which object page it holds, whether it is dirty (the
 * dirty bits of every unmap folded in) and the chains that find it by address and by
 * object.
 */
#ifndef OBJMGR_OSRV_H
#define OBJMGR_OSRV_H

#include <stddef.h>
#include <stdint.h>
#include <l4/utcb.h>
#include <sas/server.h>
#include <objmgr/objmgr.h>
#include <capstore/capstore.h>

#define OSRV_DOMAIN_NAME 32u           /* bytes of a domain name in the protocols */
#define OSRV_TASKS       1024u         /* task numbers the kernel gives */
#define OSRV_HASH        4096u         /* buckets of the page and object hashes */
#define OSRV_REC_MAX     464u          /* key + value bytes of one capstore record */
#define OSRV_NIL         0xffffffffu

/* A record capstore asked to store; objmgr writes it in one of its transactions. */
struct osrv_rec {
    uint8_t op;                        /* 1 put, 2 delete */
    uint16_t klen, vlen;
    uint64_t base;                     /* the object it belongs to; 0: none (keys, domains) */
    uint8_t data[OSRV_REC_MAX];        /* key, then value */
    struct osrv_rec *next;
};

/* What the server asks of others. Every function returns enum sas_error. */
struct osrv_env {
    void *ctx;
    /* persist: the store (sas/proto/persist.h) */
    enum sas_error (*begin)(void *ctx);
    enum sas_error (*commit)(void *ctx);
    void (*abort)(void *ctx);
    enum sas_error (*page_write)(void *ctx, uint64_t addr, const void *page);
    enum sas_error (*page_read)(void *ctx, uint64_t addr, void *page);
    enum sas_error (*discard)(void *ctx, uint64_t addr, uint64_t pages);
    enum sas_error (*record_put)(void *ctx, uint64_t base, const void *rec, size_t len);
    enum sas_error (*record_del)(void *ctx, uint64_t base);
    enum sas_error (*record_next)(void *ctx, uint64_t from, uint64_t *base, void *rec,
                                  size_t cap, size_t *len);
    enum sas_error (*meta_put)(void *ctx, const char *key, const void *val, size_t len);
    enum sas_error (*meta_get)(void *ctx, const char *key, void *val, size_t cap, size_t *len);
    enum sas_error (*db_put)(void *ctx, const void *key, size_t klen, const void *val,
                             size_t vlen);
    enum sas_error (*db_del)(void *ctx, const void *key, size_t klen);
    /* capstore (sas/proto/capstore.h) */
    enum sas_error (*domain)(void *ctx, const char name[OSRV_DOMAIN_NAME], domain_id *id,
                             int *created);
    enum sas_error (*mint)(void *ctx, uint64_t base, uint64_t epoch, domain_id d,
                           struct cap *out);
    enum sas_error (*check)(void *ctx, domain_id d, const struct cap_object *o, uint64_t addr,
                            unsigned access, struct cap_decision *out);
    enum sas_error (*retire)(void *ctx, uint64_t base);
    enum sas_error (*log)(void *ctx, struct osrv_rec *out);   /* SAS_ENOTFOUND: none left */
    /* root: the domain root bound task to, and the id of the task's lthread 0 */
    enum sas_error (*task_domain)(void *ctx, unsigned task, l4_threadid_t *lthread0,
                                  char name[OSRV_DOMAIN_NAME]);
    /* the kernel */
    int (*alive)(void *ctx, l4_threadid_t id);
    /* Takes `rights` (L4_FPAGE_*; 0: none) from every mapping derived from objmgr's
     * mapping of the frame page; returns that page's accessed (1) and dirty (2) bits. */
    unsigned (*unmap)(void *ctx, void *page, unsigned rights);
    uint64_t (*now_ns)(void *ctx);
    /* capstore's sharing requests (issue 21): a grant from domain `from` into the list of
     * the domain called `to`; a capability into d's own list; d's i-th capability and the
     * list's length. */
    enum sas_error (*grant)(void *ctx, domain_id from, const char to[OSRV_DOMAIN_NAME],
                            const struct cap *c);
    enum sas_error (*cap_add)(void *ctx, domain_id d, const struct cap *c);
    enum sas_error (*cap_list)(void *ctx, domain_id d, unsigned i, struct cap *out,
                               unsigned *count);
    enum sas_error (*revoke)(void *ctx, const struct cap *c);
    /* Starts the committer on s->c (OSRV_COMMIT_START); used only when c.thread is set. */
    enum sas_error (*commit_start)(void *ctx);
};

struct osrv_page {
    uint64_t va;                       /* the object page it holds; 0: free */
    uint32_t hnext;                    /* next frame in va's hash chain */
    uint32_t onext;                    /* next frame of the same object */
    uint8_t dirty;                     /* written since the last commit that wrote it */
};

/* Per object: what the table's record does not say. */
struct osrv_obj {
    uint64_t base, size, epoch;
    uint32_t flags;                    /* OBJ_PERSISTENT */
    domain_id owner;
    uint8_t durable;                   /* its record is in the store */
    uint8_t committing;                /* in the commit in flight */
    uint8_t record_stale;              /* durable, but grown since its record was stored */
    uint32_t pages;                    /* first resident frame (chain by onext), or NIL */
    struct osrv_obj *hnext;
};

struct osrv_binding {
    l4_threadid_t lthread0;            /* nil: none */
    domain_id dom;
};

/*
 * The committer. In the server a commit runs in a thread of its own (osrv_main.c), so
 * that faults on resident pages go on while persist writes: from the request that starts
 * a commit until the committer reports back (OSRV_COMMIT_DONE), the server thread answers
 * only faults it can answer from memory — a bound task, a resident page, capstore's
 * decision — and not a write to an object being committed (its pages are write-protected
 * and being read). Every other request waits in a queue (OSRV_QUEUE; past it: SAS_EBUSY)
 * and is served, in order, when the commit is done; a task may hold OSRV_QUEUE_PER_TASK of
 * its places at most, since nothing of a request (its sender's binding included) is read
 * until it is served. A page of an object being committed is mapped without the write
 * right, whatever the fault, so nothing writes it while it is stored. Without a committer
 * thread (the host tests) a commit runs in the request.
 */
#define OSRV_COMMIT_START 0x4f4d00f0u  /* server thread -> committer: run s->c's commit */
#define OSRV_COMMIT_DONE  0x4f4d00f1u  /* committer -> server thread: MR0 error, MR1 pages */
#define OSRV_QUEUE        32u
#define OSRV_QUEUE_PER_TASK 4u         /* no task takes more of it */
#define OSRV_COMMIT_OBJS  4096u

struct osrv_queued {
    l4_threadid_t from;
    l4_msgtag_t tag;
    uint64_t w[L4_MSG_MAX_WORDS];
};

struct osrv_commit {
    l4_threadid_t thread;              /* the committer; nil: commits run in the request */
    int busy;                          /* a commit is in flight */
    l4_threadid_t client;              /* whose */
    struct osrv_obj *objs[OSRV_COMMIT_OBJS];
    unsigned n;
    int done;                          /* its result below is ready to go to client */
    enum sas_error result;
    uint64_t pages;
    struct osrv_queued q[OSRV_QUEUE];  /* requests that wait for the commit, in order */
    unsigned qhead, qn;
};

/*
 * objmgr's own cache of capstore's allowing decisions, so that a fault on a page whose
 * decision is known costs no IPC to capstore. It may cache what capstore answers because
 * every change to capabilities passes through objmgr (mint, retire, grant, add): each of
 * those empties it (a new generation), and an entry holds only until the capability's
 * expiry. Denials are not cached: they are asked again, and explained.
 */
#define OSRV_DCACHE 1024u

struct osrv_dce {
    uint64_t gen;                      /* s->dgen when filled; other values: empty */
    uint64_t base, epoch, lo, hi, valid_until;
    domain_id dom;
    uint8_t access, rights;
    uint8_t tag[CAP_TAG_BYTES];
};

struct osrv_stats {
    uint64_t faults, pages_read, pages_written, commits, checks, domains, dcache_hits;
};

struct osrv {
    struct osrv_env env;
    struct obj_table *table;
    uint8_t *pool;                     /* nframes pages */
    uint32_t nframes, nfree, free_head, resident;
    struct osrv_page *frames;
    uint32_t phash[OSRV_HASH];
    struct osrv_obj *ohash[OSRV_HASH];
    struct osrv_binding bind[OSRV_TASKS];
    struct osrv_rec *pending, **pending_tail;   /* capstore's records not yet stored */
    uint64_t *mr;                      /* message words 8 and up: the UTCB's (a test's array) */
    uint64_t epoch_reserved;           /* epochs below it may be in use: stored durably */
    struct osrv_stats st;
    struct osrv_commit c;
    struct osrv_dce dcache[OSRV_DCACHE];
    uint64_t dgen;                     /* the decision cache's generation (>= 1) */
    const struct server *srv;          /* for replaying queued requests */
};

/* osrv_state.c: setup, restore, frames, objects, bindings */
enum sas_error osrv_init(struct osrv *s, const struct osrv_env *env, void *pool,
                         uint32_t nframes);
enum sas_error osrv_restore(struct osrv *s);     /* the table from the store */
void osrv_fini(struct osrv *s);                  /* frees everything osrv_init made */
struct osrv_obj *osrv_obj_find(struct osrv *s, uint64_t base);
enum sas_error osrv_obj_add(struct osrv *s, const struct obj_record *r, uint8_t durable);
void osrv_obj_drop(struct osrv *s, struct osrv_obj *o);
uint32_t osrv_page_find(const struct osrv *s, uint64_t va);       /* frame, or NIL */
uint32_t osrv_page_new(struct osrv *s, struct osrv_obj *o, uint64_t va);   /* NIL: none */
void osrv_pages_free(struct osrv *s, struct osrv_obj *o, uint64_t from, uint64_t to);
static inline void *osrv_frame(const struct osrv *s, uint32_t f)
{
    return s->pool + (uint64_t)f * 4096u;
}
/* The domain of the sender (bound by root), or an error: SAS_EPERM (a service or a task
 * root does not know), the others'. */
enum sas_error osrv_bind(struct osrv *s, l4_threadid_t from, domain_id *out);
/* The sender's domain if root's binding is known already (no IPC but a liveness check);
 * -1 if it is not. */
int osrv_bound(struct osrv *s, l4_threadid_t from, domain_id *out);

/* osrv_store.c: transactions. A store change beside the objects' pages: a record to
 * put (shrink) or delete (delete), and a range of pages to discard. */
struct osrv_change {
    uint64_t base;                     /* 0: none */
    const struct obj_record *put;      /* the new record, or NULL to delete base's */
    uint64_t discard, npages;          /* pages [discard, + npages) leave the store */
};
#define OSRV_META_EPOCH  "objmgr.epoch" /* the durable epoch bound (persist's meta) */
#define OSRV_EPOCH_BATCH 1024u         /* epochs reserved per store write */
enum sas_error osrv_drain(struct osrv *s);          /* capstore's log into pending */
/* One store transaction: every pending record that may go (see osrv_store.c), the
 * records and dirty pages of objs[0..n), the change ch (may be NULL), the epoch bound.
 * All or nothing; *pages (may be NULL) gets the pages written. */
enum sas_error osrv_txn(struct osrv *s, struct osrv_obj **objs, unsigned n,
                        const struct osrv_change *ch, uint64_t *pages);
/* Makes sure the next epoch is below the durable bound (a transaction if not). */
enum sas_error osrv_epoch_reserve(struct osrv *s);
void osrv_pending_forget(struct osrv *s, uint64_t base);
/* base's object left the store: its pending records go with any transaction from now on. */
void osrv_pending_release(struct osrv *s, uint64_t base);

/* osrv_ops.c: the protocol */
extern const struct server_op osrv_ops[];
extern const unsigned osrv_nops;
void osrv_server(struct osrv *s, struct server *out);
/* The server's deferred hook: a finished commit's reply, then queued requests replayed. */
int osrv_deferred(void *state, l4_threadid_t *to, l4_msgtag_t *tag, l4_msg_t *m);

#endif
