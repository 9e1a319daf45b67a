/*
 * table.c — the object table's operations (objmgr.h). Each one validates everything,
 * allocates what it needs, and only then changes the trees.
 */
#include <stdlib.h>
#include <string.h>
#include "table.h"

static int is_pow2(uint64_t x)
{
    return x && !(x & (x - 1));
}

enum sas_error obj_table_new(uint64_t base, uint64_t end, struct obj_table **out)
{
    struct obj_table *t;
    struct tnode *h;

    if (base >= end || (base | end) % OBJ_PAGE)
        return SAS_EINVAL;
    t = calloc(1, sizeof *t);
    h = malloc(sizeof *h);
    if (!t || !h) {
        free(t);
        free(h);
        return SAS_ENOMEM;
    }
    t->base = base;
    t->end = end;
    t->next_epoch = 1;
    tree_init(&t->objs);
    tree_init(&t->holes);
    h->base = base;
    h->len = end - base;
    tree_insert(&t->holes, h);
    *out = t;
    return SAS_OK;
}

static void free_node(struct tnode *n)
{
    free(n);
}

void obj_table_free(struct obj_table *t)
{
    if (!t)
        return;
    tree_destroy(&t->objs, free_node);   /* struct obj_node starts with its tnode */
    tree_destroy(&t->holes, free_node);
    free(t->quar);
    free(t);
}

size_t obj_count(const struct obj_table *t)
{
    return t->count;
}

uint64_t obj_next_epoch(const struct obj_table *t)
{
    return t->next_epoch;
}

void obj_set_next_epoch(struct obj_table *t, uint64_t next)
{
    if (next > t->next_epoch)
        t->next_epoch = next;
}

/* Check a spec; on success *size and *align are the page-rounded figures. */
static enum sas_error check_spec(const struct obj_spec *s, uint64_t *size, uint64_t *align)
{
    if (s->size == 0 || s->size > UINT64_MAX / 2 || (s->flags & ~OBJ_FLAGS_USER))
        return SAS_EINVAL;
    if (s->align && (!is_pow2(s->align) || s->align < OBJ_PAGE || s->align > UINT64_MAX / 4))
        return SAS_EINVAL;
    if (s->label && strlen(s->label) >= OBJ_LABEL_MAX)
        return SAS_EINVAL;
    *size = (s->size + OBJ_PAGE - 1) & ~(OBJ_PAGE - 1);
    *align = s->align ? s->align : OBJ_PAGE;
    return SAS_OK;
}

enum sas_error obj_create(struct obj_table *t, const struct obj_spec *s, struct obj_record *out)
{
    uint64_t size, align, start;
    struct obj_node *o;
    struct tnode *h;
    enum sas_error e = check_spec(s, &size, &align);

    if (e)
        return e;
    /* Any hole this long holds an aligned extent; shorter ones might not, and are skipped. */
    h = tree_first_fit(&t->holes, size + align - OBJ_PAGE);
    if (!h)
        return SAS_ENOSPACE;
    if (!(o = calloc(1, sizeof *o)))
        return SAS_ENOMEM;
    start = (h->base + align - 1) & ~(align - 1);
    if ((e = hole_take(t, h, start, size))) {
        free(o);
        return e;
    }
    o->rec = (struct obj_record){ .base = start, .size = size, .flags = s->flags,
        .owner = s->owner, .epoch = t->next_epoch++, .ctime = s->ctime, .account = s->account };
    if (s->label)
        strcpy(o->rec.label, s->label);
    o->n.base = start;
    o->n.len = size;
    tree_insert(&t->objs, &o->n);
    t->count++;
    *out = o->rec;
    return SAS_OK;
}

enum sas_error obj_delete(struct obj_table *t, uint64_t base, struct obj_record *old,
                          struct obj_record *freed)
{
    struct obj_node *o = (struct obj_node *)tree_get(&t->objs, base);
    enum sas_error e;

    if (!o)
        return SAS_ENOTFOUND;
    if ((e = quarantine(t, &o->rec, o->rec.base, o->rec.size, freed)))
        return e;
    tree_remove(&t->objs, base);
    t->count--;
    if (old)
        *old = o->rec;
    free(o);
    return SAS_OK;
}

/* Grow o in place by taking the free extent right after it. */
static enum sas_error grow(struct obj_table *t, struct obj_node *o, uint64_t size)
{
    uint64_t end = o->rec.base + o->rec.size, more = size - o->rec.size;
    struct tnode *h = tree_get(&t->holes, end);
    enum sas_error e;

    if (!h || h->len < more)
        return SAS_ENOGROW;
    if ((e = hole_take(t, h, end, more)))
        return e;
    o->rec.size = o->n.len = size;
    return SAS_OK;
}

enum sas_error obj_resize(struct obj_table *t, uint64_t base, uint64_t size,
                          struct obj_record *out, struct obj_record *freed)
{
    struct obj_node *o = (struct obj_node *)tree_get(&t->objs, base);
    enum sas_error e = SAS_OK;

    if (size == 0 || size > UINT64_MAX / 2)
        return SAS_EINVAL;
    if (!o)
        return SAS_ENOTFOUND;
    size = (size + OBJ_PAGE - 1) & ~(OBJ_PAGE - 1);
    if (freed)
        freed->size = 0;
    if (size > o->rec.size) {
        e = grow(t, o, size);
    } else if (size < o->rec.size) {
        e = quarantine(t, &o->rec, base + size, o->rec.size - size, freed);
        if (!e)
            o->rec.size = o->n.len = size;
    }
    if (!e)
        *out = o->rec;
    return e;
}

enum sas_error obj_find(const struct obj_table *t, uint64_t addr, struct obj_record *out)
{
    const struct obj_node *o = (const struct obj_node *)tree_floor(&t->objs, addr);

    if (!o || addr - o->rec.base >= o->rec.size)
        return SAS_ENOTFOUND;
    *out = o->rec;
    return SAS_OK;
}

enum sas_error obj_next(const struct obj_table *t, uint64_t addr, struct obj_record *out)
{
    const struct obj_node *o = (const struct obj_node *)tree_after(&t->objs, addr);

    if (!o)
        return SAS_ENOTFOUND;
    *out = o->rec;
    return SAS_OK;
}

enum sas_error obj_first(const struct obj_table *t, struct obj_record *out)
{
    struct obj_record r;

    if (obj_find(t, t->base, &r) == SAS_OK) {
        *out = r;
        return SAS_OK;
    }
    return obj_next(t, t->base, out);
}
