/*
 * record.c — the persisted form of an object record: fixed offsets, little-endian, with a
 * version word first, so the same bytes are read by the host tool and the guest server.
 *
 *   0 version u32 | 4 flags u32 | 8 base | 16 size | 24 epoch | 32 owner | 40 account
 *   48 ctime | 56 label[32]                                             (88 bytes)
 */
#include <string.h>
#include <objmgr/objmgr.h>

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

void obj_encode(const struct obj_record *r, uint8_t out[OBJ_RECORD_BYTES])
{
    put32(out, OBJ_RECORD_VERSION);
    put32(out + 4, r->flags);
    put64(out + 8, r->base);
    put64(out + 16, r->size);
    put64(out + 24, r->epoch);
    put64(out + 32, r->owner);
    put64(out + 40, r->account);
    put64(out + 48, r->ctime);
    memcpy(out + 56, r->label, OBJ_LABEL_MAX);
}

enum sas_error obj_decode(const uint8_t *in, size_t len, struct obj_record *r)
{
    if (len != OBJ_RECORD_BYTES || get32(in) != OBJ_RECORD_VERSION)
        return SAS_ESTORE_CORRUPT;
    if (get32(in + 4) & ~(OBJ_FLAGS_USER | OBJ_FREED))
        return SAS_ESTORE_CORRUPT;
    if (!memchr(in + 56, 0, OBJ_LABEL_MAX))
        return SAS_ESTORE_CORRUPT;
    r->flags = get32(in + 4);
    r->base = get64(in + 8);
    r->size = get64(in + 16);
    r->epoch = get64(in + 24);
    r->owner = get64(in + 32);
    r->account = get64(in + 40);
    r->ctime = get64(in + 48);
    memcpy(r->label, in + 56, OBJ_LABEL_MAX);
    return SAS_OK;
}
