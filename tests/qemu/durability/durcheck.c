/*
 * durcheck — the host checker of the raw-driver durability test, run by blklog-replay on
 * every replayed image (tools/blklog/main.c):
 *
 *   durcheck REPORT IMAGE KIND K WRITE
 *
 * REPORT holds the guest's "durwriter: committed N flushes F device D" lines, D being the
 * flushes the device had carried out when commit N was reported; the log's k-th flush is
 * the device's k-th (QEMU logs every flush that follows a write, and the writer never
 * flushes without writing). The image passes if
 * its commit records are exactly a prefix 1..M of the transactions, each present record's
 * data sectors are all there, and M covers every commit the guest reported by then: at
 * flush point K, each one reported after at most K flushes; on a drop image of the
 * interval ending at K, each one reported after at most K - 1 (the interval's own flush
 * has not returned). Exit status 0 if it passes, 1 if not (with the reason), 2 on error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "durlayout.h"

static uint8_t disk[DUR_DISK_SECTORS * DUR_SECTOR];

static int is_zero(const uint8_t *p)
{
    for (unsigned i = 0; i < DUR_SECTOR; i++)
        if (p[i])
            return 0;
    return 1;
}

static int holds(uint32_t sector, uint32_t n, uint32_t j)
{
    uint8_t want[DUR_SECTOR];
    dur_fill(want, n, j);
    return !memcmp(disk + (size_t)sector * DUR_SECTOR, want, DUR_SECTOR);
}

/* The last transaction reported committed after at most `flushes` device flushes. */
static unsigned required(const char *report, unsigned long flushes)
{
    FILE *f = fopen(report, "r");
    char line[256];
    unsigned need = 0, n;
    unsigned long fl, dev;
    if (!f) {
        perror(report);
        exit(2);
    }
    while (fgets(line, sizeof(line), f)) {
        const char *p = strstr(line, "durwriter: committed ");
        if (p && sscanf(p, "durwriter: committed %u flushes %lu device %lu", &n, &fl, &dev) == 3 &&
            dev <= flushes && n > need)
            need = n;
    }
    fclose(f);
    return need;
}

/* M, the length of the prefix of commits present; -1 if the records are not a prefix or
 * a present record's data is missing. */
static int committed(const char *where)
{
    int m = 0, gap = 0;
    for (uint32_t n = 1; n <= DUR_MAX_TXNS; n++) {
        uint32_t rec = DUR_COMMIT_BASE + n;
        if (is_zero(disk + (size_t)rec * DUR_SECTOR)) {
            gap = 1;
            continue;
        }
        if (!holds(rec, n, DUR_DATA) || gap) {
            printf("durcheck: %s: commit record %u %s\n", where, n,
                   gap ? "present after a missing one: not a prefix" : "damaged");
            return -1;
        }
        for (uint32_t j = 0; j < DUR_DATA; j++)
            if (!holds(dur_data_sector(n, j), n, j)) {
                printf("durcheck: %s: commit %u is recorded but its data sector %u is not "
                       "there\n", where, n, dur_data_sector(n, j));
                return -1;
            }
        m = (int)n;
    }
    return m;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: durcheck REPORT IMAGE KIND K WRITE\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    size_t got = fread(disk, 1, sizeof(disk), f);    /* a shorter image reads as zeroes */
    (void)got;
    fclose(f);
    char where[96];
    unsigned long k = strtoul(argv[4], NULL, 10);
    int drop = !strcmp(argv[3], "drop");
    snprintf(where, sizeof(where), "%s image, flush point %lu, write %s", argv[3], k, argv[5]);
    int m = committed(where);
    if (m < 0)
        return 1;
    unsigned need = required(argv[1], drop ? k - 1 : k);
    if ((unsigned)m < need) {
        printf("durcheck: %s: commits 1..%d on disk, but %u was reported committed\n",
               where, m, need);
        return 1;
    }
    return 0;
}
