/*
 * sas/proto/persist.h — the persist server's protocol (persist/server), and its client
 * stubs.
 *
 * persist owns the store on the disk (persist/persist.h: one LMDB environment on /disk)
 * and is the only task that reads or writes it. Its thread id comes from the root task:
 * root_service(root, ROOT_SERVICE_PERSIST, &id) (sas/proto/root.h), once persist has
 * opened an Ell Four store read-write and told root so. Every request is an IPC call to
 * that thread; the reply's label is an enum sas_error (SAS_OK = 0).
 *
 * Who may call. persist serves two tasks, both known by the ids root gives it
 * (ROOT_SERVICE_OBJMGR, ROOT_SERVICE_CAPSTORE): any thread of objmgr's task may make every
 * request; capstore's may make PERSIST_DB_NEXT only. persist asks root for an id when a
 * sender of an unknown task appears (objmgr and capstore start after it) and caches it
 * while the thread root named still exists (l4_id_nearest). Anyone else, and capstore for
 * any other request, gets SAS_EPERM (u = 0), checked before a word of the request is
 * read; nothing changes. A write transaction left open by an objmgr that is gone is rolled
 * back when persist learns it is gone.
 *
 * Transactions. One write transaction at a time, objmgr's: PERSIST_BEGIN opens it and it
 * stays open across requests until PERSIST_COMMIT or PERSIST_ABORT. Requests that change
 * the store need it (SAS_EINVAL without). Reads (PAGE_READ, RECORD_NEXT, META_GET,
 * DB_NEXT) use the open write transaction when there is one, whoever asks, so they see
 * its changes; otherwise a read transaction of their own, for that one request. After a
 * failed write request the transaction is poisoned (persist's rule): later writes in it
 * return that first error, and PERSIST_COMMIT rolls it back and returns it.
 *
 * Pages move by mapping, never in words. A page request carries one map item (t = 2) of
 * one 4 KiB page of the caller's; persist receives it in its window: one page it reserves
 * at start in its own program slot, never touched otherwise (an anonymous PROT_NONE
 * mapping: the personality never puts a frame of its own there, so the only thing ever
 * mapped there is a client's page). The window is one page, so the item lands there
 * whatever its hot spot, and the client needs not know where it is. persist unmaps the
 * window (fpage_unmap, L4_UNMAP_SELF) before it replies to any request and before every
 * receive, so the page is persist's for the one request only, and the next item lands
 * on an empty window. A map item carries only a page the sender has mapped, with the
 * rights of the item and of the sender's mapping: the stubs below touch the page first
 * (for PAGE_READ with a write), so that persist never finds its window empty or
 * read-only, which would end it with a fault.
 *
 * Requests (label; words MR0..; words past MR7 are the UTCB's, l4_utcb()->mr):
 *   PERSIST_BEGIN          no words. Opens the write transaction. SAS_EBUSY if it is open.
 *   PERSIST_COMMIT         no words. Makes the transaction durable (flushed) when SAS_OK;
 *                          it is closed either way. SAS_EINVAL if none is open; the first
 *                          error of a poisoned transaction; SAS_ESTORE_FULL; SAS_EIO (the
 *                          flush failed: the commit may or may not be on the disk).
 *   PERSIST_ABORT          no words. Discards the transaction. SAS_EINVAL if none is open.
 *   PERSIST_PAGE_WRITE     MR0 = a page-aligned address in the object region; t = 2: a
 *                          map item of the page to store (read-only suffices). Stored in
 *                          the open transaction (an all-zero page frees it).
 *   PERSIST_PAGE_READ      MR0 = a page-aligned address; t = 2: a read-write map item of
 *                          the caller's frame, which persist fills (zeros if never
 *                          written). In or out of the transaction. On an error the
 *                          frame's contents are undefined.
 *   PERSIST_PAGES_DISCARD  MR0 = address, MR1 = pages (>= 1): freed, in the transaction.
 *   PERSIST_RECORD_PUT     MR0 = base, MR1 = length (1 .. PERSIST_RECORD_MAX), MR2.. the
 *                          bytes (packed, little-endian words): objmgr's record of the
 *                          object at base, put in the transaction.
 *   PERSIST_RECORD_DEL     MR0 = base: its record deleted in the transaction;
 *                          SAS_ENOTFOUND (no record; the transaction is not poisoned).
 *   PERSIST_RECORD_NEXT    MR0 = base: the record with the least key >= MR0. Reply u =
 *                          2 + words: MR0 = its base, MR1 = length, MR2.. the bytes.
 *                          SAS_ENOTFOUND past the last. SAS_ENOTSUP, u = 2 (MR0 = base,
 *                          MR1 = length), for a record longer than PERSIST_RECORD_MAX
 *                          (never put through this protocol): ask again from base + 1.
 *   PERSIST_META_PUT       MR0 = key length (1 .. PERSIST_META_KEY_MAX), MR1..MR2 = the
 *                          key's bytes (no NUL among them), MR3 = value length (0 ..
 *                          PERSIST_META_VAL_MAX), MR4.. the value's bytes. In the
 *                          transaction. Keys "persist.*" are persist's own: SAS_EINVAL.
 *   PERSIST_META_GET       MR0..MR2 as META_PUT's. Reply u = 1 + words: MR0 = length,
 *                          MR1.. the value. SAS_ENOTFOUND; SAS_EINVAL for "persist.*"
 *                          (persist's own keys never leave it); SAS_ENOTSUP for a value
 *                          longer than PERSIST_META_VAL_MAX (never put through this
 *                          protocol).
 *   PERSIST_DB_PUT         on the "capstore" database (the only one served): MR0 = klen |
 *                          vlen << 16 (klen 1 .. PERSIST_DB_KEY_MAX, vlen 0 ..
 *                          PERSIST_DB_VAL_MAX, higher bits zero), then the key's bytes
 *                          and right after them the value's, packed from MR1 on. In the
 *                          transaction.
 *   PERSIST_DB_DEL         as DB_PUT with vlen = 0: the key deleted in the transaction;
 *                          SAS_ENOTFOUND (no such key; the transaction is not poisoned).
 *   PERSIST_DB_NEXT        MR0 = klen (0 .. PERSIST_DB_KEY_MAX; 0: from the start), MR1..
 *                          the key's bytes: the entry with the least key greater than it
 *                          (or the first). Reply as DB_PUT's request: u = 1 + words, MR0 =
 *                          klen | vlen << 16, key and value bytes from MR1. SAS_ENOTFOUND
 *                          past the last. SAS_ENOTSUP for an entry over the limits (never
 *                          put through this protocol): with u = 1 + words, MR0 and its key
 *                          alone if the key is within PERSIST_DB_KEY_MAX (ask on from it),
 *                          else u = 0. objmgr and capstore.
 *   PERSIST_STAT           no words. Reply u = 8: the store's figures (persist_info): MR0
 *                          format, MR1 run_pages, MR2 map_size, MR3 used_pages, MR4
 *                          stored_values, MR5 lmdb_pages, MR6 records, MR7 txnid.
 *                          SAS_EBUSY while the write transaction is open.
 * "words" is the number of words the bytes take: (bytes + 7) / 8, the last one zero-padded.
 * Replies other than those listed have u = 0.
 *
 * Errors (beyond those named above):
 *   SAS_EPERM    the sender is not a client that may make this request (above)
 *   SAS_EINVAL   a word count (u) or item count (t) other than the request's; a length
 *                out of range; a misaligned page address; a write request without an open
 *                transaction; a page request without its map item. Also persist's own
 *                argument checks: an address outside the object region, a range that wraps.
 *   SAS_ENOTSUP  an unknown label
 *   persist's    SAS_ESTORE_CORRUPT (a page's checksum or a run's layout is wrong: nothing
 *                returned), SAS_ESTORE_FULL (the transaction is poisoned), SAS_ENOMEM,
 *                SAS_EIO — persist/persist.h's.
 * The stubs also return SAS_EIO when the IPC itself fails (no server), and for a reply
 * whose words do not add up.
 */
