/*
 * bootfs.c — the boot archive (cpio "newc", as tools/mkbootar writes it), which the kernel
 * lists as BOOT memory and sigma0 gives to root alone, read-only. Root maps it once at
 * SAS_ROOT_BOOTAR_BASE, in the largest pieces sigma0 allows, and reads programs from
 * there. The archive is input: every header is checked against its bounds.
 */
#include "root.h"
#include <sas/layout.h>
#include <sas/proto/sigma0_client.h>

#define HDR 110

static const uint8_t *ar;
static uint64_t ar_size;

/* The largest aligned piece at pa (and at the window address off) of at most len bytes. */
static unsigned piece_log2(uint64_t pa, uint64_t off, uint64_t len)
{
    unsigned log = 63 - (unsigned)__builtin_clzll(len);
    uint64_t both = pa | off;
    if (both && (unsigned)__builtin_ctzll(both) < log)
        log = (unsigned)__builtin_ctzll(both);
    return log > SIGMA0_MAX_PHYS_LOG2 ? SIGMA0_MAX_PHYS_LOG2 : log;
}

enum sas_error bootfs_init(l4_threadid_t s0)
{
    uint64_t base = rt_kip->boot_archive_base, size = rt_kip->boot_archive_size;
    uint64_t start = base & ~(SAS_PAGE_SIZE - 1);
    uint64_t len = (base + size - start + SAS_PAGE_SIZE - 1) & ~(SAS_PAGE_SIZE - 1);
    if (!size || len > SAS_ROOT_BOOTAR_SIZE)
        return SAS_EINVAL;
    for (uint64_t off = 0; off < len;) {
        unsigned log = piece_log2(start + off, off, len - off);
        l4_fpage_t win = l4_fpage(SAS_ROOT_BOOTAR_BASE + off, log, L4_FPAGE_R);
        enum sas_error e = sigma0_alloc_phys(s0, start + off, log, win);
        if (e)
            return e;
        off += 1ULL << log;
    }
    ar = (const uint8_t *)(SAS_ROOT_BOOTAR_BASE + (base - start));
    ar_size = size;
    return SAS_OK;
}

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

/* The member at *cursor, checked; advances *cursor. -1 at the trailer or on damage. */
int bootfs_next(uint64_t *cursor, struct boot_file *f)
{
    uint64_t off = *cursor, fsize, nsize;
    if (!ar || ar_size < HDR || off > ar_size - HDR)
        return -1;
    const uint8_t *h = ar + off;
    if (memcmp(h, "070701", 6) || hex8(h + 54, &fsize) || hex8(h + 94, &nsize) || nsize == 0)
        return -1;
    uint64_t name_off = off + HDR;
    if (nsize > ar_size - name_off || h[HDR + nsize - 1] != 0)
        return -1;
    uint64_t data_off = (name_off + nsize + 3) & ~3ULL;
    if (data_off > ar_size || fsize > ar_size - data_off)
        return -1;
    f->name = (const char *)(h + HDR);
    if (!strncmp(f->name, "TRAILER!!!", 11))
        return -1;
    f->data = ar + data_off;
    f->size = fsize;
    *cursor = (data_off + fsize + 3) & ~3ULL;
    return 0;
}

int bootfs_find(const char *name, struct boot_file *f)
{
    uint64_t cursor = 0;
    while (!bootfs_next(&cursor, f))
        if (strlen(f->name) == strlen(name) && !strncmp(f->name, name, ROOT_NAME_LEN))
            return 0;
    return -1;
}
