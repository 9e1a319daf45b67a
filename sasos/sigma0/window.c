/*
 * window.c — sigma0's window over physical memory: physical p is at L4_SIGMA0_PHYS_BASE + p
 * in sigma0's space, made present by the kernel when sigma0 first touches it (or sends it
 * in a map item). Zeroing goes through it; revocation is fpage_unmap of the window's own
 * pages, which removes every mapping derived from them in every task but keeps sigma0's.
 */
#include "sigma0.h"
#include <native/rt.h>
#include <l4/layout.h>

uint8_t *window_ptr(uint64_t pa)
{
    return (uint8_t *)(L4_SIGMA0_PHYS_BASE + pa);
}

void window_zero(uint64_t pa, unsigned log2)
{
    memset(window_ptr(pa), 0, 1ULL << log2);
}

l4_fpage_t window_fpage(uint64_t pa, unsigned log2, unsigned rights)
{
    return l4_fpage(L4_SIGMA0_PHYS_BASE + pa, log2, rights);
}

void window_revoke(uint64_t pa, unsigned log2)
{
    uint64_t base = L4_SIGMA0_PHYS_BASE + pa, end = base + (1ULL << log2);
    /* fpage_unmap covers at most L4_UNMAP_MAX_PAGES per call: walk on from where it ended. */
    while (base < end) {
        uint64_t size = end - base, covered = 0;
        unsigned log = 63 - (unsigned)__builtin_clzll(size);
        unsigned align = (unsigned)__builtin_ctzll(base);
        if (align < log)
            log = align;
        uint64_t err = l4_fpage_unmap(l4_fpage(base, log, L4_FPAGE_RWX), 0, 0, &covered);
        if (err) {
            printf("sigma0: unmapping %lx+%lx failed: error %lu\n", base, 1UL << log, err);
            return;
        }
        /* A count beyond the fpage would be a kernel fault: stop rather than run away. */
        if (covered > (1ULL << (log - S0_PAGE_LOG2))) {
            static int told;
            if (!told++)
                printf("sigma0: fpage_unmap covered %lu pages of a %lu-page fpage: revocation "
                       "of window pages does not work\n", covered, 1UL << (log - S0_PAGE_LOG2));
            return;
        }
        base += covered ? covered * S0_PAGE : (1ULL << log);
    }
}