#ifndef SAS_PROTO_PERSIST_H
#define SAS_PROTO_PERSIST_H

#include <stddef.h>
#include <stdint.h>
#include <l4/syscalls.h>
#include <l4/fpage.h>
#include <l4/utcb.h>
#include <sas/errors.h>

#define PERSIST_BASE           0x50530000u
#define PERSIST_BEGIN          0x50530001u
#define PERSIST_COMMIT         0x50530002u
#define PERSIST_ABORT          0x50530003u
#define PERSIST_PAGE_WRITE     0x50530004u
#define PERSIST_PAGE_READ      0x50530005u
#define PERSIST_PAGES_DISCARD  0x50530006u
#define PERSIST_RECORD_PUT     0x50530007u
#define PERSIST_RECORD_DEL     0x50530008u
#define PERSIST_RECORD_NEXT    0x50530009u
#define PERSIST_META_PUT       0x5053000au
#define PERSIST_META_GET       0x5053000bu
#define PERSIST_DB_PUT         0x5053000cu
#define PERSIST_DB_DEL         0x5053000du
#define PERSIST_DB_NEXT        0x5053000eu
#define PERSIST_STAT           0x5053000fu

#define PERSIST_PAGE           4096u
#define PERSIST_RECORD_MAX     (8u * (L4_MSG_MAX_WORDS - 2))      /* 496 bytes */
#define PERSIST_META_KEY_MAX   16u
#define PERSIST_META_VAL_MAX   64u
#define PERSIST_DB_KEY_MAX     64u
#define PERSIST_DB_VAL_MAX     400u

