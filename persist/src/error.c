/*
 * error.c — the one place where LMDB's and errno codes become enum sas_error. LMDB's
 * codes are negative (MDB_KEYEXIST .. MDB_LAST_ERRCODE); any other value of either sign
 * is taken as an errno (the guest's POSIX layer may hand errno back negated).
 */
#include <errno.h>
#include "store.h"

static enum sas_error from_lmdb(int rc)
{
    switch (rc) {
    case MDB_NOTFOUND:         return SAS_ENOTFOUND;
    case MDB_KEYEXIST:         return SAS_EEXIST;
    case MDB_MAP_FULL:         return SAS_ESTORE_FULL;
    case MDB_TXN_FULL:         return SAS_ENOMEM;      /* transaction too large for RAM */
    case MDB_DBS_FULL:         return SAS_ENOSPACE;    /* no free named-database slot */
    case MDB_PAGE_NOTFOUND:
    case MDB_CORRUPTED:
    case MDB_PANIC:            return SAS_ESTORE_CORRUPT;
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_INCOMPATIBLE:     return SAS_ESTORE_FOREIGN;
    case MDB_READERS_FULL:
    case MDB_MAP_RESIZED:      return SAS_EBUSY;
    default:                   return SAS_EINVAL;      /* bad txn, dbi, rslot, value size */
    }
}

static enum sas_error from_errno(int e)
{
    switch (e) {
    case ENOENT:  return SAS_ENOTFOUND;
    case EEXIST:  return SAS_EEXIST;
    case ENOMEM:  return SAS_ENOMEM;
    case ENOSPC:
    case EFBIG:   return SAS_ESTORE_FULL;
    case EACCES:
    case EPERM:
    case EROFS:   return SAS_ESTORE_READONLY;
    case EINVAL:  return SAS_EINVAL;
    case EBUSY:
    case EAGAIN:  return SAS_EBUSY;
    default:      return SAS_EIO;
    }
}

enum sas_error persist_error(int rc)
{
    if (rc == 0)
        return SAS_OK;
    if (rc >= MDB_KEYEXIST && rc <= MDB_LAST_ERRCODE)
        return from_lmdb(rc);
    return from_errno(rc < 0 ? -rc : rc);
}
