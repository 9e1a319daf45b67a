/*
 * test_blkdma.c — the driver's DMA memory as the device sees it (sasos/virtio_blk/dma.c):
 * physical addresses of the DMA memory and of ranges added later (the cache's pieces), and
 * a request's segments turned into descriptors within the device's limits: pages that are
 * physically contiguous joined into one descriptor, descriptors cut at size_max, no more
 * than seg_max of them, and how many of the pages offered one request carries. Two
 * "pieces" of host memory stand for the cache's, at made-up physical addresses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "virtio_blk.h"

#define P       4096u
#define PIECE   16u                              /* pages in each piece */
#define PHYS_A  0x10000000ull
#define PHYS_B  0x20000000ull
#define PHYS_D  0x00800000ull                   /* the DMA memory's */

static struct {
    struct vblk v;
    uint8_t *a, *b, *dma;
    struct vring_buf d[VBLK_MAX_SEGS];
} fk;

static int setup(void **state)
{
    (void)state;
    memset(&fk, 0, sizeof(fk));
    fk.a = aligned_alloc(P, PIECE * P);
    fk.b = aligned_alloc(P, PIECE * P);
    fk.dma = aligned_alloc(P, BLK_BUF_WINDOW);          /* the whole window, as the driver's */
    fk.v.dma = fk.dma;
    fk.v.dma_phys = PHYS_D;
    fk.v.max_segs = 254;
    assert_int_equal(vblk_add_dma(&fk.v, fk.a, PHYS_A, PIECE * P), 0);
    assert_int_equal(vblk_add_dma(&fk.v, fk.b, PHYS_B, PIECE * P), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(fk.a);
    free(fk.b);
    free(fk.dma);
    return 0;
}

/* Segments of whole pages: "a3" is page 3 of piece a, and so on. */
static struct vblk_seg page(uint8_t *piece, unsigned i) { return (struct vblk_seg){ piece + i * P, P }; }

/* The descriptors of seg[0..n), all of them or fewer: their count, or max_segs + 1 if
 * not all fit (a wrapper over vblk_descs in the old all-or-nothing sense). */
static unsigned descs(struct vblk *v, const struct vblk_seg *seg, unsigned n, uint16_t w)
{
    unsigned took, nd = vblk_descs(v, seg, n, fk.d, w, &took);
    return took < n ? v->max_segs + 1 : nd;
}

/* How many of seg[0..n) one request carries. */
static unsigned fit(struct vblk *v, const struct vblk_seg *seg, unsigned n)
{
    unsigned took;
    vblk_descs(v, seg, n, fk.d, 0, &took);
    return took;
}

static void assert_desc(unsigned k, uint64_t phys, uint32_t len)
{
    assert_int_equal(fk.d[k].phys, phys);
    assert_int_equal(fk.d[k].len, len);
}

static void vblk_phys_maps_the_dma_memory_and_added_ranges(void **state)
{
    (void)state;
    assert_int_equal(vblk_phys(&fk.v, fk.dma + 100), PHYS_D + 100);
    assert_int_equal(vblk_phys(&fk.v, fk.a + 5 * P + 7), PHYS_A + 5 * P + 7);
    assert_int_equal(vblk_phys(&fk.v, fk.b + PIECE * P - 1), PHYS_B + PIECE * P - 1);
    for (unsigned i = 2; i < VBLK_MORE_DMA; i++)
        assert_int_equal(vblk_add_dma(&fk.v, fk.dma, 0, P), 0);
    assert_int_equal(vblk_add_dma(&fk.v, fk.dma, 0, P), -1);       /* no room left */
}

static void vblk_descs_joins_physically_contiguous_pages(void **state)
{
    (void)state;
    struct vblk_seg s[] = { page(fk.a, 0), page(fk.a, 1), page(fk.a, 2), page(fk.b, 3),
                            page(fk.a, 3) };
    assert_int_equal(descs(&fk.v, s, 5, 0), 3);
    assert_desc(0, PHYS_A, 3 * P);
    assert_desc(1, PHYS_B + 3 * P, P);
    assert_desc(2, PHYS_A + 3 * P, P);                  /* after b3: not joined */
    assert_int_equal(fk.d[0].device_writes, 0);
    assert_int_equal(descs(&fk.v, s, 1, 1), 1);
    assert_int_equal(fk.d[0].device_writes, 1);
}

/* Pages out of order are each a descriptor: joining is by physical address only. */
static void vblk_descs_never_joins_backwards(void **state)
{
    (void)state;
    struct vblk_seg s[] = { page(fk.a, 2), page(fk.a, 1), page(fk.a, 0) };
    assert_int_equal(descs(&fk.v, s, 3, 0), 3);
    assert_desc(2, PHYS_A, P);
}

static void vblk_descs_cuts_at_size_max(void **state)
{
    (void)state;
    fk.v.seg_bytes = 2 * P;
    struct vblk_seg s[] = { page(fk.a, 0), page(fk.a, 1), page(fk.a, 2), page(fk.a, 3),
                            page(fk.a, 4) };
    assert_int_equal(descs(&fk.v, s, 5, 0), 3);
    assert_desc(0, PHYS_A, 2 * P);
    assert_desc(1, PHYS_A + 2 * P, 2 * P);
    assert_desc(2, PHYS_A + 4 * P, P);
    fk.v.seg_bytes = 1024;                               /* a page in four */
    assert_int_equal(descs(&fk.v, s, 2, 0), 8);
    for (unsigned k = 0; k < 8; k++)
        assert_desc(k, PHYS_A + 1024 * k, 1024);
    struct vblk_seg odd = { fk.a, 3000 };                /* any length */
    fk.v.seg_bytes = 1000;
    assert_int_equal(descs(&fk.v, &odd, 1, 0), 3);
}

/* Three pages in three places and room for two descriptors: the first two are taken. */
static void vblk_descs_refuses_more_than_seg_max(void **state)
{
    (void)state;
    fk.v.max_segs = 2;
    struct vblk_seg s[] = { page(fk.a, 0), page(fk.b, 0), page(fk.a, 5) };
    assert_int_equal(descs(&fk.v, s, 2, 0), 2);
    assert_int_equal(descs(&fk.v, s, 3, 0), 3);   /* max_segs + 1 */
    unsigned took;
    assert_int_equal(vblk_descs(&fk.v, s, 3, fk.d, 0, &took), 2);   /* the prefix's */
    assert_int_equal(took, 2);
    assert_desc(0, PHYS_A, P);
    assert_desc(1, PHYS_B, P);
}

/* One descriptor a request: a contiguous run of pages fits whole, up to its first gap. */
static void vblk_descs_counts_the_pages_one_request_takes(void **state)
{
    (void)state;
    struct vblk_seg s[PIECE];
    for (unsigned i = 0; i < PIECE; i++)
        s[i] = page(fk.a, i);
    fk.v.max_segs = 1;
    assert_int_equal(fit(&fk.v, s, PIECE), PIECE);
    s[6] = page(fk.b, 6);
    assert_int_equal(fit(&fk.v, s, PIECE), 6);
    fk.v.max_segs = 3;                                   /* a 6, b 6, a 7 .. */
    assert_int_equal(fit(&fk.v, s, PIECE), PIECE);
    fk.v.seg_bytes = P;                                  /* no joining past a page */
    assert_int_equal(fit(&fk.v, s, PIECE), 3);
    assert_int_equal(fit(&fk.v, s, 2), 2);
    assert_int_equal(fit(&fk.v, s, 0), 0);
}

/* A page that needs more descriptors than the device takes does not fit at all. */
static void vblk_descs_takes_no_page_cut_too_fine(void **state)
{
    (void)state;
    struct vblk_seg s[] = { page(fk.a, 0) };
    fk.v.max_segs = 2;
    fk.v.seg_bytes = 1024;
    assert_int_equal(fit(&fk.v, s, 1), 0);
    assert_int_equal(descs(&fk.v, s, 1, 0), 3);
}

/* Across the two pieces' end and start (contiguous in virtual, not physical, memory). */
static void vblk_descs_stops_where_physical_memory_does(void **state)
{
    (void)state;
    uint8_t *both = aligned_alloc(P, 4 * P);
    struct vblk v = { .dma = fk.dma, .dma_phys = PHYS_D, .max_segs = 1 };
    assert_int_equal(vblk_add_dma(&v, both, PHYS_A + 2 * P, 2 * P), 0);
    assert_int_equal(vblk_add_dma(&v, both + 2 * P, PHYS_B, 2 * P), 0);
    struct vblk_seg s[] = { { both, P }, { both + P, P }, { both + 2 * P, P } };
    assert_int_equal(fit(&v, s, 3), 2);
    free(both);
}

#define DMA_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        DMA_TEST(vblk_phys_maps_the_dma_memory_and_added_ranges),
        DMA_TEST(vblk_descs_joins_physically_contiguous_pages),
        DMA_TEST(vblk_descs_never_joins_backwards),
        DMA_TEST(vblk_descs_cuts_at_size_max),
        DMA_TEST(vblk_descs_refuses_more_than_seg_max),
        DMA_TEST(vblk_descs_counts_the_pages_one_request_takes),
        DMA_TEST(vblk_descs_takes_no_page_cut_too_fine),
        DMA_TEST(vblk_descs_stops_where_physical_memory_does),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
