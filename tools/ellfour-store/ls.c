/*
 * ls.c — `ls IMG` lists the object table (address, size, flags, owner, epoch, label) in
 * address order; `dump IMG ADDR [LEN]` prints an object's bytes from ADDR in hex.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sas/layout.h>
#include "tool.h"

struct walk {
    int bad;
    uint64_t addr;            /* dump: the address to find */
    struct obj_record found;
    int have;
};

static const char *flag_str(uint32_t f)
{
    if (f & OBJ_FREED)
        return "freed";
    return f & OBJ_PERSISTENT ? "persistent" : "transient";
}

static int ls_one(void *arg, uint64_t base, const void *rec, size_t len)
{
    struct walk *w = arg;
    struct obj_record r;

    if (obj_decode(rec, len, &r) || r.base != base) {
        printf("%#018llx  (damaged record)\n", (unsigned long long)base);
        w->bad = 1;
        return 0;
    }
    printf("%#018llx %12llu %-10s %6llu %8llu  %s\n", (unsigned long long)r.base,
           (unsigned long long)r.size, flag_str(r.flags), (unsigned long long)r.owner,
           (unsigned long long)r.epoch, r.label);
    return 0;
}

int cmd_ls(struct persist_txn *t, int argc, char **argv)
{
    struct walk w = { 0 };
    enum sas_error e;

    (void)argv;
    if (argc)
        return EXIT_USAGE;
    printf("%-18s %12s %-10s %6s %8s  %s\n", "ADDRESS", "SIZE", "FLAGS", "OWNER", "EPOCH",
           "LABEL");
    if ((e = persist_record_each(t, ls_one, &w)))
        return tool_fail("reading object records", e);
    return w.bad ? EXIT_DAMAGED : 0;
}

static int find_one(void *arg, uint64_t base, const void *rec, size_t len)
{
    struct walk *w = arg;
    struct obj_record r;

    (void)base;
    if (obj_decode(rec, len, &r) || (r.flags & OBJ_FREED))
        return 0;
    if (w->addr >= r.base && w->addr - r.base < r.size) {
        w->found = r;
        w->have = 1;
        return 1;
    }
    return 0;
}

static void hex_line(uint64_t addr, const uint8_t *b, size_t n)
{
    printf("%#018llx ", (unsigned long long)addr);
    for (size_t i = 0; i < 16; i++)
        i < n ? printf(" %02x", b[i]) : printf("   ");
    printf("  |");
    for (size_t i = 0; i < n; i++)
        putchar(isprint(b[i]) ? b[i] : '.');
    printf("|\n");
}

int cmd_dump(struct persist_txn *t, int argc, char **argv)
{
    struct walk w = { 0 };
    uint64_t len, end;
    static uint8_t page[SAS_PAGE_SIZE];
    enum sas_error e;

    if (argc < 1 || argc > 2 || parse_u64(argv[0], &w.addr) ||
        (argc == 2 && parse_size(argv[1], &len)))
        return EXIT_USAGE;
    if ((e = persist_record_each(t, find_one, &w)))
        return tool_fail("reading object records", e);
    if (!w.have)
        return tool_fail("dump", SAS_ENOTFOUND);
    end = w.found.base + w.found.size;
    if (argc < 2 || len > end - w.addr)
        len = end - w.addr;
    for (uint64_t a = w.addr; a < w.addr + len; a += 16) {
        uint64_t pg = a & ~(SAS_PAGE_SIZE - 1);
        if (a == w.addr || a % SAS_PAGE_SIZE == 0)
            if ((e = persist_pages_read(t, pg, 1, page))) {
                fprintf(stderr, "ellfour-store: %s: page %#llx: %s\n", tool_img,
                        (unsigned long long)pg, sas_strerror(e));
                return EXIT_DAMAGED;
            }
        uint64_t n = w.addr + len - a < 16 ? w.addr + len - a : 16;
        hex_line(a, page + (a - pg), (size_t)n);
    }
    return 0;
}
