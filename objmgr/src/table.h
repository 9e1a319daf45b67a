/*
 * table.h — objmgr's private state, shared by its source files: the live objects, the
 * free extents and the quarantine of freed ranges awaiting retirement.
 */
#ifndef OBJMGR_TABLE_H
#define OBJMGR_TABLE_H

#include <objmgr/objmgr.h>
#include "tree.h"

#define OBJ_PAGE 4096ull

struct obj_node {
    struct tnode n;           /* n.base == rec.base, n.len == rec.size */
    struct obj_record rec;
};

struct obj_table {
    uint64_t base, end;       /* the region */
    struct tree objs;         /* struct obj_node, by base */
    struct tree holes;        /* free extents, by base, coalesced */
    size_t count;
    uint64_t next_epoch;
    struct obj_record *quar;  /* freed ranges (OBJ_FREED), unordered */
    size_t nquar, capquar;
};

/* free.c: the free-extent bookkeeping. */
struct tnode *hole_containing(struct obj_table *t, uint64_t base, uint64_t size);
enum sas_error hole_take(struct obj_table *t, struct tnode *h, uint64_t start, uint64_t size);
enum sas_error hole_give(struct obj_table *t, uint64_t base, uint64_t size);
enum sas_error quarantine(struct obj_table *t, const struct obj_record *r, uint64_t base,
                          uint64_t size, struct obj_record *out);

#endif
