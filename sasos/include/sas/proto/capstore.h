/*
 * sas/proto/capstore.h — the capstore server's protocol (capstore/server), and its client
 * stubs.
 *
 * The capstore server holds the capabilities and protection domains of the single address
 * space (the capstore library, capstore/capstore.h, unchanged) and answers the access
 * check objmgr asks on every fault. Its one client is objmgr: objmgr finds it with
 * root_service(root, ROOT_SERVICE_CAPSTORE, &id) (sas/proto/root.h), and every request is
 * an IPC call to that thread. The reply's label is an enum sas_error (SAS_OK = 0); its
 * words are given below; every error reply has u = 0.
 *
 * Who may call: objmgr's task only. The server asks root for objmgr's server thread
 * (ROOT_SERVICE_OBJMGR) when a sender it does not know calls and it knows no live objmgr,
 * and keeps the answer; a sender counts as objmgr if it is of that thread's task and that
 * thread still exists. Anyone else gets SAS_EPERM for every request below, before the
 * request is decoded, and nothing changes.
 *
 * capstore never writes to the store. It loads its state once, at start, from persist's
 * database "capstore" (PERSIST_DB_NEXT, sas/proto/persist.h); from then on every record the
 * library writes (a put or a delete) is appended to an in-memory log, in order, and objmgr
 * takes them off with CAPSTORE_LOG and writes them to persist (PERSIST_DB_PUT / _DEL) in its
 * own transaction, so that capabilities become durable with the objects they name. On its
 * first start (nothing stored) capstore creates its master key: the log then begins with
 * the records "V" (format) and "K" (the key), which objmgr must write like any other.
 * The log holds at most CAPSTORE_LOG_MAX records: a request that would write more fails
 * with SAS_EBUSY until objmgr drains it.
 *
 * "now", for expiry, is the kernel info page's wall clock in seconds (boot_time plus the
 * time-stamp counter's seconds since boot, as the POSIX personality's CLOCK_REALTIME).
 *
 * Bytes travel in message words, eight to a word in memory order from the first word
 * named (as sas/proto/console.h); words 8 and up travel through the UTCB (l4/utcb.h), so a
 * client must not limit rcv_max_words below 1 + 63.
 *
 * Requests (label; words):
 *   CAPSTORE_DOMAIN  MR0..MR3 = a domain name, CAPSTORE_NAME_BYTES bytes, NUL-padded
 *                    ([A-Za-z0-9._-], 1..31 bytes, then zeros only). Finds the domain, or
 *                    creates it (empty, unlocked). Reply u = 2: MR0 = its id (1, 2, ...,
 *                    never reused), MR1 = 1 if it was created by this request, else 0.
 *   CAPSTORE_MINT    MR0 = object base, MR1 = objmgr's creation epoch of the object, MR2 =
 *                    the domain id that receives the capability. Mints the owner's
 *                    capability (one link: CAP_R_ALL, no expiry, the whole object) and adds
 *                    it to the domain's list. Reply u = 29: the capability's
 *                    CAPSTORE_CAP_BYTES wire bytes (struct cap, capstore/cap.h) in
 *                    MR0..MR28. The domain is checked first (it exists and is unlocked); if
 *                    the add then fails (SAS_ENOMEM, SAS_EBUSY), the object's fresh record
 *                    stays (logged) but no capability is handed out or held.
 *   CAPSTORE_CHECK   MR0 = domain id, MR1 = object base, MR2 = object size in bytes, MR3 =
 *                    object epoch (objmgr's, the object found at the address), MR4 = the
 *                    faulting address, MR5 = access wanted (CAP_R_* bits). The access check
 *                    (cap_check). Reply u = 6: MR0 = allow | reason << 8 | rights << 16 |
 *                    cached << 24 (reason: enum cap_reason of capstore/capstore.h, 0 =
 *                    allowed; rights: what the matching capability grants), MR1 = lo, MR2 =
 *                    hi: the decision holds for every page in [lo, hi), MR3 = valid_until:
 *                    while now < valid_until; MR4..MR5 = the tag of the capability that
 *                    matched or came closest (16 bytes; zeros if none). A denial is SAS_OK
 *                    with allow = 0.
 *   CAPSTORE_RETIRE  MR0 = object base: the object is deleted; all its capabilities die at
 *                    once (cap_retire) and leave every domain's list (each removal a
 *                    record in the log). SAS_OK also if none was ever minted for it. u = 0.
 *   CAPSTORE_LOG     no words. Takes the oldest record off the log. Reply u = 1 +
 *                    ceil((klen + vlen) / 8): MR0 = op | klen << 8 | vlen << 16 (op
 *                    CAPSTORE_LOG_PUT or CAPSTORE_LOG_DEL, whose vlen is 0; klen
 *                    1..CAPSTORE_KEY_MAX, vlen 0..CAPSTORE_VALUE_MAX), then the key's bytes
 *                    and right after them the value's, from MR1 on: the packing of
 *                    PERSIST_DB_PUT's request. SAS_ENOTFOUND when the log is empty. The
 *                    record is gone from the log once replied (a reply that cannot be
 *                    delivered, its caller gone, puts it back at the head).
 *   CAPSTORE_FORGET  MR0 = object base. Drops the records still in the log that name the
 *                    object (its object record, 'O' be64(base), and the capability records
 *                    of any domain, 'C' be32(domain) be64(base) tag): for an object that will
 *                    never be stored (transient, or deleted before its first commit). Only
 *                    the log changes; capstore's own state keeps them. Reply u = 1: MR0 =
 *                    records dropped.
 *   CAPSTORE_STATS   no words. Reply u = 3: MR0 checks, MR1 decisions answered from the
 *                    cache, MR2 tag chains computed, since the server started.
 *
 * Sharing (issue 21). objmgr asks these for a program and names the program's own domain;
 * capstore trusts it for that, as for CHECK. A capability travels as its
 * CAPSTORE_CAP_BYTES wire bytes (struct cap, capstore/cap.h) in CAPSTORE_CAP_WORDS words.
 *   CAPSTORE_GRANT   MR0 = the granting domain's id, MR1..MR4 = the receiving domain's
 *                    name (as DOMAIN's: NUL-padded, [A-Za-z0-9._-], 1..31 bytes), MR5..MR33
 *                    = the capability granted. capstore finds the receiver by name and
 *                    never creates it. The capability must verify (cap_verify, now), and
 *                    the granter's list must hold one that verifies too, has CAP_R_GRANT in
 *                    its last link, and that the granted one is derived from or equal to:
 *                    the same base, epoch, generation and version, and its links are the
 *                    first links of the granted one's. (Both verifying, this means the
 *                    granted one's tag chain passes through the holder's tag: it grants no
 *                    more than the holder's, and dies when the holder's is revoked.)
 *                    Then the capability is added to the receiver's list (domain_add; one
 *                    record). u = 0. The receiver may be the granter itself.
 *   CAPSTORE_ADD     MR0 = domain id, MR1..MR29 = a capability: verified (cap_verify, now),
 *                    then added to that domain's list (domain_add; one record, none if it
 *                    is there already). u = 0. Holding the bytes is the authority.
 *   CAPSTORE_CAPS    MR0 = domain id, MR1 = an index i. Reply u = 30: MR0..MR28 = the
 *                    domain's i-th capability (from 0, in the list's (base, tag) order),
 *                    MR29 = how many the list holds. SAS_ENOTFOUND when i >= that count (an
 *                    empty list: for i = 0 too). The order is the list's at the time of the
 *                    call: an add or remove in between shifts the indices, which MR29
 *                    changing shows.
 *   CAPSTORE_WHY     The words of CHECK, and its reply (u = 6, the same packing): cap_check
 *                    for that domain alone, whose list is the only one looked at; MR4..MR5
 *                    is the tag of that domain's capability that matched or came closest,
 *                    of which objmgr shows the program a prefix. WHY is CHECK asked for a
 *                    program's question instead of a fault, under its own label so that
 *                    the two can part later; it may be answered from the decision cache
 *                    (cached = 1) because the cache is exact (it is keyed by the domain's
 *                    list, every revocation, the object's epoch and the page, and holds
 *                    until the expiry), so skipping it would compute the same answer again.
 *                    It counts in STATS' checks like any check.
 *   CAPSTORE_REVOKE  MR0..MR28 = a capability: revokes it and everything derived from it
 *                    (cap_revoke; holding it is the authority; an expired one may be
 *                    revoked; one record, the object's). objmgr must then unmap the
 *                    object's pages from every domain, as for RETIRE. u = 0. An object's
 *                    revocation set holds at most CAPSTORE_REVSET_MAX tags per generation:
 *                    its record must fit CAPSTORE_VALUE_MAX; beyond that SAS_ECAP_REVSET_FULL
 *                    (revoke every capability of the object instead).
 * A failed request changes nothing, in capstore or in the log: each of these writes at most
 * one record, in one transaction, after every check.
 * Labels from 0x4353000d on are free.
 *
 * Errors (u = 0):
 *   SAS_EPERM             the sender is not objmgr's (checked first, for every request)
 *   SAS_EINVAL            u not the request's word count; a name not as above; a base not
 *                         page-aligned or outside the object region; epoch 0, or older than
 *                         capstore knows for the base (MINT); an object misaligned or empty,
 *                         an address outside it, access 0 or with unknown bits (CHECK)
 *   SAS_EDOMAIN_NOTFOUND  no domain of that id (MINT, CHECK, WHY, GRANT's granter, ADD,
 *                         CAPS; also an id above 2^32 - 1), or of that name (GRANT's
 *                         receiver)
 *   SAS_EDOMAIN_LOCKED    the domain is locked (MINT; ADD, GRANT: the receiver)
 *   SAS_ECAP_MALFORMED    the capability is not in canonical form (GRANT, ADD, REVOKE)
 *   SAS_ECAP_FORGED       its tag does not verify, or capstore never minted for its object
 *   SAS_ECAP_REVOKED      it is revoked, or of an older object or generation
 *   SAS_ECAP_EXPIRED      it has expired (GRANT, ADD; REVOKE takes an expired one)
 *   SAS_ECAP_DENIED       the granter holds no capability it is derived from with
 *                         CAP_R_GRANT (GRANT)
 *   SAS_ECAP_REVSET_FULL  the object's revocation set is full (REVOKE)
 *   SAS_ECAP_EPOCH        the object's generations are exhausted (RETIRE)
 *   SAS_ENOTFOUND         the log is empty (LOG); no capability at that index (CAPS)
 *   SAS_EBUSY             the log is full: drain it with CAPSTORE_LOG (DOMAIN, MINT, RETIRE,
 *                         GRANT, ADD, REVOKE)
 *   SAS_ENOMEM            the server's memory is exhausted
 *   SAS_ENOTSUP           an unknown label
 * The stubs also return SAS_EIO when the IPC itself fails (no server).
 */
