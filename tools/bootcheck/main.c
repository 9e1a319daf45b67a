/*
 * bootcheck — checks a boot archive against the windows of sas/layout.h (bootcheck.h).
 *
 *   bootcheck ARCHIVE
 *
 * Exit status 0 if it passes; 1 with one line on stderr naming the member, the segment's
 * range and the window otherwise (or if the archive cannot be read).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcheck.h"

static const struct sas_window windows[] = { SAS_WINDOWS(SAS_WINDOW_ROW) };

static uint8_t *slurp(const char *path, uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    long len = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
    if (len >= 0 && !fseek(f, 0, SEEK_SET) && (buf = malloc(len ? (size_t)len : 1)) &&
        fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = (uint64_t)len;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bootcheck ARCHIVE\n");
        return 1;
    }
    uint64_t size;
    uint8_t *ar = slurp(argv[1], &size);
    if (!ar) {
        fprintf(stderr, "bootcheck: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    char msg[512];
    int r = bootcheck(ar, size, windows, sizeof(windows) / sizeof(windows[0]), msg, sizeof(msg));
    if (r)
        fprintf(stderr, "bootcheck: %s: %s\n", argv[1], msg);
    free(ar);
    return r ? 1 : 0;
}
