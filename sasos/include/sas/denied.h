/*
 * sas/denied.h — how a refused access to an object is said, in one place: the posix
 * personality's line when it ends a program for a denied access (sasos/posix/objects.c),
 * the client library (<sas.h>) and tools all take their words from here, so the same
 * refusal reads the same everywhere:
 *
 *     write to 0x100000003000 denied: no capability with write right
 *     <sas_access_phrase(access)> <address> denied: <sas_denied_phrase(reason, access)>
 *
 * `access` is the access that was refused, in capstore's right bits (CAP_R_READ 1,
 * CAP_R_WRITE 2, CAP_R_EXEC 4: capstore/cap.h, the same bits as OBJ_ACCESS_* in
 * sas/proto/objmgr.h); when several are set, a write names the access before an execute,
 * and an execute before a read. `reason` is capstore's enum cap_reason
 * (capstore/capstore.h), as OBJ_FAULT's denial carries it in MR0; its values are repeated
 * here so that freestanding code need not include capstore, and tests/unit/test_denied.c
 * checks that the two agree.
 *
 * Header-only and freestanding: native, musl and host code include it alike.
 */
#ifndef SAS_DENIED_H
#define SAS_DENIED_H

#define SAS_DENIED_NO_CAP   1u   /* CAP_DENY_NO_CAP */
#define SAS_DENIED_RANGE    2u   /* CAP_DENY_RANGE */
#define SAS_DENIED_RIGHTS   3u   /* CAP_DENY_RIGHTS */
#define SAS_DENIED_EXPIRED  4u   /* CAP_DENY_EXPIRED */
#define SAS_DENIED_REVOKED  5u   /* CAP_DENY_REVOKED */
#define SAS_DENIED_FORGED   6u   /* CAP_DENY_FORGED */

#define SAS_DENIED_READ  0x1u    /* CAP_R_READ */
#define SAS_DENIED_WRITE 0x2u    /* CAP_R_WRITE */
#define SAS_DENIED_EXEC  0x4u    /* CAP_R_EXEC */

/* The access as the line's opening words: "write to", "execute at" or "read from". */
static inline const char *sas_access_phrase(unsigned access)
{
    return access & SAS_DENIED_WRITE ? "write to"
         : access & SAS_DENIED_EXEC  ? "execute at" : "read from";
}

/* Why the access was refused, for capstore's reason; never NULL. A reason this header
 * does not know (CAP_ALLOWED, or one a later capstore adds) reads "capability check
 * refused the access". */
static inline const char *sas_denied_phrase(unsigned reason, unsigned access)
{
    switch (reason) {
    case SAS_DENIED_NO_CAP:  return "no capability for the object";
    case SAS_DENIED_RANGE:   return "no capability covers the page";
    case SAS_DENIED_RIGHTS:
        return access & SAS_DENIED_WRITE ? "no capability with write right"
             : access & SAS_DENIED_EXEC  ? "no capability with execute right"
                                         : "no capability with read right";
    case SAS_DENIED_EXPIRED: return "capability expired";
    case SAS_DENIED_REVOKED: return "capability revoked";
    case SAS_DENIED_FORGED:  return "capability does not verify";
    default:                 return "capability check refused the access";
    }
}

#endif
