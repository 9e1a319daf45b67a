/*
 * durlayout.h — the on-disk layout of the raw-driver durability test, shared by the guest
 * writer (durwriter.c) and the host checker (durcheck.c), so both compute the same bytes.
 *
 * Transaction n (1 .. DUR_MAX_TXNS) writes DUR_DATA sectors at dur_data_sector(n, 0..),
 * as three writes (two sectors, then one, then one), flushes, writes its commit record
 * at DUR_COMMIT_BASE + n, flushes, and only then reports "committed n". Every sector's
 * content is a function of (n, j): a record present means it was written whole.
 */
#ifndef DURLAYOUT_H
#define DURLAYOUT_H

#include <stdint.h>

#define DUR_SECTOR        512u
#define DUR_MAX_TXNS      200u
#define DUR_DATA          4u                     /* data sectors per transaction */
#define DUR_COMMIT_BASE   16u                    /* commit record of n: sector 16 + n */
#define DUR_DATA_BASE     256u
#define DUR_DISK_SECTORS  2048u                  /* the image: 1 MiB */

_Static_assert(DUR_COMMIT_BASE + DUR_MAX_TXNS < DUR_DATA_BASE, "commit records fit");
_Static_assert(DUR_DATA_BASE + DUR_MAX_TXNS * DUR_DATA <= DUR_DISK_SECTORS, "data fits");

static inline uint32_t dur_data_sector(uint32_t n, uint32_t j)
{
    return DUR_DATA_BASE + (n - 1) * DUR_DATA + j;
}

/* The content of data sector j of transaction n (j < DUR_DATA), or of its commit record
 * (j == DUR_DATA). */
static inline void dur_fill(uint8_t *p, uint32_t n, uint32_t j)
{
    static const char hex[] = "0123456789abcdef";
    for (uint32_t i = 0; i < DUR_SECTOR; i++)
        p[i] = (uint8_t)(n * 131u + j * 17u + i);
    const char *tag = j == DUR_DATA ? "commit " : "data   ";
    for (uint32_t i = 0; tag[i]; i++)
        p[i] = (uint8_t)tag[i];
    for (uint32_t i = 0; i < 8; i++)
        p[7 + i] = (uint8_t)hex[(n >> (28 - 4 * i)) & 15];
    p[15] = '\n';
}

#endif