#ifndef SAS_PROTO_CAPSTORE_H
#define SAS_PROTO_CAPSTORE_H

#include <stddef.h>
#include <stdint.h>
#include <l4/syscalls.h>
#include <l4/utcb.h>
#include <sas/errors.h>

#define CAPSTORE_DOMAIN   0x43530001u
#define CAPSTORE_MINT     0x43530002u
#define CAPSTORE_CHECK    0x43530003u
#define CAPSTORE_RETIRE   0x43530004u
#define CAPSTORE_LOG      0x43530005u
#define CAPSTORE_FORGET   0x43530006u
#define CAPSTORE_STATS    0x43530007u
#define CAPSTORE_GRANT    0x43530008u
#define CAPSTORE_ADD      0x43530009u
#define CAPSTORE_CAPS     0x4353000au
#define CAPSTORE_WHY      0x4353000bu
#define CAPSTORE_REVOKE   0x4353000cu

#define CAPSTORE_NAME_BYTES  32u     /* a domain name in MR0..MR3, NUL-padded */
#define CAPSTORE_CAP_BYTES   232u    /* sizeof(struct cap), capstore/cap.h */
#define CAPSTORE_CAP_WORDS   29u     /* its words in MINT's reply */
#define CAPSTORE_KEY_MAX     64u     /* a record's key, as persist's database takes it */
#define CAPSTORE_VALUE_MAX   400u    /* a record's value, likewise */
#define CAPSTORE_LOG_MAX     4096u   /* records the log holds before requests get SAS_EBUSY */
/* Tags an object's record holds within CAPSTORE_VALUE_MAX (a 16-byte header, then 16 bytes
 * a tag): 24; the library's own limit, CAP_REVSET_MAX, is higher. */
