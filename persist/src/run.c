/*
 * run.c — how object pages are laid out in the "pages" database.
 *
 * Layout (docs/SAS.md has the measurements behind it): the address space is cut into
 * aligned *runs* of R = run_pages pages (R = 1 is the plain one-value-per-page layout).
 * One value holds the pages of one run that are stored:
 *
 *   u32 present bitmap (bit i: page i of the run) | u32 R | k checksums of 16 bytes |
 *   k pages of 4096 bytes, in page order              (k = number of bits set)
 *
 * An LMDB overflow value costs its size plus a 16-byte header rounded up to 4 KiB pages,
 * so k pages cost k + 1 LMDB pages instead of 2k. Pages never written, and pages written
 * as zeros, are not stored. Each checksum is keyed BLAKE2b-128 over (address, contents),
 * with the store's own key, so a damaged or misplaced page is never returned.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sas/layout.h>
#include "run.h"

void run_csum(const struct persist *p, uint64_t addr, const uint8_t *page,
                      uint8_t out[CS])
{
    crypto_generichash_state st;
    uint8_t a[8];

    for (int i = 0; i < 8; i++)
        a[i] = (uint8_t)(addr >> (8 * i));
    crypto_generichash_init(&st, p->key, sizeof p->key, CS);
    crypto_generichash_update(&st, a, sizeof a);
    crypto_generichash_update(&st, page, PG);
    crypto_generichash_final(&st, out, CS);
}

int run_page_zero(const uint8_t *page)
{
    uint64_t acc = 0, w;
    for (size_t i = 0; i < PG; i += 8) {
        memcpy(&w, page + i, 8);
        acc |= w;
    }
    return acc == 0;
}

/* Check a stored value's layout; *bits receives its bitmap. */
enum sas_error run_check(const struct persist *p, const MDB_val *v, uint32_t *bits)
{
    const uint8_t *d = v->mv_data;
    uint32_t b, r;

    if (v->mv_size < HDR)
        return SAS_ESTORE_CORRUPT;
    memcpy(&b, d, 4);
    memcpy(&r, d + 4, 4);
    if (r != p->run_pages || (r < 32 && b >> r) || !b)
        return SAS_ESTORE_CORRUPT;
    if (v->mv_size != HDR + (size_t)__builtin_popcount(b) * (CS + PG))
        return SAS_ESTORE_CORRUPT;
    *bits = b;
    return SAS_OK;
}

/* Where page i's checksum and contents sit in a checked value. */
const uint8_t *run_stored_page(const MDB_val *v, uint32_t bits, unsigned i,
                                  const uint8_t **csum)
{
    const uint8_t *d = v->mv_data;
    unsigned k = (unsigned)__builtin_popcount(bits), j = (unsigned)__builtin_popcount(bits & ((1u << i) - 1));
    *csum = d + HDR + j * CS;
    return d + HDR + k * CS + (size_t)j * PG;
}

int run_page_ok(const struct persist *p, uint64_t addr, const uint8_t *page,
                   const uint8_t *csum)
{
    uint8_t c[CS];
    run_csum(p, addr, page, c);
    return sodium_memcmp(c, csum, CS) == 0;
}

enum sas_error run_check_range(uint64_t addr, size_t n)
{
    if (addr % PG || n == 0 || addr < SAS_OBJECT_BASE || addr >= SAS_OBJECT_END ||
        n > (SAS_OBJECT_END - addr) / PG)
        return SAS_EINVAL;
    return SAS_OK;
}

uint64_t run_bytes(const struct persist *p)
{
    return (uint64_t)p->run_pages * PG;
}

/* --- the decoded run in t->run: u32 bitmap, R checksums, R pages --- */

uint8_t *run_dec_csum(struct persist_txn *t, unsigned i)
{
    return t->run + HDR + (size_t)i * CS;
}

uint8_t *run_dec_page(struct persist_txn *t, unsigned i)
{
    return t->run + HDR + (size_t)t->p->run_pages * CS + (size_t)i * PG;
}

uint32_t *run_dec_bits(struct persist_txn *t)
{
    return (uint32_t *)t->run;
}

/* Make sure t->run exists (one allocation per transaction, freed with it). */
enum sas_error run_scratch(struct persist_txn *t)
{
    if (!t->run && !(t->run = malloc(HDR + (size_t)t->p->run_pages * (CS + PG))))
        return SAS_ENOMEM;
    return SAS_OK;
}

/* Decode the stored value of the run at base into t->run (bitmap 0 if none). */
enum sas_error run_load(struct persist_txn *t, uint64_t base)
{
    uint8_t k[8];
    MDB_val key = { 8, k }, v;
    uint32_t bits;
    enum sas_error e;
    int rc;

    if ((e = run_scratch(t)))
        return e;
    key_be64(k, base);
    if ((rc = mdb_get(t->txn, t->p->pages, &key, &v)) == MDB_NOTFOUND) {
        *run_dec_bits(t) = 0;
        return SAS_OK;
    }
    if (rc)
        return persist_error(rc);
    if ((e = run_check(t->p, &v, &bits)))
        return e;
    *run_dec_bits(t) = bits;
    for (unsigned i = 0; i < t->p->run_pages; i++) {
        const uint8_t *cs;
        if (!(bits & (1u << i)))
            continue;
        memcpy(run_dec_page(t, i), run_stored_page(&v, bits, i, &cs), PG);
        memcpy(run_dec_csum(t, i), cs, CS);     /* kept as stored: damage stays detectable */
    }
    return SAS_OK;
}

/* Encode t->run back as the value of the run at base (deleting it if empty). */
enum sas_error run_store(struct persist_txn *t, uint64_t base)
{
    uint32_t bits = *run_dec_bits(t), r = t->p->run_pages;
    unsigned k = (unsigned)__builtin_popcount(bits), j = 0;
    uint8_t kb[8], *d;
    MDB_val key = { 8, kb }, v = { HDR + (size_t)k * (CS + PG), NULL };
    int rc;

    key_be64(kb, base);
    if (!k) {
        rc = mdb_del(t->txn, t->p->pages, &key, NULL);
        return rc == MDB_NOTFOUND ? SAS_OK : persist_error(rc);
    }
    /* MDB_RESERVE: LMDB hands out the space and we fill it, saving one 4 KiB copy a page. */
    if ((rc = mdb_put(t->txn, t->p->pages, &key, &v, MDB_RESERVE)))
        return persist_error(rc);
    d = v.mv_data;
    memcpy(d, &bits, 4);
    memcpy(d + 4, &r, 4);
    for (unsigned i = 0; i < r; i++) {
        if (!(bits & (1u << i)))
            continue;
        memcpy(d + HDR + j * CS, run_dec_csum(t, i), CS);
        memcpy(d + HDR + (size_t)k * CS + (size_t)j * PG, run_dec_page(t, i), PG);
        j++;
    }
    return SAS_OK;
}
