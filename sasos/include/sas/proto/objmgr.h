/*
 * sas/proto/objmgr.h — the object manager's protocol (objmgr/server), and its client stubs.
 *
 * objmgr owns the object region [SAS_OBJECT_BASE, SAS_OBJECT_END) (sas/layout.h): it keeps
 * the object table, pages the region into every task with the rights each task's
 * protection domain holds (capstore decides), and writes every change of the store
 * (persist) in transactions of its own. Programs talk to objmgr alone; their <sas.h>
 * wraps these requests. Its id: root_service(root, ROOT_SERVICE_OBJMGR, &id).
 *
 * Who is asking. A request's domain is the one root bound the sender's task to when it
 * started it (ROOT_TASK_DOMAIN, sas/proto/root.h), never anything the message says: a
 * sender counts as its task's while the task's lthread 0 (the id root gave) is live.
 * Services (persist, capstore, the drivers) are bound to no domain and get SAS_EPERM.
 *
 * Every request is an IPC call; the reply's label is an enum sas_error (SAS_OK = 0).
 * Words MR8 and up are the UTCB's (l4_utcb()->mr), as for every protocol here.
 *
 *   OBJ_CREATE   MR0 = size in bytes (> 0; rounded up to pages), MR1 = flags
 *                (OBJ_CREATE_PERSISTENT or 0: transient), MR2..MR5 = label, 32 bytes
 *                NUL-padded (the last byte must be NUL). A new object, owned by the
 *                caller's domain, whose owner capability (every right, no expiry, the
 *                whole object) goes into that domain's list. Reply u = 30: MR0 = base,
 *                MR1..MR29 = the owner capability's 232 wire bytes (capstore/cap.h).
 *                A persistent object becomes durable with the first OBJ_COMMIT that
 *                includes it; a crash before loses it whole, and its capability with it.
 *                Errors: SAS_EINVAL (size 0 or past the region, unknown flags, label not
 *                NUL-terminated), SAS_ENOSPACE, SAS_ENOMEM, SAS_EPERM.
 *   OBJ_DELETE   MR0 = base. Needs the delete right. The object's pages are unmapped
 *                from every task, its capabilities die, and (if it was ever committed)
 *                its record and pages leave the store in a transaction of their own,
 *                durable when the reply comes. Errors: SAS_ENOTFOUND (no object starts at
 *                MR0), SAS_ECAP_DENIED, SAS_EPERM, the store's (then nothing changed).
 *   OBJ_RESIZE   MR0 = base, MR1 = new size. Needs the delete right. Grows in place or
 *                shrinks (the tail's pages are unmapped and dropped; for a durable object
 *                the change is durable at once). Reply MR0 = the new size.
 *                Errors: SAS_EINVAL, SAS_ENOTFOUND, SAS_ENOGROW, SAS_ECAP_DENIED, SAS_EPERM.
 *   OBJ_INFO     MR0 = any address in an object. Needs the read right on it. Reply u = 10:
 *                MR0 base, MR1 size, MR2 flags (OBJ_INFO_*), MR3 epoch, MR4 owner domain,
 *                MR5 creation time (ns since 1970), MR6..MR9 label.
 *                Errors: SAS_ENOTFOUND, SAS_ECAP_DENIED, SAS_EPERM.
 *   OBJ_COMMIT   MR0 = n (1..OBJ_COMMIT_MAX), MR1..MRn = addresses, each in a persistent
 *                object (duplicates allowed). Needs the write right on each. The listed
 *                objects' dirty pages and records, with the capability records that
 *                belong to them, are written in one store transaction: all or nothing,
 *                durable when the reply comes. Reply MR0 = pages written.
 *                Errors: SAS_EINVAL (n out of range, a transient object), SAS_ENOTFOUND,
 *                SAS_ECAP_DENIED (nothing written), SAS_EPERM, the store's
 *                (SAS_ESTORE_FULL, SAS_EIO: nothing written; the pages stay dirty).
 *   OBJ_COMMIT_ALL  no words. As OBJ_COMMIT over every persistent object the caller's
 *                domain owns (none: SAS_OK, 0 pages).
 *   OBJ_FAULT    from a task's system thread (lthread 0) only, for its own threads and
 *                its own accesses: MR0 = the address, MR1 = the access (CAP_R_READ,
 *                CAP_R_WRITE, CAP_R_EXEC, or-ed). The caller's receive window must be the
 *                page (objmgr_fault sets it). Reply SAS_OK, t = 2: the object's page
 *                mapped there with exactly the rights the domain's capability allows (the
 *                one frame every task shares). Denied: label SAS_ECAP_DENIED, u = 1, MR0 =
 *                capstore's reason (enum cap_reason, capstore.h) — the caller says so and
 *                ends the program, or fails its own access with EFAULT. SAS_ENOTFOUND:
 *                no object there. SAS_ENOMEM / SAS_EIO / SAS_ESTORE_CORRUPT: the page
 *                could not be had.
 *   OBJ_STATS    no words. Reply u = 8: MR0 objects, MR1 resident pages, MR2 faults
 *                served, MR3 pages read from the store, MR4 pages written to it, MR5
 *                commits, MR6 capstore checks asked, MR7 domains bound. For tests and
 *                benchmarks.
 *   OBJ_FRAME    MR0 = an address in an object; needs the read right. Reply MR0 = the
 *                index of the frame objmgr holds for that page (objmgr's own numbering),
 *                SAS_ENOTFOUND if the page is not resident. Tests use it to show that
 *                two domains share one frame.
 *
 * Sharing (issue 21). A capability is 232 bytes of plain data (capstore/cap.h): a holder
 * narrows it offline (cap_derive, <sas.h>'s sas_cap_derive) and hands it on as it likes;
 * what a domain may touch is what its list holds. These requests change lists; their
 * records follow the transaction protocol (docs/SAS.md): a change to a durable object's
 * capabilities is durable when the reply comes, one to an object not yet committed
 * becomes durable with its first commit.
 *   OBJ_GRANT    MR0..MR3 = the receiving domain's name (32 bytes, NUL-padded), MR4..MR32
 *                = a capability. Puts it into that domain's list (a domain no program ran
 *                in yet is made, durably: a domain is a persistent list). The caller's
 *                domain must hold a capability of the object with the grant right that
 *                covers it (rights, range, expiry); the capability must verify. Errors:
 *                SAS_EINVAL (a name capstore refuses), SAS_ECAP_DENIED,
 *                SAS_ECAP_FORGED / _REVOKED / _EXPIRED / _MALFORMED, SAS_EDOMAIN_LOCKED,
 *                SAS_EPERM, the store's.
 *   OBJ_CAP_ADD  MR0..MR28 = a capability: puts it into the caller's own list after
 *                verifying it. Errors: SAS_ECAP_FORGED (tag wrong: forged or altered),
 *                SAS_ECAP_REVOKED, SAS_ECAP_EXPIRED, SAS_ECAP_MALFORMED, SAS_EPERM.
 *   OBJ_CAPS     MR0 = an index i. Reply u = 30: the i-th capability of the caller's list
 *                (MR0..MR28, in (base, tag) order) and MR29 = how many the list holds;
 *                SAS_ENOTFOUND past the end.
 *   OBJ_WHY      MR0 = an address, MR1 = an access (OBJ_ACCESS_*). capstore's answer for
 *                the caller's domain alone: reply u = 4, MR0 = allowed (1) or not (0) | the
 *                reason (enum cap_reason) << 8 | the rights of the capability that
 *                allowed << 16, MR1..MR2 = the tag (16 bytes) of the
 *                capability that matched or came closest, zeros if none, MR3 = the
 *                object's base. Never another domain's capability. Errors:
 *                SAS_ENOTFOUND (no object there), SAS_EINVAL, SAS_EPERM.
 *   OBJ_REVOKE   MR0..MR28 = a capability: revokes it and every capability derived from
 *                it (holding it is the authority: capstore's cap_revoke). Every task's
 *                pages of its object are unmapped before the reply (their dirty bits kept
 *                for the next commit); a domain whose list still allows an access faults
 *                and is mapped again. Errors: SAS_ECAP_FORGED, SAS_ECAP_REVOKED (already),
 *                SAS_ECAP_MALFORMED, SAS_ECAP_REVSET_FULL (24 revoked this generation),
 *                SAS_EPERM, the store's (then the revocation is made, durable with the
 *                next transaction).
 */
