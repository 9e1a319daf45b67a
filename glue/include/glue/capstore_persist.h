/*
 * glue/capstore_persist.h — capstore's storage interface over persist's named database
 * "capstore" (in the disk image, `mdb_dump -n -s capstore IMG` shows the records of
 * capstore/src/internal.h). For the host tools and tests now; in the system the capstore
 * server reaches persist by IPC through a stub of the same shape.
 */
#ifndef GLUE_CAPSTORE_PERSIST_H
#define GLUE_CAPSTORE_PERSIST_H

#include <capstore/capstore.h>
#include <persist/persist.h>

#define CAPSTORE_DB_NAME "capstore"

struct capstore_persist {
    struct persist *p;
    persist_db db;
};

/*
 * capstore_persist_attach — open (on a writable store: create) the "capstore" database of
 * p, which must have no transaction open, and fill *be to reach it through *cp (which
 * must outlive the capstore opened on *be).
 * Errors: SAS_ENOTFOUND (a read-only store without capstore's database: nothing was ever
 * stored), those of persist_db_open.
 */
enum sas_error capstore_persist_attach(struct persist *p, struct capstore_persist *cp,
                                       struct capstore_backend *be);

#endif
