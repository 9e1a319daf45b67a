/* test_capstore_util.h — fixtures shared by capstore's cmocka tests. */
#ifndef TEST_CAPSTORE_UTIL_H
#define TEST_CAPSTORE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <capstore/capstore.h>
#include <sas/layout.h>

#define OBJ_A   (SAS_OBJECT_BASE + 0x10000)
#define OBJ_B   (SAS_OBJECT_BASE + 0x20000)
#define EPOCH   5                        /* objmgr's creation epoch of OBJ_A and OBJ_B */
#define NOW     1700000000ull            /* a wall-clock second */

struct fx {
    struct capstore_mem *mem;
    struct capstore *cs;
};

static inline int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct capstore_backend be;

    if (f == NULL || capstore_mem_new(&f->mem) != SAS_OK)
        return -1;
    be = capstore_mem_backend(f->mem);
    if (capstore_open(&be, 0, &f->cs) != SAS_OK)
        return -1;
    *state = f;
    return 0;
}

static inline int fx_teardown(void **state)
{
    struct fx *f = *state;

    capstore_close(f->cs);
    capstore_mem_free(f->mem);
    free(f);
    return 0;
}

/* Close and reopen the capstore on the same stored records. */
static inline void fx_reopen(struct fx *f)
{
    struct capstore_backend be = capstore_mem_backend(f->mem);

    capstore_close(f->cs);
    assert_int_equal(capstore_open(&be, 0, &f->cs), SAS_OK);
}

static inline struct cap_link link_all(void)
{
    return cap_link_make(CAP_R_ALL, CAP_NO_EXPIRY, 0, CAP_RANGE_ALL);
}

static inline struct cap mint_all(struct fx *f, uint64_t base)
{
    struct cap c;
    struct cap_link l = link_all();

    assert_int_equal(cap_mint(f->cs, base, EPOCH, &l, &c), SAS_OK);
    return c;
}

/* capstore's revocation generation of base; 0 if it never minted for it. */
static inline uint32_t rgen_of(struct fx *f, uint64_t base)
{
    uint64_t epoch;
    uint32_t rgen;

    return cap_object_state(f->cs, base, &epoch, &rgen) == SAS_OK ? rgen : 0;
}

static inline struct cap derive(const struct cap *p, unsigned rights, uint64_t expiry,
                                uint64_t off, uint64_t len)
{
    struct cap c;
    struct cap_link l = cap_link_make(rights, expiry, off, len);

    assert_int_equal(cap_derive(p, &l, &c), SAS_OK);
    return c;
}

#endif