#ifndef SAS_PROTO_OBJMGR_H
#define SAS_PROTO_OBJMGR_H

#include <stdint.h>
#include <l4/ipc.h>
#include <l4/fpage.h>
#include <l4/syscalls.h>
#include <l4/utcb.h>
#include <sas/errors.h>

#define OBJ_CREATE        0x4f4d0001u
#define OBJ_DELETE        0x4f4d0002u
#define OBJ_RESIZE        0x4f4d0003u
#define OBJ_INFO          0x4f4d0004u
#define OBJ_COMMIT        0x4f4d0005u
#define OBJ_COMMIT_ALL    0x4f4d0006u
#define OBJ_FAULT         0x4f4d0007u
#define OBJ_STATS         0x4f4d0008u
#define OBJ_FRAME         0x4f4d0009u
#define OBJ_GRANT         0x4f4d000au
#define OBJ_CAP_ADD       0x4f4d000bu
#define OBJ_CAPS          0x4f4d000cu
#define OBJ_WHY           0x4f4d000du
#define OBJ_REVOKE        0x4f4d000eu

#define OBJ_CREATE_PERSISTENT 0x1u
#define OBJ_INFO_PERSISTENT   0x1u     /* flags in OBJ_INFO's MR2 */
#define OBJ_INFO_DURABLE      0x2u     /* committed at least once */
#define OBJ_LABEL_BYTES       32u
#define OBJ_CAP_WORDS         29u      /* a capability's 232 bytes */
#define OBJ_COMMIT_MAX        62u