_Static_assert(2 + PERSIST_RECORD_MAX / 8 <= L4_MSG_MAX_WORDS, "a record fits a message");
_Static_assert(4 + PERSIST_META_VAL_MAX / 8 <= L4_MSG_MAX_WORDS, "a meta value fits");
_Static_assert(1 + (PERSIST_DB_KEY_MAX + PERSIST_DB_VAL_MAX + 7) / 8 <= L4_MSG_MAX_WORDS,
               "a database entry fits a message");
_Static_assert(PERSIST_META_KEY_MAX == 16, "a meta key is MR1..MR2");

/* The store's figures, as PERSIST_STAT returns them (persist_info's fields). */
struct persist_rpc_info {
    uint64_t format, run_pages, map_size, used_pages;
    uint64_t stored_values, lmdb_pages, records, txnid;
};

/* Words that n bytes take. */
static inline unsigned persist_words(size_t n) { return (unsigned)((n + 7) / 8); }

/* Message word i (< L4_MSG_MAX_WORDS): a register word of m, else hi[i] (the UTCB's mr
 * for a stub; the server passes its own, so its handlers have no IPC in them). */
static inline l4_word_t *persist_word(l4_msg_t *m, l4_word_t *hi, unsigned i)
{
    return i < L4_MSG_REG_WORDS ? &m->w[i] : &hi[i];
}

/* Puts n bytes in words first.. (the last one zero-padded). */
static inline void persist_pack(l4_msg_t *m, l4_word_t *hi, unsigned first, const void *src,
                                size_t n)
{
    const uint8_t *s = (const uint8_t *)src;
    for (unsigned i = 0; i < persist_words(n); i++) {
        l4_word_t w = 0;
        size_t left = n - (size_t)i * 8;
        __builtin_memcpy(&w, s + (size_t)i * 8, left < 8 ? left : 8);
        *persist_word(m, hi, first + i) = w;
    }
}

/* Takes n bytes from words first.. */
static inline void persist_unpack(l4_msg_t *m, l4_word_t *hi, unsigned first, void *dst,
                                  size_t n)
{
    uint8_t *d = (uint8_t *)dst;
    for (unsigned i = 0; i < persist_words(n); i++) {
        l4_word_t w = *persist_word(m, hi, first + i);
        size_t left = n - (size_t)i * 8;
        __builtin_memcpy(d + (size_t)i * 8, &w, left < 8 ? left : 8);
    }
}

/* ---- client stubs ---- */

