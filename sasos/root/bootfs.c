/*
 * bootfs.c — the boot archive (cpio "newc", as tools/mkbootar writes it), which the kernel
 * lists as BOOT memory and sigma0 gives to root alone, read-only. Root maps it once at
 * SAS_ROOT_BOOTAR_BASE, in the largest pieces sigma0 allows, and reads programs from
 * there with lib/cpio.c, which checks every header against the archive's bounds.
 */
#include "root.h"
#include <sas/layout.h>
#include <sas/proto/sigma0_client.h>

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

/* The member at *cursor, checked; advances *cursor. -1 at the trailer or on damage. */
int bootfs_next(uint64_t *cursor, struct cpio_member *f)
{
    return ar && cpio_next(ar, ar_size, cursor, f) == CPIO_OK ? 0 : -1;
}

int bootfs_find(const char *name, struct cpio_member *f)
{
    return ar && cpio_find(ar, ar_size, name, f) == CPIO_OK ? 0 : -1;
}