/* Access bits of OBJ_FAULT: capstore's rights (capstore/cap.h). */
#define OBJ_ACCESS_READ  0x1u
#define OBJ_ACCESS_WRITE 0x2u
#define OBJ_ACCESS_EXEC  0x4u

struct objmgr_stats {
    uint64_t objects, resident, faults, pages_read, pages_written, commits, checks, domains;
};

static inline enum sas_error objmgr_call_(l4_threadid_t om, uint32_t label, unsigned u,
                                          l4_msg_t *m, unsigned *u_out)
{
    uint64_t res = l4_call(om, l4_msgtag(label, u, 0), m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    if (l4_ipc_error(res))
        return SAS_EIO;
    if (u_out)
        *u_out = l4_msgtag_u(l4_ipc_tag(res));
    return (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
}

/* Word i of a message: the registers' below 8, the UTCB's from 8 on. */
static inline uint64_t *objmgr_word_(l4_msg_t *m, unsigned i)
{
    return i < L4_MSG_REG_WORDS ? &m->w[i] : &l4_utcb()->mr[i];
}

/* OBJ_FAULT: the page at va mapped here with the domain's rights. *reason gets capstore's
 * reason when the answer is SAS_ECAP_DENIED. */
static inline enum sas_error objmgr_fault(l4_threadid_t om, uint64_t va, unsigned access,
                                          unsigned *reason)
{
    l4_msg_t m = { { va, access } };
    l4_utcb()->rcv_window = l4_fpage(va & ~0xfffULL, 12, L4_FPAGE_RWX);
    enum sas_error e = objmgr_call_(om, OBJ_FAULT, 2, &m, 0);
    l4_utcb()->rcv_window = L4_FPAGE_NIL;
    if (e == SAS_ECAP_DENIED && reason)
        *reason = (unsigned)m.w[0];
    return e;
}

#endif
