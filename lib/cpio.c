/*
 * cpio.c — reads a cpio "newc" archive (ell/cpio.h). Pure and bounds-checked: every field
 * is checked against the archive's size before it is used, since the archive is input.
 */
#include <ell/cpio.h>
#include <ell/string.h>

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

static uint64_t align4(uint64_t x)
{
    return (x + CPIO_NEWC_ALIGN - 1) & ~(uint64_t)(CPIO_NEWC_ALIGN - 1);
}

enum cpio_status cpio_next(const uint8_t *ar, uint64_t size, uint64_t *cursor,
                           struct cpio_member *m)
{
    uint64_t off = *cursor, fsize, nsize;
    if (size < CPIO_NEWC_HDR_SIZE || off > size - CPIO_NEWC_HDR_SIZE)
        return CPIO_BAD;
    const uint8_t *h = ar + off;
    if (memcmp(h, CPIO_NEWC_MAGIC, 6) || hex8(h + CPIO_NEWC_FILESIZE, &fsize) ||
        hex8(h + CPIO_NEWC_NAMESIZE, &nsize) || nsize == 0)
        return CPIO_BAD;
    uint64_t name_off = off + CPIO_NEWC_HDR_SIZE;
    if (nsize > size - name_off || h[CPIO_NEWC_HDR_SIZE + nsize - 1] != 0)
        return CPIO_BAD;
    uint64_t data_off = align4(name_off + nsize);
    if (data_off > size || fsize > size - data_off)
        return CPIO_BAD;
    const char *name = (const char *)(h + CPIO_NEWC_HDR_SIZE);
    if (!strncmp(name, CPIO_NEWC_TRAILER, sizeof(CPIO_NEWC_TRAILER)))
        return CPIO_END;
    m->name = name;
    m->data = ar + data_off;
    m->size = fsize;
    *cursor = align4(data_off + fsize);
    return CPIO_OK;
}

enum cpio_status cpio_find(const uint8_t *ar, uint64_t size, const char *name,
                           struct cpio_member *m)
{
    uint64_t cursor = 0;
    size_t len = strlen(name);
    enum cpio_status s;
    while ((s = cpio_next(ar, size, &cursor, m)) == CPIO_OK)
        if (strlen(m->name) == len && !memcmp(m->name, name, len))
            return CPIO_OK;
    return s;
}
