/*
 * restore.c — re-entering persisted records at start-up. A record is accepted only if it
 * is well formed and lies wholly in free space, so a damaged store cannot make two objects
 * overlap in memory.
 */
#include <stdlib.h>
#include <string.h>
#include "table.h"

static int well_formed(const struct obj_table *t, const struct obj_record *r)
{
    uint32_t known = OBJ_FLAGS_USER | OBJ_FREED;

    return r->size && !(r->flags & ~known) && !((r->base | r->size) % OBJ_PAGE) &&
           r->base >= t->base && r->base < t->end && r->size <= t->end - r->base &&
           memchr(r->label, 0, sizeof r->label) != NULL;
}

static enum sas_error restore_freed(struct obj_table *t, const struct obj_record *r,
                                    struct tnode *h)
{
    enum sas_error e;
    uint64_t saved = t->next_epoch;

    if ((e = quarantine(t, r, r->base, r->size, NULL)))
        return e;
    t->quar[t->nquar - 1].epoch = r->epoch;   /* keep its own freed epoch */
    t->next_epoch = saved;
    if ((e = hole_take(t, h, r->base, r->size)))
        t->nquar--;
    return e;
}

static enum sas_error restore_object(struct obj_table *t, const struct obj_record *r,
                                     struct tnode *h)
{
    struct obj_node *o = calloc(1, sizeof *o);
    enum sas_error e;

    if (!o)
        return SAS_ENOMEM;
    if ((e = hole_take(t, h, r->base, r->size))) {
        free(o);
        return e;
    }
    o->rec = *r;
    o->n.base = r->base;
    o->n.len = r->size;
    tree_insert(&t->objs, &o->n);
    t->count++;
    return SAS_OK;
}

enum sas_error obj_restore(struct obj_table *t, const struct obj_record *r)
{
    struct tnode *h;
    enum sas_error e;

    if (!well_formed(t, r))
        return SAS_EINVAL;
    if (!(h = hole_containing(t, r->base, r->size)))
        return SAS_EEXIST;
    e = (r->flags & OBJ_FREED) ? restore_freed(t, r, h) : restore_object(t, r, h);
    if (!e)
        obj_set_next_epoch(t, r->epoch + 1);
    return e;
}
