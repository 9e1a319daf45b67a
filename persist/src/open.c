/*
 * open.c — opening a store: probe the file, map it no larger than it is, and accept it only
 * if persist's own metadata says it is an Ell Four store of a format this code reads.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "store.h"

static enum sas_error read_identity(struct persist *p)
{
    struct persist_txn *t;
    char magic[sizeof PERSIST_MAGIC];
    uint32_t fmt = 0;
    uint64_t run = 0;
    size_t len = 0, klen = 0, flen = 0, rlen = 0;
    enum sas_error e = persist_begin(p, 0, &t);

    if (e)
        return e;
    e = meta_get_raw(t, META_MAGIC, magic, sizeof magic, &len);
    if (e == SAS_ENOTFOUND || (!e && (len != sizeof magic || memcmp(magic, PERSIST_MAGIC, len))))
        e = SAS_ESTORE_FOREIGN;
    if (!e)
        e = meta_get_raw(t, META_FORMAT, &fmt, sizeof fmt, &flen);
    if (!e && flen == sizeof fmt && fmt > PERSIST_FORMAT_VERSION)
        e = SAS_ESTORE_VERSION;
    if (!e)
        e = meta_get_raw(t, META_KEY, p->key, sizeof p->key, &klen);
    if (!e)
        e = meta_get_raw(t, META_RUN, &run, sizeof run, &rlen);
    /* Present but malformed identity: damaged rather than foreign. */
    if (!e && (flen != sizeof fmt || fmt == 0 || klen != sizeof p->key || rlen != sizeof run ||
               !run || run > PERSIST_RUN_PAGES_MAX || (run & (run - 1))))
        e = SAS_ESTORE_CORRUPT;
    if (e == SAS_ENOTFOUND)
        e = SAS_ESTORE_CORRUPT;
    persist_abort(t);
    p->format = fmt;
    p->run_pages = (unsigned)run;
    return e;
}

enum sas_error persist_open(const char *path, unsigned flags, struct persist **out)
{
    struct persist_probe pr;
    struct persist *p;
    enum sas_error e;

    if ((e = persist_probe(path, &pr)))
        return e;
    if (sodium_init() < 0 || !(p = calloc(1, sizeof *p)))
        return SAS_ENOMEM;
    p->rdonly = !!(flags & PERSIST_RDONLY);
    /* The map never exceeds the file: LMDB cannot grow into space the disk lacks. */
    e = env_new(path, pr.file_size, p->rdonly ? MDB_RDONLY : 0, &p->env);
    if (!e && !(e = open_dbis(p, 0)))
        e = read_identity(p);
    if (e) {
        persist_close(p);
        return e;
    }
    *out = p;
    return SAS_OK;
}

void persist_close(struct persist *p)
{
    if (!p)
        return;
    if (p->env)
        mdb_env_close(p->env);
    sodium_memzero(p->key, sizeof p->key);
    free(p);
}

unsigned int persist_env_flags(struct persist *p)
{
    unsigned int f = 0;
    mdb_env_get_flags(p->env, &f);
    return f;
}
