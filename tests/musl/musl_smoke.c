/*
 * musl_smoke.c — proof that objmgr and persist use nothing glibc-specific: this program,
 * the two libraries (compiled against musl's headers), Debian's liblmdb.a and libsodium.a
 * are linked statically with musl's libc, the way the servers will be. It creates a store,
 * creates an object, commits a page and its record, reopens the store and reads both back.
 * Exit 0 and "musl smoke: ok" on success.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <objmgr/objmgr.h>
#include <persist/persist.h>
#include <sas/layout.h>

static int fail(const char *what, enum sas_error e)
{
    fprintf(stderr, "musl smoke: %s: %s\n", what, sas_strerror(e));
    return 1;
}

static int write_object(const char *img, struct obj_record *r, const uint8_t *page)
{
    struct obj_table *tab;
    struct persist *p;
    struct persist_txn *t;
    struct obj_spec s = { .size = SAS_PAGE_SIZE, .flags = OBJ_PERSISTENT, .label = "musl" };
    uint8_t enc[OBJ_RECORD_BYTES];
    enum sas_error e;

    if ((e = obj_table_new(SAS_OBJECT_BASE, SAS_OBJECT_END, &tab)) || (e = obj_create(tab, &s, r)))
        return fail("objmgr", e);
    obj_table_free(tab);
    obj_encode(r, enc);
    if ((e = persist_open(img, 0, &p)))
        return fail("open", e);
    if (!(e = persist_begin(p, 1, &t)) && !(e = persist_pages_write(t, r->base, 1, page)) &&
        !(e = persist_record_put(t, r->base, enc, sizeof enc)))
        e = persist_commit(t);
    else if (!e)
        persist_abort(t);
    persist_close(p);
    return e ? fail("commit", e) : 0;
}

static int read_object(const char *img, const struct obj_record *r, const uint8_t *page)
{
    static uint8_t got[SAS_PAGE_SIZE];
    uint8_t enc[OBJ_RECORD_BYTES];
    struct obj_record back;
    struct persist *p;
    struct persist_txn *t;
    size_t len = 0;
    enum sas_error e;

    if ((e = persist_open(img, PERSIST_RDONLY, &p)))
        return fail("reopen", e);
    if (!(e = persist_begin(p, 0, &t))) {
        if (!(e = persist_pages_read(t, r->base, 1, got)))
            e = persist_record_get(t, r->base, enc, sizeof enc, &len);
        persist_abort(t);
    }
    persist_close(p);
    if (e)
        return fail("read back", e);
    if ((e = obj_decode(enc, len, &back)) || back.base != r->base || strcmp(back.label, "musl") ||
        memcmp(got, page, SAS_PAGE_SIZE))
        return fail("contents differ", e ? e : SAS_ESTORE_CORRUPT);
    return 0;
}

int main(int argc, char **argv)
{
    char img[256];
    static uint8_t page[SAS_PAGE_SIZE];
    struct persist_create_opts o = { .size = 1 << 20, .run_pages = PERSIST_RUN_PAGES_DEFAULT };
    struct obj_record r;
    enum sas_error e;

    snprintf(img, sizeof img, "%s/musl-smoke-%d.img", argc > 1 ? argv[1] : "/tmp", (int)getpid());
    for (unsigned i = 0; i < sizeof page; i++)
        page[i] = (uint8_t)(i * 31 + 7);
    if ((e = persist_create(img, &o)))
        return fail("create", e);
    int rc = write_object(img, &r, page) || read_object(img, &r, page);
    unlink(img);
    if (!rc)
        printf("musl smoke: ok (object %#llx, 1 page committed and read back)\n",
               (unsigned long long)r.base);
    return rc;
}