#define CAPSTORE_REVSET_MAX  ((CAPSTORE_VALUE_MAX - 16u) / 16u)
#define CAPSTORE_LOG_PUT     1u
#define CAPSTORE_LOG_DEL     2u

_Static_assert(CAPSTORE_CAP_WORDS * 8 == CAPSTORE_CAP_BYTES, "a capability in whole words");
_Static_assert(5 + CAPSTORE_CAP_WORDS <= L4_MSG_MAX_WORDS, "GRANT's request fits a message");
_Static_assert(1 + (CAPSTORE_KEY_MAX + CAPSTORE_VALUE_MAX + 7) / 8 <= L4_MSG_MAX_WORDS,
               "the largest record fits one message");

/* CAPSTORE_CHECK's answer (capstore/capstore.h's struct cap_decision, without candidates). */
struct csc_decision {
    uint8_t  allow, reason, rights, cached;
    uint64_t lo, hi, valid_until;
    uint8_t  tag[16];
};

/* One record taken off the log. */
struct csc_record {
    unsigned op;                       /* CAPSTORE_LOG_PUT or CAPSTORE_LOG_DEL */
    unsigned klen, vlen;
    uint8_t  key[CAPSTORE_KEY_MAX];
    uint8_t  value[CAPSTORE_VALUE_MAX];
};