static inline enum sas_error persist_rpc_call_(l4_threadid_t srv, uint32_t label, unsigned u,
                                              unsigned t, l4_msg_t *m, unsigned *ru)
{
    uint64_t res = l4_call(srv, l4_msgtag(label, u, t), m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    if (l4_ipc_error(res))
        return SAS_EIO;
    if (ru)
        *ru = l4_msgtag_u(l4_ipc_tag(res));
    return (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
}

static inline enum sas_error persist_rpc_begin(l4_threadid_t srv)
{
    l4_msg_t m = { { 0 } };
    return persist_rpc_call_(srv, PERSIST_BEGIN, 0, 0, &m, 0);
}

static inline enum sas_error persist_rpc_commit(l4_threadid_t srv)
{
    l4_msg_t m = { { 0 } };
    return persist_rpc_call_(srv, PERSIST_COMMIT, 0, 0, &m, 0);
}

static inline enum sas_error persist_rpc_abort(l4_threadid_t srv)
{
    l4_msg_t m = { { 0 } };
    return persist_rpc_call_(srv, PERSIST_ABORT, 0, 0, &m, 0);
}

/* Stores the page at the caller's page-aligned `page` as object page `addr`. */
static inline enum sas_error persist_rpc_page_write(l4_threadid_t srv, uint64_t addr,
                                                    const void *page)
{
    uint64_t va = (uint64_t)(uintptr_t)page;
    (void)*(volatile const uint8_t *)page;            /* mapped, so the item carries it */
    l4_msg_t m = { { addr, l4_fpage(va, 12, L4_FPAGE_R), va } };
    return persist_rpc_call_(srv, PERSIST_PAGE_WRITE, 1, 2, &m, 0);
}

/* Fills the caller's page-aligned `page` with object page `addr`. */
static inline enum sas_error persist_rpc_page_read(l4_threadid_t srv, uint64_t addr, void *page)
{
    uint64_t va = (uint64_t)(uintptr_t)page;
    volatile uint8_t *p = (volatile uint8_t *)page;
    *p = *p;                                          /* mapped writable, for the item */
    l4_msg_t m = { { addr, l4_fpage(va, 12, L4_FPAGE_RW), va } };
    return persist_rpc_call_(srv, PERSIST_PAGE_READ, 1, 2, &m, 0);
}

static inline enum sas_error persist_rpc_pages_discard(l4_threadid_t srv, uint64_t addr,
                                                       uint64_t pages)
{
    l4_msg_t m = { { addr, pages } };
    return persist_rpc_call_(srv, PERSIST_PAGES_DISCARD, 2, 0, &m, 0);
}

static inline enum sas_error persist_rpc_record_put(l4_threadid_t srv, uint64_t base,
                                                    const void *rec, size_t len)
{
    l4_msg_t m = { { base, len } };
    if (!len || len > PERSIST_RECORD_MAX)
        return SAS_EINVAL;
    persist_pack(&m, l4_utcb()->mr, 2, rec, len);
    return persist_rpc_call_(srv, PERSIST_RECORD_PUT, 2 + persist_words(len), 0, &m, 0);
}

static inline enum sas_error persist_rpc_record_del(l4_threadid_t srv, uint64_t base)
{
    l4_msg_t m = { { base } };
    return persist_rpc_call_(srv, PERSIST_RECORD_DEL, 1, 0, &m, 0);
}

/* The record with the least base >= from: *base, and *len bytes in rec (which holds cap;
 * a longer record is cut, *len is its whole length). */
static inline enum sas_error persist_rpc_record_next(l4_threadid_t srv, uint64_t from,
                                                     uint64_t *base, void *rec, size_t cap,
                                                     size_t *len)
{
    l4_msg_t m = { { from } };
    unsigned u = 0;
    enum sas_error e = persist_rpc_call_(srv, PERSIST_RECORD_NEXT, 1, 0, &m, &u);
    if (e)
        return e;
    if (u < 2 || m.w[1] > PERSIST_RECORD_MAX || u != 2 + persist_words(m.w[1]))
        return SAS_EIO;
    *base = m.w[0];
    *len = m.w[1];
    persist_unpack(&m, l4_utcb()->mr, 2, rec, *len < cap ? *len : cap);
    return SAS_OK;
}

/* Key words MR0..MR2 of the META requests; SAS_EINVAL for a key out of range. */
static inline enum sas_error persist_rpc_meta_key_(l4_msg_t *m, const char *key)
{
    size_t k = 0;
    while (key[k] && k <= PERSIST_META_KEY_MAX)
        k++;
    if (!k || k > PERSIST_META_KEY_MAX)
        return SAS_EINVAL;
    m->w[0] = k;
    persist_pack(m, 0, 1, key, k);
    return SAS_OK;
}

static inline enum sas_error persist_rpc_meta_put(l4_threadid_t srv, const char *key,
                                                  const void *val, size_t len)
{
    l4_msg_t m = { { 0 } };
    if (persist_rpc_meta_key_(&m, key) || len > PERSIST_META_VAL_MAX)
        return SAS_EINVAL;
    m.w[3] = len;
    persist_pack(&m, l4_utcb()->mr, 4, val, len);
    return persist_rpc_call_(srv, PERSIST_META_PUT, 4 + persist_words(len), 0, &m, 0);
}

/* The value of key: *len bytes in val (which holds cap; cut if longer). */
static inline enum sas_error persist_rpc_meta_get(l4_threadid_t srv, const char *key, void *val,
                                                  size_t cap, size_t *len)
{
    l4_msg_t m = { { 0 } };
    unsigned u = 0;
    if (persist_rpc_meta_key_(&m, key))
        return SAS_EINVAL;
    enum sas_error e = persist_rpc_call_(srv, PERSIST_META_GET, 3, 0, &m, &u);
    if (e)
        return e;
    if (!u || m.w[0] > PERSIST_META_VAL_MAX || u != 1 + persist_words(m.w[0]))
        return SAS_EIO;
    *len = m.w[0];
    persist_unpack(&m, l4_utcb()->mr, 1, val, *len < cap ? *len : cap);
    return SAS_OK;
}

/* DB_PUT's and DB_DEL's words: key then value from MR1. */
static inline unsigned persist_rpc_db_words_(l4_msg_t *m, const void *key, size_t klen,
                                             const void *val, size_t vlen)
{
    uint8_t b[PERSIST_DB_KEY_MAX + PERSIST_DB_VAL_MAX];
    __builtin_memcpy(b, key, klen);
    if (vlen)
        __builtin_memcpy(b + klen, val, vlen);
    m->w[0] = klen | (uint64_t)vlen << 16;
    persist_pack(m, l4_utcb()->mr, 1, b, klen + vlen);
    return 1 + persist_words(klen + vlen);
}

static inline enum sas_error persist_rpc_db_put(l4_threadid_t srv, const void *key, size_t klen,
                                                const void *val, size_t vlen)
{
    l4_msg_t m = { { 0 } };
    if (!klen || klen > PERSIST_DB_KEY_MAX || vlen > PERSIST_DB_VAL_MAX)
        return SAS_EINVAL;
    unsigned u = persist_rpc_db_words_(&m, key, klen, val, vlen);
    return persist_rpc_call_(srv, PERSIST_DB_PUT, u, 0, &m, 0);
}

static inline enum sas_error persist_rpc_db_del(l4_threadid_t srv, const void *key, size_t klen)
{
    l4_msg_t m = { { 0 } };
    if (!klen || klen > PERSIST_DB_KEY_MAX)
        return SAS_EINVAL;
    unsigned u = persist_rpc_db_words_(&m, key, klen, 0, 0);
    return persist_rpc_call_(srv, PERSIST_DB_DEL, u, 0, &m, 0);
}

/* The entry after key (klen 0: the first): its key in kout (PERSIST_DB_KEY_MAX bytes) and
 * value in vout (PERSIST_DB_VAL_MAX bytes), their lengths in *kl and *vl. */
static inline enum sas_error persist_rpc_db_next(l4_threadid_t srv, const void *key, size_t klen,
                                                 void *kout, size_t *kl, void *vout, size_t *vl)
{
    uint8_t b[PERSIST_DB_KEY_MAX + PERSIST_DB_VAL_MAX];
    l4_msg_t m = { { klen } };
    unsigned u = 0;
    if (klen > PERSIST_DB_KEY_MAX)
        return SAS_EINVAL;
    persist_pack(&m, l4_utcb()->mr, 1, key, klen);
    enum sas_error e = persist_rpc_call_(srv, PERSIST_DB_NEXT, 1 + persist_words(klen), 0,
                                         &m, &u);
    if (e)
        return e;
    size_t k = m.w[0] & 0xffff, v = (m.w[0] >> 16) & 0xffff;
    if (!u || !k || k > PERSIST_DB_KEY_MAX || v > PERSIST_DB_VAL_MAX || m.w[0] >> 32 ||
        u != 1 + persist_words(k + v))
        return SAS_EIO;
    persist_unpack(&m, l4_utcb()->mr, 1, b, k + v);
    __builtin_memcpy(kout, b, k);
    if (v)
        __builtin_memcpy(vout, b + k, v);
    *kl = k;
    *vl = v;
    return SAS_OK;
}

static inline enum sas_error persist_rpc_stat(l4_threadid_t srv, struct persist_rpc_info *out)
{
    l4_msg_t m = { { 0 } };
    unsigned u = 0;
    enum sas_error e = persist_rpc_call_(srv, PERSIST_STAT, 0, 0, &m, &u);
    if (e)
        return e;
    if (u != 8)
        return SAS_EIO;
    *out = (struct persist_rpc_info){ m.w[0], m.w[1], m.w[2], m.w[3],
                                      m.w[4], m.w[5], m.w[6], m.w[7] };
    return SAS_OK;
}

#endif
