/*
 * objmgr/objmgr.h — the object table and the allocator of the single address space.
 *
 * Contract:
 *  - An object is a page-aligned extent [base, base + size) inside the table's region
 *    (normally [SAS_OBJECT_BASE, SAS_OBJECT_END) from sas/layout.h). Its address is its
 *    name: it never moves. Resizing grows in place or fails with SAS_ENOGROW.
 *  - Allocation is first fit in address order; a requested power-of-two alignment is
 *    honoured. Lookup of the object containing an address, creation, deletion and resize
 *    are O(log n) (balanced trees of objects and of free extents).
 *  - Every object gets a fresh epoch from one monotonic counter; capabilities carry it.
 *    A range freed by delete or shrink is *quarantined* with a fresh "freed" epoch and is
 *    not handed out again until obj_retire() declares that epoch retired (the server has
 *    unmapped it everywhere and flushed cached validations). So no reference to an old
 *    object can ever be honoured by a new object in its place.
 *  - The library is plain C with no IPC, no clock and no I/O: the caller supplies creation
 *    times and persists the records (obj_encode) it gets back.
 */
#ifndef OBJMGR_OBJMGR_H
#define OBJMGR_OBJMGR_H

#include <stddef.h>
#include <stdint.h>
#include <sas/errors.h>

#define OBJ_LABEL_MAX     32u            /* bytes of label, including the NUL */

/* Object flags. */
#define OBJ_PERSISTENT    0x1u           /* kept across commits/reboots; else transient */
#define OBJ_FLAGS_USER    OBJ_PERSISTENT /* the flags a creator may set */
#define OBJ_FREED         0x80000000u    /* encoded range is quarantined, not an object */

/* One entry of the object table. */
struct obj_record {
    uint64_t base;        /* first byte; page-aligned; the object's name */
    uint64_t size;        /* bytes, a multiple of the page size */
    uint32_t flags;       /* OBJ_* */
    uint64_t owner;       /* owning protection domain */
    uint64_t epoch;       /* creation epoch (freed epoch for an OBJ_FREED range) */
    uint64_t ctime;       /* creation time, as the caller counts it (ns since 1970) */
    uint64_t account;     /* quota account charged for the object's storage */
    char label[OBJ_LABEL_MAX]; /* NUL-terminated, for humans and tools */
};

/* What obj_create() is asked for. */
struct obj_spec {
    uint64_t size;        /* bytes, > 0; rounded up to whole pages */
    uint64_t align;       /* power of two >= page size, or 0 for page alignment */
    uint32_t flags;       /* subset of OBJ_FLAGS_USER */
    uint64_t owner, account, ctime;
    const char *label;    /* NULL or shorter than OBJ_LABEL_MAX */
};

struct obj_table;

/*
 * obj_table_new — an empty table over the region [base, end) (page-aligned, base < end).
 * Errors: SAS_EINVAL, SAS_ENOMEM.
 */
enum sas_error obj_table_new(uint64_t base, uint64_t end, struct obj_table **out);
void obj_table_free(struct obj_table *t);

size_t obj_count(const struct obj_table *t);          /* live objects */
size_t obj_quarantined(const struct obj_table *t);    /* freed ranges not yet retired */
uint64_t obj_next_epoch(const struct obj_table *t);   /* persist it with the records */

/*
 * obj_create — allocate and enter a new object; *out receives its record.
 * Errors: SAS_EINVAL (size 0, alignment not a power of two >= page, unknown flags, label
 * too long), SAS_ENOSPACE (no free extent of that size and alignment), SAS_ENOMEM.
 */
enum sas_error obj_create(struct obj_table *t, const struct obj_spec *s, struct obj_record *out);

/*
 * obj_delete — remove the object based at base; its range is quarantined. *old (optional)
 * receives its last record, *freed (optional) the quarantined range (flags OBJ_FREED).
 * Errors: SAS_ENOTFOUND (no object starts at base), SAS_ENOMEM.
 */
enum sas_error obj_delete(struct obj_table *t, uint64_t base, struct obj_record *old,
                          struct obj_record *freed);

/*
 * obj_resize — change the size of the object based at base, in place. Growing takes the
 * free range right after it; shrinking quarantines the tail (*freed, if given and if a
 * tail was freed; otherwise freed->size is 0). *out receives the new record.
 * Errors: SAS_EINVAL (size 0), SAS_ENOTFOUND, SAS_ENOGROW (the following range is an
 * object, quarantined, or past the region), SAS_ENOMEM.
 */
enum sas_error obj_resize(struct obj_table *t, uint64_t base, uint64_t size,
                          struct obj_record *out, struct obj_record *freed);

/* obj_find — the object containing addr. Errors: SAS_ENOTFOUND. */
enum sas_error obj_find(const struct obj_table *t, uint64_t addr, struct obj_record *out);

/*
 * Iteration in address order: obj_first gives the lowest object, obj_next the first object
 * based after addr. Errors: SAS_ENOTFOUND at the end.
 */
enum sas_error obj_first(const struct obj_table *t, struct obj_record *out);
enum sas_error obj_next(const struct obj_table *t, uint64_t addr, struct obj_record *out);

/*
 * obj_retire — every range freed at an epoch <= upto becomes free for reuse; fn (optional)
 * sees each, so the caller can delete its persisted OBJ_FREED record. Returns the count.
 */
typedef void (*obj_range_fn)(void *arg, const struct obj_record *freed);
size_t obj_retire(struct obj_table *t, uint64_t upto, obj_range_fn fn, void *arg);

/*
 * obj_restore — re-enter a persisted record at start-up: a live object, or (OBJ_FREED) a
 * quarantined range. The epoch counter moves past its epoch.
 * Errors: SAS_EINVAL (malformed record or outside the region), SAS_EEXIST (overlaps an
 * object or range already entered), SAS_ENOMEM.
 */
enum sas_error obj_restore(struct obj_table *t, const struct obj_record *r);

/* obj_set_next_epoch — restore the counter (it never goes backwards). */
void obj_set_next_epoch(struct obj_table *t, uint64_t next);

/*
 * The persisted form of a record: OBJ_RECORD_BYTES, fixed little-endian layout with a
 * version, identical on every host and in the guest. obj_decode checks the version, the
 * flags and the label's NUL: SAS_ESTORE_CORRUPT otherwise.
 */
#define OBJ_RECORD_BYTES  88u
#define OBJ_RECORD_VERSION 1u
void obj_encode(const struct obj_record *r, uint8_t out[OBJ_RECORD_BYTES]);
enum sas_error obj_decode(const uint8_t *in, size_t len, struct obj_record *r);

#endif