struct csc_stats {
    uint64_t checks, cache_hits, macs;
};

/* Message word i: m's for i < L4_MSG_REG_WORDS, else mr[i] (the UTCB's message words). */
static inline l4_word_t *csc_word(l4_msg_t *m, l4_word_t *mr, unsigned i)
{
    return i < L4_MSG_REG_WORDS ? &m->w[i] : &mr[i];
}

/* Packs n bytes into the words from word w on (the last word's unused bytes zero). */
static inline void csc_pack(l4_msg_t *m, l4_word_t *mr, unsigned w, const void *src, size_t n)
{
    const uint8_t *p = src;
    for (size_t off = 0; off < n; off += 8, w++) {
        l4_word_t v = 0;
        __builtin_memcpy(&v, p + off, n - off < 8 ? n - off : 8);
        *csc_word(m, mr, w) = v;
    }
}

/* Unpacks n bytes from the words from word w on. */
static inline void csc_unpack(l4_msg_t *m, l4_word_t *mr, unsigned w, void *dst, size_t n)
{
    uint8_t *p = dst;
    for (size_t off = 0; off < n; off += 8, w++) {
        l4_word_t v = *csc_word(m, mr, w);
        __builtin_memcpy(p + off, &v, n - off < 8 ? n - off : 8);
    }
}

