/*
 * stat.c — `stat IMG`: the store's format, layout and space figures.
 */
#include <stdio.h>
#include "tool.h"

int cmd_stat(struct persist *p, struct persist_txn *t, int argc, char **argv)
{
    struct persist_info in;
    struct persist_probe pr;
    enum sas_error e;

    (void)argv;
    if (argc)
        return EXIT_USAGE;
    /* persist_stat takes its own read snapshot; ours is not needed for it. */
    (void)t;
    if ((e = persist_probe(tool_img, &pr)) || (e = persist_stat(p, &in)))
        return tool_fail("stat", e);
    printf("image:          %s\n", tool_img);
    printf("format:         %u\n", in.format);
    printf("pages per run:  %u\n", in.run_pages);
    printf("file size:      %llu bytes\n", (unsigned long long)pr.file_size);
    printf("map size:       %llu bytes\n", (unsigned long long)in.map_size);
    printf("used:           %llu LMDB pages (%llu%%)\n", (unsigned long long)in.used_pages,
           (unsigned long long)(in.used_pages * 4096 * 100 / in.map_size));
    printf("last commit:    txn %llu\n", (unsigned long long)in.txnid);
    printf("object records: %llu\n", (unsigned long long)in.records);
    printf("page values:    %llu, in %llu LMDB pages\n", (unsigned long long)in.stored_values,
           (unsigned long long)in.lmdb_pages);
    return 0;
}
