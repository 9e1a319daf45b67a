/*
 * env.c — making, opening and closing a store. The environment flags are fixed here and
 * nowhere else: MDB_NOSUBDIR | MDB_NOLOCK (one file, persist is its only user), never the
 * flags that weaken durability (MDB_NOSYNC, MDB_NOMETASYNC, MDB_MAPASYNC) and not
 * MDB_WRITEMAP (a stray write into the map could corrupt committed data).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "store.h"

#define ENV_FLAGS (MDB_NOSUBDIR | MDB_NOLOCK)

enum sas_error env_new(const char *path, uint64_t mapsize, unsigned extra,
                              MDB_env **out)
{
    MDB_env *env;
    int rc = mdb_env_create(&env);

    if (rc)
        return persist_error(rc);
    if (!(rc = mdb_env_set_maxdbs(env, PERSIST_MAXDBS)) &&
        !(rc = mdb_env_set_mapsize(env, (size_t)mapsize)) &&
        !(rc = mdb_env_open(env, path, ENV_FLAGS | extra, 0644))) {
        *out = env;
        return SAS_OK;
    }
    mdb_env_close(env);
    return persist_error(rc);
}

/* Create the reserved databases and persist's own metadata in a fresh environment. */
static enum sas_error format_store(struct persist *p, unsigned run_pages)
{
    struct persist_txn *t;
    uint32_t fmt = PERSIST_FORMAT_VERSION;
    uint64_t run = run_pages;
    enum sas_error e = persist_begin(p, 1, &t);

    if (e)
        return e;
    randombytes_buf(p->key, sizeof p->key);
    if ((e = meta_put_raw(t, META_MAGIC, PERSIST_MAGIC, sizeof PERSIST_MAGIC)) ||
        (e = meta_put_raw(t, META_FORMAT, &fmt, sizeof fmt)) ||
        (e = meta_put_raw(t, META_KEY, p->key, sizeof p->key)) ||
        (e = meta_put_raw(t, META_RUN, &run, sizeof run))) {
        persist_abort(t);
        return e;
    }
    return persist_commit(t);
}

/* Open (creating if asked) the three reserved databases; handles outlive the txn. */
enum sas_error open_dbis(struct persist *p, unsigned flags)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(p->env, NULL, flags & MDB_CREATE ? 0 : MDB_RDONLY, &txn);

    if (rc)
        return persist_error(rc);
    if ((rc = mdb_dbi_open(txn, "meta", flags, &p->meta)) ||
        (rc = mdb_dbi_open(txn, "pages", flags, &p->pages)) ||
        (rc = mdb_dbi_open(txn, "objects", flags, &p->objects))) {
        mdb_txn_abort(txn);
        /* A plain LMDB file without our databases is someone else's. */
        return rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE ? SAS_ESTORE_FOREIGN
                                                           : persist_error(rc);
    }
    return persist_error(mdb_txn_commit(txn));
}

static int valid_opts(const struct persist_create_opts *o)
{
    return o->size >= 64 * 1024 && o->size % PERSIST_PAGE == 0 && o->run_pages >= 1 &&
           o->run_pages <= PERSIST_RUN_PAGES_MAX && !(o->run_pages & (o->run_pages - 1));
}

enum sas_error persist_create(const char *path, const struct persist_create_opts *o)
{
    struct persist p = { .run_pages = o->run_pages, .format = PERSIST_FORMAT_VERSION };
    enum sas_error e;
    int fd;

    if (!valid_opts(o))
        return SAS_EINVAL;
    if (sodium_init() < 0)
        return SAS_ENOMEM;
    /* LMDB formats only a zero-length file; O_EXCL keeps us from clobbering one. */
    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0)
        return persist_error(errno);
    close(fd);
    if (!(e = env_new(path, o->size, 0, &p.env))) {
        if (!(e = open_dbis(&p, MDB_CREATE)))
            e = format_store(&p, o->run_pages);
        mdb_env_close(p.env);
    }
    if (!e && truncate(path, (off_t)o->size) < 0)
        e = persist_error(errno);
    if (e)
        unlink(path);
    sodium_memzero(p.key, sizeof p.key);
    return e;
}
