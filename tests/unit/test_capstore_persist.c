/*
 * test_capstore_persist.c — capstore over persist's "capstore" database in a real image:
 * everything survives a close and reopen of the store, and ellfour-store's `domains` and
 * `check` read it offline, the latter naming a capability whose stored bytes were altered.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <glue/capstore_persist.h>
#include "test_capstore_util.h"

static char dir[64], img[96], out[16384];

static int setup(void **st)
{
    struct persist_create_opts o = { .size = 4u << 20, .run_pages = PERSIST_RUN_PAGES_DEFAULT };

    (void)st;
    strcpy(dir, "/tmp/test_capstore.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(img, sizeof img, "%s/disk.img", dir);
    return persist_create(img, &o) == SAS_OK ? 0 : -1;
}

static int teardown(void **st)
{
    char cmd[128];

    (void)st;
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

/* Run `ellfour-store CMD IMG`; out gets its stdout and stderr; returns its exit status. */
static int tool(const char *cmd)
{
    char line[512], path[128];

    snprintf(path, sizeof path, "%s/out", dir);
    snprintf(line, sizeof line, "%s %s %s >%s 2>&1", STORE_TOOL, cmd, img, path);
    int st = system(line);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(out, 1, sizeof out - 1, f) : 0;
    out[n] = 0;
    if (f)
        fclose(f);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

struct opened {
    struct persist *p;
    struct capstore_persist cp;
    struct capstore *cs;
};

static void open_all(struct opened *o)
{
    struct capstore_backend be;

    assert_int_equal(persist_open(img, 0, &o->p), SAS_OK);
    assert_int_equal(capstore_persist_attach(o->p, &o->cp, &be), SAS_OK);
    assert_int_equal(capstore_open(&be, 0, &o->cs), SAS_OK);
}

static void close_all(struct opened *o)
{
    capstore_close(o->cs);
    persist_close(o->p);
}

static struct cap rev, kept;   /* a revoked and a valid capability of domain "shell" */

/* Domain "shell" (locked): the owner capability of A, a read-only child, and a revoked
 * child; domain "web": a capability of B. */
static void fill(void)
{
    struct opened o;
    struct cap a, b;
    struct cap_link l = link_all();
    domain_id sh, web;

    open_all(&o);
    assert_int_equal(cap_mint(o.cs, OBJ_A, EPOCH, &l, &a), SAS_OK);
    assert_int_equal(cap_mint(o.cs, OBJ_B, EPOCH, &l, &b), SAS_OK);
    kept = derive(&a, CAP_R_READ, CAP_NO_EXPIRY, 0, 0x4000);
    rev = derive(&a, CAP_R_READ | CAP_R_WRITE, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
    assert_int_equal(domain_create(o.cs, "shell", &sh), SAS_OK);
    assert_int_equal(domain_create(o.cs, "web", &web), SAS_OK);
    assert_int_equal(domain_add(o.cs, sh, &a, NOW), SAS_OK);
    assert_int_equal(domain_add(o.cs, sh, &kept, NOW), SAS_OK);
    assert_int_equal(domain_add(o.cs, sh, &rev, NOW), SAS_OK);
    assert_int_equal(domain_add(o.cs, web, &b, NOW), SAS_OK);
    assert_int_equal(domain_lock(o.cs, sh), SAS_OK);
    assert_int_equal(cap_revoke(o.cs, &rev), SAS_OK);
    close_all(&o);
}

static void capstore_persist_keeps_everything(void **st)
{
    struct opened o;
    struct domain_info info;
    struct cap_decision dec;
    const struct cap_object oa = { OBJ_A, 0x10000, EPOCH };
    domain_id sh;

    (void)st;
    fill();
    open_all(&o);
    assert_int_equal(domain_find(o.cs, "shell", &sh), SAS_OK);
    assert_int_equal(domain_info(o.cs, sh, &info), SAS_OK);
    assert_int_equal(info.locked, 1);
    assert_int_equal(info.ncaps, 3);
    assert_int_equal(cap_verify(o.cs, &kept, NOW), SAS_OK);       /* same master key */
    assert_int_equal(cap_verify(o.cs, &rev, NOW), SAS_ECAP_REVOKED);
    assert_int_equal(cap_check(o.cs, sh, &oa, OBJ_A, CAP_R_WRITE, NOW, &dec), SAS_OK);
    assert_true(dec.allow);                                         /* via the owner cap */
    assert_int_equal(domain_add(o.cs, sh, &kept, NOW), SAS_EDOMAIN_LOCKED);
    close_all(&o);
}

static void ellfour_store_lists_and_checks_capabilities(void **st)
{
    (void)st;
    assert_int_equal(tool("domains"), 0);                  /* nothing stored yet */
    assert_null(strstr(out, "domain "));
    fill();
    assert_int_equal(tool("domains"), 0);
    assert_non_null(strstr(out, "domain 1 shell (locked): 3 capabilities"));
    assert_non_null(strstr(out, "domain 2 web: 1 capability"));
    assert_non_null(strstr(out, " r---- +0..+0x4000"));
    assert_non_null(strstr(out, " revoked\n"));
    assert_null(strstr(out, "INVALID"));
    assert_int_equal(tool("check"), 0);
    assert_non_null(strstr(out, "capabilities: 4 verified in domains, 1 revoked, 0 expired, 0 invalid"));
}

struct find_cap {
    uint8_t key[64], val[sizeof(struct cap)];
    size_t klen;
    int found;
};

static int first_cap(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
    struct find_cap *fc = arg;

    if (kl > sizeof fc->key || ((const uint8_t *)k)[0] != 'C' || vl != sizeof fc->val)
        return 0;
    memcpy(fc->key, k, kl);
    memcpy(fc->val, v, vl);
    fc->klen = kl;
    fc->found = 1;
    return 1;
}

static void ellfour_store_check_names_an_altered_capability(void **st)
{
    struct opened o;
    struct persist_txn *t;
    struct find_cap fc = { .found = 0 };

    (void)st;
    fill();
    open_all(&o);
    capstore_close(o.cs);
    o.cs = NULL;
    assert_int_equal(persist_begin(o.p, 1, &t), SAS_OK);
    assert_int_equal(persist_db_each(t, o.cp.db, "C", 1, first_cap, &fc), SAS_OK);
    assert_true(fc.found);
    fc.val[24] ^= 1;                  /* one bit of link 0's expiry, key left alone */
    assert_int_equal(persist_db_put(t, o.cp.db, fc.key, fc.klen, fc.val, sizeof fc.val), SAS_OK);
    assert_int_equal(persist_commit(t), SAS_OK);
    persist_close(o.p);
    assert_int_equal(tool("check"), 1);
    /* Forged, or malformed if the flip made link 0 narrower than a later link. */
    assert_true(strstr(out, "capability in domain shell: capability does not verify") ||
                strstr(out, "capability in domain shell: capability is malformed"));
    assert_non_null(strstr(out, "1 invalid"));
    assert_int_equal(tool("domains"), 0);
    assert_non_null(strstr(out, " INVALID\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(capstore_persist_keeps_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(ellfour_store_lists_and_checks_capabilities, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(ellfour_store_check_names_an_altered_capability,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
