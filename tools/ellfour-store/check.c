/*
 * check.c — `check IMG`: the records decode and lie in the object region without
 * overlapping (rebuilt through objmgr's own restore, so the rules are the server's), the
 * epoch counter is ahead of every epoch, every stored page belongs to a live object, and
 * every page's checksum matches. Each problem is one line; exit 1 if there were any.
 */
#include <stdio.h>
#include <sas/layout.h>
#include "tool.h"

struct chk {
    struct obj_table *tab;
    unsigned long problems, objects, freed, pages;
    uint64_t max_epoch;
};

static void problem(struct chk *c, const char *what, uint64_t addr)
{
    printf("problem: %#018llx: %s\n", (unsigned long long)addr, what);
    c->problems++;
}

static int check_record(void *arg, uint64_t base, const void *rec, size_t len)
{
    struct chk *c = arg;
    struct obj_record r;
    enum sas_error e;

    if (obj_decode(rec, len, &r)) {
        problem(c, "object record does not decode", base);
        return 0;
    }
    if (r.base != base) {
        problem(c, "object record is filed under another address", base);
        return 0;
    }
    if ((e = obj_restore(c->tab, &r))) {
        problem(c, e == SAS_EEXIST ? "object overlaps another object or freed range"
                                   : "object is misaligned or outside the object region", base);
        return 0;
    }
    if (r.epoch > c->max_epoch)
        c->max_epoch = r.epoch;
    (r.flags & OBJ_FREED) ? c->freed++ : c->objects++;
    return 0;
}

static int check_page(void *arg, uint64_t addr, const void *page, enum sas_error e)
{
    struct chk *c = arg;
    struct obj_record r;

    (void)page;
    c->pages++;
    if (e)
        problem(c, "page checksum or layout does not match: data is damaged", addr);
    else if (obj_find(c->tab, addr, &r))
        problem(c, "page belongs to no live object", addr);
    return 0;
}

static void check_epoch(struct chk *c, struct persist_txn *t)
{
    uint64_t next;
    enum sas_error e = persist_meta_get_u64(t, "objmgr.epoch", &next);

    if (e == SAS_ENOTFOUND && !c->objects && !c->freed)
        return;                          /* an empty store has no counter yet */
    if (e)
        problem(c, "epoch counter missing or malformed", 0);
    else if (next <= c->max_epoch)
        problem(c, "epoch counter is behind an object's epoch (would reuse epochs)", next);
}

int cmd_check(struct persist_txn *t, int argc, char **argv)
{
    struct chk c = { 0 };
    enum sas_error e;

    (void)argv;
    if (argc)
        return EXIT_USAGE;
    if (obj_table_new(SAS_OBJECT_BASE, SAS_OBJECT_END, &c.tab))
        return tool_fail("check", SAS_ENOMEM);
    if (!(e = persist_record_each(t, check_record, &c)))
        e = persist_pages_each(t, check_page, &c);
    check_epoch(&c, t);
    obj_table_free(c.tab);
    if (e)
        return tool_fail("check", e);
    printf("%s: %lu objects, %lu freed ranges, %lu pages: %lu problem%s\n", tool_img,
           c.objects, c.freed, c.pages, c.problems, c.problems == 1 ? "" : "s");
    return c.problems ? EXIT_PROBLEMS : 0;
}
