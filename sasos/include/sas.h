/*
 * sas.h — the single address space for programs: objects you create, use through plain
 * pointers, commit, and find again after a reboot at the same address.
 *
 * An object is a range of pages in [SAS_OBJECT_BASE, SAS_OBJECT_END) (sas/layout.h),
 * the same range in every task. sas_create returns its base; from then on the program
 * reads and writes it like any memory, and may keep raw pointers into it, inside the
 * object or into other objects: an object never moves, so a pointer stays valid for as
 * long as the object lives, across reboots for a persistent one. Pages come in on first
 * touch (objmgr pages them: zeros for a new page, the stored bytes for a committed one),
 * with exactly the rights the program's protection domain holds for the object.
 *
 * Protection domains. Every program runs in a persistent domain root bound it to when it
 * started it (by default, a domain named after the program). A program can neither pick
 * nor change its domain; objmgr learns it from that binding alone. An object's creator
 * gets the owner capability (every right, no expiry, the whole object) in its domain's
 * list: from then on any program of that domain may use the object. A program touching
 * an object its domain holds no capability for is ended, with one line naming the
 * address, the access and the reason (sas/denied.h), e.g.
 *     write to 0x100000003000 denied: no capability with write right
 * and exit code 139 (SIGSEGV); other programs run on. The same access made by a system
 * call on the program's behalf (write(1, obj, n), read(fd, obj, n), ...) fails with EFAULT
 * instead.
 *
 * Durability. A persistent object and its changes become durable only by a commit
 * (sas_commit, sas_commit_all): the committed bytes are what a reboot finds. Changes
 * made since the last commit are lost by a crash or a power-off, and so is a persistent
 * object that was never committed, whole, with its capabilities. Dirty pages outlive the
 * program that wrote them: a program of the same domain may commit them later
 * (sas_commit_all). A transient object (flags 0) lives until it is deleted or the system
 * stops; it is never stored.
 *
 * Errors. Every function returns an enum sas_error (sas/errors.h): SAS_OK (0) or the one
 * cause; sas_strerror() gives it in words. Every function may also return
 *     SAS_ENOSTORE  no single address space: objmgr is not running (the disk holds no
 *                   usable Ell Four store), so there are no objects at all;
 *     SAS_EPERM     the calling task is bound to no domain (a service, not a program);
 *     SAS_EIO       the request could not reach objmgr (it ended), or the store's device
 *                   failed (for the calls that write the store).
 * Nothing changes when a function fails, unless its entry says otherwise.
 *
 * Threads: every function may be called from any thread of the program, concurrently;
 * objmgr orders the requests. The library finds objmgr once (root_service) and keeps its
 * id. Link with `ellfour_program(... LIBS sas)` (cmake/musl.cmake).
 */
#ifndef SAS_H
#define SAS_H

#include <stdint.h>
#include <capstore/cap.h>
#include <sas/errors.h>
#include <sas/layout.h>
#include <l4/syscalls.h>           /* before objmgr.h, whose stubs call the kernel */
#include <sas/proto/objmgr.h>

/* sas_create's flags. */
#define SAS_PERSISTENT OBJ_CREATE_PERSISTENT   /* stored by commits, found after a reboot */

/* sas_info's flags. */
#define SAS_INFO_PERSISTENT OBJ_INFO_PERSISTENT  /* created with SAS_PERSISTENT */
#define SAS_INFO_DURABLE    OBJ_INFO_DURABLE     /* committed at least once: in the store */

#define SAS_LABEL_MAX (OBJ_LABEL_BYTES - 1)      /* characters of a label: 31 */

/* What sas_info says about an object. */
struct sas_info {
    void *base;               /* the object's first byte */
    uint64_t size;            /* its size in bytes: whole pages */
    unsigned flags;           /* SAS_INFO_PERSISTENT, SAS_INFO_DURABLE */
    uint64_t epoch;           /* objmgr's creation epoch: which object lived at base */
    uint64_t owner;           /* the domain that created it (capstore's domain id) */
    uint64_t ctime;           /* creation time, nanoseconds since 1970 */
    char label[SAS_LABEL_MAX + 1];   /* as given to sas_create, NUL-terminated */
};

/*
 * sas_create — a new object of `size` bytes, owned by the caller's domain.
 *   size       bytes, > 0; rounded up to whole pages. The object's pages read as zeros
 *              until written.
 *   flags      SAS_PERSISTENT for an object the store keeps once committed, 0 for a
 *              transient one.
 *   label      a name for people and tools (sas_info, ellfour-store ls): at most
 *              SAS_LABEL_MAX characters; NULL for none. Labels need not be unique.
 *   owner_cap  if not NULL, receives the owner capability (every right, no expiry, the
 *              whole object), which is also in the caller's domain's list already: keep
 *              it to hand on later (issue 21), or pass NULL.
 *   base       receives the object's base address, page-aligned.
 * A persistent object becomes durable with the first sas_commit that includes it (or
 * sas_commit_all); until then a crash loses it whole.
 * Returns SAS_OK, or
 *   SAS_EINVAL    base is NULL, size is 0 or larger than the object region, flags has a
 *                 bit other than SAS_PERSISTENT, label is longer than SAS_LABEL_MAX;
 *   SAS_ENOSPACE  no free range of the region is that long;
 *   SAS_ENOMEM    objmgr or capstore has no memory left for another object.
 */