static inline enum sas_error csc_call_(l4_threadid_t cs, uint32_t label, unsigned u,
                                       l4_msg_t *m, unsigned *ru)
{
    uint64_t res = l4_call(cs, l4_msgtag(label, u, 0), m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    if (l4_ipc_error(res))
        return SAS_EIO;
    if (ru)
        *ru = l4_msgtag_u(l4_ipc_tag(res));
    return (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
}

/* Packs the name (a C string) into the four words from word w on, NUL-padded; SAS_EINVAL
 * if it has CAPSTORE_NAME_BYTES bytes or more. */
static inline enum sas_error csc_name_(l4_msg_t *m, l4_word_t *mr, unsigned w,
                                       const char *name)
{
    char buf[CAPSTORE_NAME_BYTES] = { 0 };
    size_t n = 0;
    while (name[n] && n < CAPSTORE_NAME_BYTES)
        n++;
    if (n == CAPSTORE_NAME_BYTES)
        return SAS_EINVAL;
    __builtin_memcpy(buf, name, n);
    csc_pack(m, mr, w, buf, sizeof buf);
    return SAS_OK;
}

/* Finds or creates the domain `name` (a C string of 1..31 bytes): its id in *id, and
 * *created = 1 if this call made it. SAS_EINVAL without a call for a longer name. */
static inline enum sas_error csc_domain(l4_threadid_t cs, const char *name, uint32_t *id,
                                        int *created)
{
    l4_msg_t m = { { 0 } };
    if (csc_name_(&m, 0, 0, name) != SAS_OK)
        return SAS_EINVAL;
    enum sas_error e = csc_call_(cs, CAPSTORE_DOMAIN, 4, &m, 0);
    if (!e) {
        *id = (uint32_t)m.w[0];
        *created = (int)m.w[1];
    }
    return e;
}

/* Mints the owner's capability of the object (base, epoch) into domain dom; its wire
 * bytes in cap (CAPSTORE_CAP_BYTES: a struct cap). */
static inline enum sas_error csc_mint(l4_threadid_t cs, uint64_t base, uint64_t epoch,
                                      uint32_t dom, void *cap)
{
    l4_msg_t m = { { base, epoch, dom } };
    enum sas_error e = csc_call_(cs, CAPSTORE_MINT, 3, &m, 0);
    if (!e)
        csc_unpack(&m, l4_utcb()->mr, 0, cap, CAPSTORE_CAP_BYTES);
    return e;
}

/* CHECK or WHY (label): their words and their reply are the same. */
static inline enum sas_error csc_decide_(l4_threadid_t cs, uint32_t label, uint32_t dom,
                                         uint64_t base, uint64_t size, uint64_t epoch,
                                         uint64_t addr, unsigned access,
                                         struct csc_decision *out)
{
    l4_msg_t m = { { dom, base, size, epoch, addr, access } };
    enum sas_error e = csc_call_(cs, label, 6, &m, 0);
    if (!e) {
        *out = (struct csc_decision){ (uint8_t)m.w[0], (uint8_t)(m.w[0] >> 8),
                                      (uint8_t)(m.w[0] >> 16), (uint8_t)(m.w[0] >> 24),
                                      m.w[1], m.w[2], m.w[3], { 0 } };
        __builtin_memcpy(out->tag, &m.w[4], 16);
    }
    return e;
}

/* May domain dom access the page of addr in the object (base, size, epoch) with access? */
static inline enum sas_error csc_check(l4_threadid_t cs, uint32_t dom, uint64_t base,
                                       uint64_t size, uint64_t epoch, uint64_t addr,
                                       unsigned access, struct csc_decision *out)
{
    return csc_decide_(cs, CAPSTORE_CHECK, dom, base, size, epoch, addr, access, out);
}

/* The same question asked for a program (sas_why): why may domain dom (not) access it?
 * out->reason and out->tag (dom's own closest capability's) are what a program is shown. */
static inline enum sas_error csc_why(l4_threadid_t cs, uint32_t dom, uint64_t base,
                                     uint64_t size, uint64_t epoch, uint64_t addr,
                                     unsigned access, struct csc_decision *out)
{
    return csc_decide_(cs, CAPSTORE_WHY, dom, base, size, epoch, addr, access, out);
}

/* Grants cap (CAPSTORE_CAP_BYTES wire bytes) from domain `from` to the domain named `to`
 * (a C string of 1..31 bytes; SAS_EINVAL without a call for a longer name). */
static inline enum sas_error csc_grant(l4_threadid_t cs, uint32_t from, const char *to,
                                       const void *cap)
{
    l4_msg_t m = { { from } };
    if (csc_name_(&m, 0, 1, to) != SAS_OK)
        return SAS_EINVAL;
    csc_pack(&m, l4_utcb()->mr, 5, cap, CAPSTORE_CAP_BYTES);
    return csc_call_(cs, CAPSTORE_GRANT, 5 + CAPSTORE_CAP_WORDS, &m, 0);
}

/* Adds cap (CAPSTORE_CAP_BYTES wire bytes) to domain dom's list once it verifies. */
static inline enum sas_error csc_add(l4_threadid_t cs, uint32_t dom, const void *cap)
{
    l4_msg_t m = { { dom } };
    csc_pack(&m, l4_utcb()->mr, 1, cap, CAPSTORE_CAP_BYTES);
    return csc_call_(cs, CAPSTORE_ADD, 1 + CAPSTORE_CAP_WORDS, &m, 0);
}

/* Domain dom's capability number i (from 0) in cap (CAPSTORE_CAP_BYTES), and in *count
 * (may be NULL) how many its list holds; SAS_ENOTFOUND past the end. */
static inline enum sas_error csc_caps(l4_threadid_t cs, uint32_t dom, uint64_t i, void *cap,
                                      uint64_t *count)
{
    l4_msg_t m = { { dom, i } };
    unsigned u = 0;
    enum sas_error e = csc_call_(cs, CAPSTORE_CAPS, 2, &m, &u);
    if (e)
        return e;
    if (u != CAPSTORE_CAP_WORDS + 1)
        return SAS_EIO;                          /* not what the protocol promises */
    csc_unpack(&m, l4_utcb()->mr, 0, cap, CAPSTORE_CAP_BYTES);
    if (count)
        *count = l4_utcb()->mr[CAPSTORE_CAP_WORDS];
    return SAS_OK;
}

/* Revokes cap (CAPSTORE_CAP_BYTES wire bytes) and everything derived from it. */
static inline enum sas_error csc_revoke(l4_threadid_t cs, const void *cap)
{
    l4_msg_t m = { { 0 } };
    csc_pack(&m, l4_utcb()->mr, 0, cap, CAPSTORE_CAP_BYTES);
    return csc_call_(cs, CAPSTORE_REVOKE, CAPSTORE_CAP_WORDS, &m, 0);
}

/* The object at base is deleted: its capabilities die. */
static inline enum sas_error csc_retire(l4_threadid_t cs, uint64_t base)
{
    l4_msg_t m = { { base } };
    return csc_call_(cs, CAPSTORE_RETIRE, 1, &m, 0);
}

/* Takes the oldest record off the log into *out; SAS_ENOTFOUND when there is none. */
static inline enum sas_error csc_log(l4_threadid_t cs, struct csc_record *out)
{
    l4_msg_t m = { { 0 } };
    unsigned u = 0;
    enum sas_error e = csc_call_(cs, CAPSTORE_LOG, 0, &m, &u);
    if (e)
        return e;
    out->op = m.w[0] & 0xff;
    out->klen = (m.w[0] >> 8) & 0xff;
    out->vlen = (m.w[0] >> 16) & 0xffff;
    if (out->klen > CAPSTORE_KEY_MAX || out->vlen > CAPSTORE_VALUE_MAX ||
        u != 1 + (out->klen + out->vlen + 7) / 8)
        return SAS_EIO;                          /* not what the protocol promises */
    uint8_t bytes[CAPSTORE_KEY_MAX + CAPSTORE_VALUE_MAX];
    csc_unpack(&m, l4_utcb()->mr, 1, bytes, out->klen + out->vlen);
    __builtin_memcpy(out->key, bytes, out->klen);
    __builtin_memcpy(out->value, bytes + out->klen, out->vlen);
    return SAS_OK;
}

/* Drops the log's records of the object at base; *dropped = how many (may be NULL). */
static inline enum sas_error csc_forget(l4_threadid_t cs, uint64_t base, unsigned *dropped)
{
    l4_msg_t m = { { base } };
    enum sas_error e = csc_call_(cs, CAPSTORE_FORGET, 1, &m, 0);
    if (!e && dropped)
        *dropped = (unsigned)m.w[0];
    return e;
}

static inline enum sas_error csc_stats(l4_threadid_t cs, struct csc_stats *out)
{
    l4_msg_t m = { { 0 } };
    enum sas_error e = csc_call_(cs, CAPSTORE_STATS, 0, &m, 0);
    if (!e)
        *out = (struct csc_stats){ m.w[0], m.w[1], m.w[2] };
    return e;
}

#endif
