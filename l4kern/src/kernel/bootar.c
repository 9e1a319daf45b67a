/*
 * bootar.c — reads the boot archive: cpio "newc" (ASCII hex headers, 4-byte padding),
 * as tools/mkbootar writes it. Pure and bounds-checked, since the archive is input.
 */
#include <k/boot.h>
#include <k/lib.h>

#define HDR 110

static int hex8(const uint8_t *p, uint64_t *v)
{
    *v = 0;
    for (int i = 0; i < 8; i++) {
        uint8_t c = p[i];
        unsigned d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
                   : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 16;
        if (d == 16)
            return -1;
        *v = *v << 4 | d;
    }
    return 0;
}

int bootar_find(const uint8_t *ar, uint64_t size, const char *name, struct boot_file *f)
{
    uint64_t off = 0;
    for (;;) {
        uint64_t fsize, nsize;
        if (size < HDR || off > size - HDR)
            return -2;
        const uint8_t *h = ar + off;
        if (memcmp(h, "070701", 6) || hex8(h + 54, &fsize) || hex8(h + 94, &nsize) || nsize == 0)
            return -2;
        uint64_t name_off = off + HDR;
        if (nsize > size - name_off || h[HDR + nsize - 1] != 0)
            return -2;
        const char *n = (const char *)(h + HDR);
        uint64_t data_off = ALIGN_UP(name_off + nsize, 4);
        if (data_off > size || fsize > size - data_off)
            return -2;
        if (!strncmp(n, "TRAILER!!!", 11))
            return -1;
        if (strlen(n) == strlen(name) && !strncmp(n, name, nsize)) {
            f->name = n;
            f->data = ar + data_off;
            f->size = fsize;
            return 0;
        }
        off = ALIGN_UP(data_off + fsize, 4);
    }
}
