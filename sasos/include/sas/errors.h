/*
 * sas/errors.h — the one status enum of Ell Four's user-level system.
 *
 * Every server library (objmgr, persist, capstore) and the client library <sas.h> return
 * enum sas_error: 0 is success, every other value names one cause. Foreign codes (LMDB's
 * MDB_*, errno) are translated in exactly one place, persist_error() in persist/src/error.c,
 * so no caller ever sees them. Values are part of the server protocols: append, never
 * renumber. Header-only so that freestanding, musl and host code share it without a library.
 */
#ifndef SAS_ERRORS_H
#define SAS_ERRORS_H

enum sas_error {
    SAS_OK = 0,

    /* General. */
    SAS_EINVAL = 1,         /* an argument is malformed: misaligned, zero, out of range */
    SAS_ENOMEM = 2,         /* the server's own memory is exhausted */
    SAS_ENOTSUP = 3,        /* the operation exists but not for this object or store */
    SAS_EIO = 4,            /* the device or file reported an I/O error */
    SAS_EBUSY = 5,          /* a conflicting operation is in progress (e.g. open write txn) */
    SAS_EPERM = 6,          /* the sender may not make this request of this server */
    SAS_ENOSTORE = 7,       /* no single address space: the disk holds no usable store */

    /* Objects and the address region (objmgr). */
    SAS_ENOSPACE = 16,      /* no free extent of the requested size and alignment */
    SAS_ENOTFOUND = 17,     /* no live object at (or containing) the given address */
    SAS_EEXIST = 18,        /* an object already occupies (part of) the range */
    SAS_ENOGROW = 19,       /* resize: the range after the object is taken; it never moves */

    /* The store (persist). */
    SAS_ESTORE_FULL = 32,   /* the store has no room; the transaction was rolled back */
    SAS_ESTORE_CORRUPT = 33, /* a checksum or structural check failed; nothing returned */
    SAS_ESTORE_FOREIGN = 34, /* not an Ell Four store (another LMDB file, or not LMDB) */
    SAS_ESTORE_VERSION = 35, /* an Ell Four store of a newer format than this code reads */
    SAS_ESTORE_TRUNCATED = 36, /* the file ends before the store's last used page */
    SAS_ESTORE_READONLY = 37, /* a write through a read-only transaction or store */

    /* Capabilities and protection domains (capstore): codes from 48 on, appended here. */
    SAS_ECAP_FORGED = 48,   /* the tag does not verify: forged, altered or wrong store */
    SAS_ECAP_MALFORMED = 49, /* bad version, chain length, padding, or a widening link */
    SAS_ECAP_REVOKED = 50,  /* the object's epoch moved on, or in its revocation set */
    SAS_ECAP_EXPIRED = 51,  /* authentic, but the caller's clock is past its expiry */
    SAS_ECAP_AMPLIFY = 52,  /* derive: more rights, later expiry or a wider range */
    SAS_ECAP_DEPTH = 53,    /* derive: the chain already has its maximum length */
    SAS_ECAP_DENIED = 54,   /* the capability lacks the authority for this operation */
    SAS_ECAP_REVSET_FULL = 55, /* the object's revocation set is full: revoke all instead */
    SAS_ECAP_EPOCH = 56,    /* the object's epoch counter is exhausted */
    SAS_EDOMAIN_NOTFOUND = 57, /* no protection domain of that name or id */
    SAS_EDOMAIN_EXISTS = 58, /* a protection domain of that name exists */
    SAS_EDOMAIN_LOCKED = 59, /* the domain is locked: its capability list cannot grow */

    /* Physical memory (sigma0, sas/proto/sigma0.h): codes from 64 on, appended here. */
    SAS_EPAGE_OWNED = 64,   /* the page already has an owner: each page has one at a time */
    SAS_EPAGE_KERNEL = 65,  /* the page is the kernel's (its image, pool or local APIC) */
    SAS_EPAGE_DENIED = 66,  /* not the caller's: boot memory to non-root, freeing another's */
    SAS_EPAGE_NOWINDOW = 67, /* the caller's receive window accepted no map item */
};

/* A short English description of e, for logs and tools; never NULL. */
static inline const char *sas_strerror(enum sas_error e)
{
    switch (e) {
    case SAS_OK:               return "success";
    case SAS_EINVAL:           return "invalid argument";
    case SAS_ENOMEM:           return "out of memory";
    case SAS_ENOTSUP:          return "operation not supported";
    case SAS_EIO:              return "I/O error";
    case SAS_EBUSY:            return "busy";
    case SAS_EPERM:            return "request not permitted to this sender";
    case SAS_ENOSTORE:         return "no single address space (no usable store on the disk)";
    case SAS_ENOSPACE:         return "no free address range of that size and alignment";
    case SAS_ENOTFOUND:        return "no object at that address";
    case SAS_EEXIST:           return "range already in use";
    case SAS_ENOGROW:          return "object cannot grow in place: next range is taken";
    case SAS_ESTORE_FULL:      return "store is full";
    case SAS_ESTORE_CORRUPT:   return "store is corrupt (checksum or structure)";
    case SAS_ESTORE_FOREIGN:   return "not an Ell Four store";
    case SAS_ESTORE_VERSION:   return "store format is newer than this software";
    case SAS_ESTORE_TRUNCATED: return "store file is truncated";
    case SAS_ESTORE_READONLY:  return "store or transaction is read-only";
    case SAS_ECAP_FORGED:      return "capability does not verify (forged or altered)";
    case SAS_ECAP_MALFORMED:   return "capability is malformed";
    case SAS_ECAP_REVOKED:     return "capability revoked";
    case SAS_ECAP_EXPIRED:     return "capability expired";
    case SAS_ECAP_AMPLIFY:     return "derivation would widen rights, expiry or range";
    case SAS_ECAP_DEPTH:       return "capability chain at its maximum length";
    case SAS_ECAP_DENIED:      return "capability lacks the authority for this operation";
    case SAS_ECAP_REVSET_FULL: return "object's revocation set is full: revoke all instead";
    case SAS_ECAP_EPOCH:       return "object's epoch counter is exhausted";
    case SAS_EDOMAIN_NOTFOUND: return "no such protection domain";
    case SAS_EDOMAIN_EXISTS:   return "protection domain already exists";
    case SAS_EDOMAIN_LOCKED:   return "protection domain is locked";
    case SAS_EPAGE_OWNED:      return "page already has an owner";
    case SAS_EPAGE_KERNEL:     return "page belongs to the kernel";
    case SAS_EPAGE_DENIED:     return "page is not the caller's to take or return";
    case SAS_EPAGE_NOWINDOW:   return "receive window accepted no page";
    }
    return "unknown error";
}

#endif
