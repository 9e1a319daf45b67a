/*
 * probe.c — read LMDB's two meta pages with plain pread() and check them before LMDB maps
 * the file: LMDB trusts its meta pages, so a truncated file or a damaged meta page would
 * otherwise crash the process (SIGBUS past the end of the file, wild page numbers).
 *
 * Layout of LMDB 0.9 (mdb.c, data version 1), for a 64-bit build:
 *   page header 16 bytes (pgno u64, pad u16, flags u16, lower/upper u16) — P_META 0x08;
 *   MDB_meta at 16: magic u32 @16, version u32 @20, address @24, mapsize @32,
 *   dbs[FREE] @40 (48 bytes; its first u32 holds the page size), dbs[MAIN] @88,
 *   last_pg @136, txnid @144. Meta page 0 is at offset 0, meta page 1 at one page.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "store.h"

#define LMDB_MAGIC      0xBEEFC0DEu
#define LMDB_VERSION    1u
#define LMDB_P_META     0x08u
#define LMDB_P_INVALID  (~(uint64_t)0)

struct meta {
    uint32_t psize;
    uint64_t mapsize, main_root, free_root, last_pg, txnid;
};

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint16_t rd16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

/* Decode one meta page; 0 if it is a well-formed LMDB meta page. */
static int decode_meta(const uint8_t *pg, uint64_t pgno, struct meta *m)
{
    if (rd64(pg) != pgno || !(rd16(pg + 10) & LMDB_P_META))
        return -1;
    if (rd32(pg + 16) != LMDB_MAGIC || rd32(pg + 20) != LMDB_VERSION)
        return -1;
    m->psize = rd32(pg + 40);
    m->mapsize = rd64(pg + 32);
    m->free_root = rd64(pg + 40 + 40);
    m->main_root = rd64(pg + 88 + 40);
    m->last_pg = rd64(pg + 136);
    m->txnid = rd64(pg + 144);
    return 0;
}

/* The page numbers a meta page names must lie inside what it says is used. */
static int meta_consistent(const struct meta *m)
{
    if (m->psize != PERSIST_PAGE || m->last_pg < 1)
        return 0;
    if (m->main_root != LMDB_P_INVALID && (m->main_root < 2 || m->main_root > m->last_pg))
        return 0;
    if (m->free_root != LMDB_P_INVALID && (m->free_root < 2 || m->free_root > m->last_pg))
        return 0;
    return 1;
}

static enum sas_error read_head(const char *path, uint8_t *buf, uint64_t *size)
{
    struct stat st;
    int fd = open(path, O_RDONLY);
    ssize_t got;

    if (fd < 0)
        return persist_error(errno);
    if (fstat(fd, &st) < 0) {
        close(fd);
        return persist_error(errno);
    }
    *size = (uint64_t)st.st_size;
    got = pread(fd, buf, 2 * PERSIST_PAGE, 0);
    close(fd);
    if (got < 0)
        return persist_error(errno);
    if (got < (ssize_t)(2 * PERSIST_PAGE))
        memset(buf + got, 0, 2 * PERSIST_PAGE - (size_t)got);
    return SAS_OK;
}

enum sas_error persist_probe(const char *path, struct persist_probe *out)
{
    uint8_t buf[2 * PERSIST_PAGE];
    struct meta m[2];
    int ok0, ok1;
    enum sas_error e = read_head(path, buf, &out->file_size);

    if (e)
        return e;
    ok0 = decode_meta(buf, 0, &m[0]) == 0;
    ok1 = decode_meta(buf + PERSIST_PAGE, 1, &m[1]) == 0;
    if (!ok0 && !ok1)
        return SAS_ESTORE_FOREIGN;
    /* LMDB itself refuses a file with one bad meta page; say why, before it maps it. */
    if (!ok0 || !ok1 || !meta_consistent(&m[0]) || !meta_consistent(&m[1]))
        return SAS_ESTORE_CORRUPT;
    const struct meta *cur = m[1].txnid > m[0].txnid ? &m[1] : &m[0];
    out->last_page = cur->last_pg;
    out->txnid = cur->txnid;
    out->map_size = cur->mapsize;
    if (out->file_size < (cur->last_pg + 1) * PERSIST_PAGE)
        return SAS_ESTORE_TRUNCATED;
    return SAS_OK;
}
