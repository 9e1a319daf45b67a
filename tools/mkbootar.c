/*
 * mkbootar — packs the boot programs into one boot archive (cpio "newc", the format
 * QEMU's single PVH module carries; see docs/ABI.md "Boot archive").
 *
 *   mkbootar OUT NAME=PATH [NAME=PATH ...]
 *
 * Each member is stored under NAME with mode 0100755; the archive ends with the
 * customary TRAILER!!! entry. The format's constants are lib/'s (<ell/cpio.h>), the ones
 * the kernel and root read it with. Exit status 0 on success, 1 with a message otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ell/cpio.h>

static int put_pad(FILE *out, long len)
{
    static const char zero[CPIO_NEWC_ALIGN];
    long pad = (CPIO_NEWC_ALIGN - (len & (CPIO_NEWC_ALIGN - 1))) & (CPIO_NEWC_ALIGN - 1);
    return fwrite(zero, 1, (size_t)pad, out) == (size_t)pad ? 0 : -1;
}

static int put_member(FILE *out, const char *name, const void *data, size_t size,
                      unsigned ino)
{
    size_t namesize = strlen(name) + 1;
    if (fprintf(out, CPIO_NEWC_MAGIC "%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
                ino, 0100755u, 0u, 0u, 1u, 0u, size, 0u, 0u, 0u, 0u, namesize, 0u) !=
        CPIO_NEWC_HDR_SIZE)
        return -1;
    if (fwrite(name, 1, namesize, out) != namesize ||
        put_pad(out, CPIO_NEWC_HDR_SIZE + (long)namesize))
        return -1;
    if (size && fwrite(data, 1, size, out) != size)
        return -1;
    return put_pad(out, (long)size);
}

static void *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *buf = malloc(len > 0 ? (size_t)len : 1);
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = (size_t)len;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: mkbootar OUT NAME=PATH...\n");
        return 1;
    }
    FILE *out = fopen(argv[1], "wb");
    if (!out) {
        fprintf(stderr, "mkbootar: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "mkbootar: '%s' is not NAME=PATH\n", argv[i]);
            return 1;
        }
        *eq = '\0';
        size_t size;
        void *data = slurp(eq + 1, &size);
        if (!data) {
            fprintf(stderr, "mkbootar: %s: %s\n", eq + 1, strerror(errno));
            return 1;
        }
        if (put_member(out, argv[i], data, size, (unsigned)i)) {
            fprintf(stderr, "mkbootar: write %s failed\n", argv[1]);
            return 1;
        }
        free(data);
    }
    if (put_member(out, CPIO_NEWC_TRAILER, NULL, 0, 0) || fclose(out)) {
        fprintf(stderr, "mkbootar: write %s failed\n", argv[1]);
        return 1;
    }
    return 0;
}
