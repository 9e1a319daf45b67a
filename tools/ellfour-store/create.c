/*
 * create.c — `ellfour-store create IMG [--size N] [--run-pages R]`: the one way images are
 * made. persist formats the file with LMDB first (LMDB treats only an empty file as new),
 * writes the format version and checksum key, then grows it to the disk size.
 */
#include <stdio.h>
#include <string.h>
#include "tool.h"

#define DEFAULT_SIZE (64ull << 20)

int cmd_create(int argc, char **argv)
{
    struct persist_create_opts o = { .size = DEFAULT_SIZE, .run_pages = PERSIST_RUN_PAGES_DEFAULT };
    uint64_t v;
    enum sas_error e;

    for (int i = 0; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--size") && !parse_size(argv[i + 1], &v)) {
            o.size = v;
            i++;
        } else if (i + 1 < argc && !strcmp(argv[i], "--run-pages") &&
                   !parse_u64(argv[i + 1], &v) && v <= PERSIST_RUN_PAGES_MAX) {
            o.run_pages = (unsigned)v;
            i++;
        } else {
            fprintf(stderr, "ellfour-store: create: bad argument '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if ((e = persist_create(tool_img, &o))) {
        fprintf(stderr, "ellfour-store: %s: cannot create: %s%s\n", tool_img, sas_strerror(e),
                e == SAS_EINVAL ? " (size: multiple of 4096, >= 64K; run pages: power of "
                                  "two <= 32)" : "");
        return e == SAS_EINVAL ? EXIT_USAGE : EXIT_DAMAGED;
    }
    printf("created %s: %llu bytes, format %u, %u pages per run\n", tool_img,
           (unsigned long long)o.size, PERSIST_FORMAT_VERSION, o.run_pages);
    return 0;
}
