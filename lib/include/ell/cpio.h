/*
 * ell/cpio.h — the boot archive's format, cpio "newc": each member is a 110-byte header of
 * ASCII hex fields, its NUL-terminated name and its data, name and data each padded to 4
 * bytes; a member named TRAILER!!! ends the archive. tools/mkbootar writes it (with these
 * constants); the kernel and root read it with lib/cpio.c, which trusts nothing: the archive
 * is input, and every field is checked against the archive's bounds before it is used.
 */
#ifndef ELL_CPIO_H
#define ELL_CPIO_H

#include <stdint.h>

#define CPIO_NEWC_MAGIC     "070701"
#define CPIO_NEWC_HDR_SIZE  110u
#define CPIO_NEWC_FILESIZE  54u     /* offsets of the two fields a reader needs */
#define CPIO_NEWC_NAMESIZE  94u
#define CPIO_NEWC_TRAILER   "TRAILER!!!"
#define CPIO_NEWC_ALIGN     4u

enum cpio_status {
    CPIO_OK = 0,
    CPIO_END = -1,      /* the trailer, or (cpio_find) no member of that name */
    CPIO_BAD = -2,      /* a malformed header, or a name or data running past the end */
};

struct cpio_member {
    const char *name;       /* NUL-terminated, inside the archive */
    const uint8_t *data;
    uint64_t size;
};

/* The member at *cursor (0 for the first) of the archive [ar, ar + size): CPIO_OK with *m
 * filled and *cursor advanced to the next member; CPIO_END at the trailer; CPIO_BAD if
 * the header at *cursor is damaged (*cursor unchanged). */
enum cpio_status cpio_next(const uint8_t *ar, uint64_t size, uint64_t *cursor,
                           struct cpio_member *m);

/* The first member called `name`: CPIO_OK, CPIO_END if there is none before the trailer,
 * CPIO_BAD if the archive is damaged before it is found. */
enum cpio_status cpio_find(const uint8_t *ar, uint64_t size, const char *name,
                           struct cpio_member *m);

#endif