enum sas_error sas_create(uint64_t size, unsigned flags, const char *label,
                          struct cap *owner_cap, void **base);

/*
 * sas_delete — delete the object that starts at base. Needs the delete right.
 * Its pages are unmapped from every task (a later touch ends the program: no object
 * there), every capability for it dies, and, if it was ever committed, its record and
 * pages leave the store in a transaction of their own, durable when this returns. Its
 * range is not handed out again until objmgr has retired its epoch.
 * Returns SAS_OK, or
 *   SAS_ENOTFOUND    no object starts at base (an address inside one is not enough);
 *   SAS_ECAP_DENIED  the caller's domain lacks the delete right;
 *   SAS_ESTORE_FULL, SAS_EIO, SAS_ESTORE_CORRUPT  the store refused: nothing changed.
 */
enum sas_error sas_delete(void *base);

/*
 * sas_resize — change the size of the object that starts at base, in place: objects
 * never move, so a grown object keeps its base and every pointer into it. Needs the
 * delete right.
 *   size  the new size in bytes, > 0, rounded up to whole pages. Growing adds zero pages
 *         (for a committed object the new size becomes durable with its next commit, as
 *         the new pages' bytes do); shrinking unmaps and drops the tail's pages (for a
 *         committed object, durably when this returns).
 * Returns SAS_OK, or
 *   SAS_EINVAL       size is 0, or larger than the region allows;
 *   SAS_ENOTFOUND    no object starts at base;
 *   SAS_ENOGROW      the range right after the object is taken: it cannot grow there;
 *   SAS_ECAP_DENIED  the caller's domain lacks the delete right;
 *   the store's errors (SAS_ESTORE_FULL, SAS_EIO) when a shrink must be stored.
 */
enum sas_error sas_resize(void *base, uint64_t size);

/*
 * sas_info — what objmgr knows of the object holding addr, in *out. Needs the read right.
 *   addr  any address inside the object.
 * Returns SAS_OK, or
 *   SAS_EINVAL       out is NULL;
 *   SAS_ENOTFOUND    no object holds addr;
 *   SAS_ECAP_DENIED  the caller's domain lacks the read right on it.
 */
enum sas_error sas_info(const void *addr, struct sas_info *out);

/*
 * sas_commit — make the listed objects' changes durable, all or nothing.
 *   addresses  n addresses, each anywhere inside a persistent object (duplicates and
 *              several addresses of one object are fine).
 *   n          1 .. OBJ_COMMIT_MAX (62). A longer list is refused (SAS_EINVAL), never
 *              split: two transactions would not be all or nothing. Use sas_commit_all,
 *              or fewer objects.
 * The objects' dirty pages, their records (a new object's first) and the capability
 * records that belong to them are written in one store transaction, durable when this
 * returns SAS_OK. Pages written by programs that have ended since count too. Needs the
 * write right on each object.
 * Returns SAS_OK, or
 *   SAS_EINVAL       addresses is NULL, n is 0 or more than OBJ_COMMIT_MAX, or an
 *                    address lies in a transient object;
 *   SAS_ENOTFOUND    an address lies in no object;
 *   SAS_ECAP_DENIED  the caller's domain lacks the write right on one of them;
 *   SAS_ESTORE_FULL  the store has no room;
 *   SAS_EIO          the disk failed.
 * On any error nothing was written, and the pages stay dirty for a later commit.
 */
enum sas_error sas_commit(void *const *addresses, unsigned n);

/*
 * sas_commit_all — sas_commit over every persistent object the caller's domain owns (it
 * created), in one transaction. No such object: SAS_OK, nothing written.
 * Returns SAS_OK, or SAS_ESTORE_FULL, SAS_EIO (nothing written: pages stay dirty).
 */
enum sas_error sas_commit_all(void);

/*
 * sas_stats — objmgr's counters (sas/proto/objmgr.h, struct objmgr_stats): objects,
 * resident pages, faults served, pages read from and written to the store, commits,
 * capability checks asked, domains bound. For tests and benchmarks.
 * Returns SAS_OK, or SAS_EINVAL (out is NULL).
 */
enum sas_error sas_stats(struct objmgr_stats *out);

/*
 * sas_frame — the frame objmgr holds for the page of addr, in *frame (objmgr's own
 * numbering): two tasks that see one frame number share one page. Needs the read right.
 * Returns SAS_OK, or
 *   SAS_EINVAL       frame is NULL;
 *   SAS_ENOTFOUND    no object holds addr, or its page is not resident (never touched,
 *                    or dropped);
 *   SAS_ECAP_DENIED  the caller's domain lacks the read right on it.
 */
enum sas_error sas_frame(const void *addr, uint64_t *frame);

/* ---- Sharing (issue 21) ---------------------------------------------------------------
 * A capability (struct cap, <capstore/cap.h>) is 232 bytes of plain data: keep it, send it,
 * store it in an object. What a domain may touch is what its list holds; these functions
 * change lists and ask why an access is refused. A change to a committed object's
 * capabilities is durable when the call returns; one to an object never committed becomes
 * durable with the object's first commit.
 */

/*
 * sas_cap_derive — a weaker capability from parent, offline (no IPC, no server): at most
 * `rights` (CAP_R_*), only bytes [off, off + len) of the object (CAP_RANGE_ALL with off 0:
 * all of it; checks count whole pages), valid while the wall clock (seconds since 1970) is
 * below `expiry` (CAP_NO_EXPIRY: no limit). child may be parent.
 * Errors: SAS_ECAP_MALFORMED (parent not canonical, unknown rights, an empty or wrapping
 * range), SAS_ECAP_AMPLIFY (a right parent lacks, a later expiry, a range outside
 * parent's), SAS_ECAP_DEPTH (parent has CAP_LINKS_MAX links), SAS_EINVAL (NULL).
 */
enum sas_error sas_cap_derive(const struct cap *parent, unsigned rights, uint64_t off,
                              uint64_t len, uint64_t expiry, struct cap *child);

/*
 * sas_grant — put cap into the list of the protection domain called `domain`. The caller's
 * domain must hold a capability of the object with CAP_R_GRANT that covers cap (its
 * rights, range and expiry), and cap must verify.
 * A domain no program ran in yet is made (a domain is a persistent list; a program run in
 * it later finds the capability there) — only for a grant that is otherwise sound. If the
 * store refuses the transaction (SAS_ESTORE_FULL, SAS_EIO), the grant is made but not yet
 * durable: it goes with the next transaction.
 * Errors: SAS_EINVAL (domain NULL, empty, longer than 31 bytes or not [A-Za-z0-9._-]),
 * SAS_ECAP_DENIED (no covering capability with the grant right), SAS_ECAP_FORGED,
 * SAS_ECAP_REVOKED, SAS_ECAP_EXPIRED, SAS_ECAP_MALFORMED (cap itself),
 * SAS_EDOMAIN_LOCKED, SAS_ENOSTORE, SAS_EPERM, SAS_EIO, the store's.
 */
enum sas_error sas_grant(const char *domain, const struct cap *cap);

/*
 * sas_cap_add — put cap into the caller's own list, after capstore verifies it (as for
 * sas_grant, a store error means the change is made, durable with the next transaction).
 * Errors: SAS_ECAP_FORGED (its tag does not verify: forged, or any bit changed),
 * SAS_ECAP_REVOKED (revoked, or its object is gone), SAS_ECAP_EXPIRED,
 * SAS_ECAP_MALFORMED, SAS_EINVAL (NULL), SAS_ENOSTORE, SAS_EPERM, SAS_EIO.
 */
enum sas_error sas_cap_add(const struct cap *cap);

/*
 * sas_caps — the i-th capability of the caller's own list (in address, then tag order) in
 * *out (may be NULL), and in *count (may be NULL) how many the list holds.
 * Errors: SAS_ENOTFOUND (i >= the count; *count is still set), SAS_ENOSTORE, SAS_EPERM,
 * SAS_EIO.
 */
enum sas_error sas_caps(unsigned i, struct cap *out, unsigned *count);

/* What sas_why says about an access. */
struct sas_why {
    int allowed;              /* 1: the caller's domain may make the access */
    unsigned reason;          /* enum cap_reason (capstore.h): why not, or CAP_ALLOWED */
    unsigned rights;          /* allowed: the rights of the capability that allows */
    uint8_t tag[16];          /* the tag of the capability that matched or came closest
                               * in the caller's own list; zeros if it holds none */
    void *base;               /* the object's base */
};

/*
 * sas_why — capstore's answer for the caller's own domain to "may I make `access`
 * (OBJ_ACCESS_READ/WRITE/EXEC, or-ed) at addr?": the reason and the closest capability's
 * tag (show a prefix). Never another domain's capability. sas_denied_phrase() in
 * <sas/denied.h> says the reason in words, as the denial line does.
 * Errors: SAS_ENOTFOUND (no object there), SAS_EINVAL, SAS_ENOSTORE, SAS_EPERM, SAS_EIO.
 */
enum sas_error sas_why(const void *addr, unsigned access, struct sas_why *out);

/*
 * sas_revoke — revoke cap and every capability derived from it; holding cap is the
 * authority. Before it returns, every task's mappings of the object are gone: a domain
 * whose list still allows an access faults and is mapped again, one that relied on the
 * revoked capability is denied from then on.
 * Errors: SAS_ECAP_FORGED, SAS_ECAP_REVOKED (revoked already), SAS_ECAP_MALFORMED,
 * SAS_ECAP_REVSET_FULL (24 capabilities of the object revoked this generation),
 * SAS_EINVAL (NULL), SAS_ENOSTORE, SAS_EPERM,
 * SAS_EIO, the store's (the revocation is made, durable with the next transaction).
 */
enum sas_error sas_revoke(const struct cap *cap);

#endif
