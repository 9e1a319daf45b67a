/*
 * free.c — free extents and the quarantine. Holes are kept coalesced, so "the range after
 * an object is free" is one lookup. Every function allocates what it needs before it
 * changes anything, so SAS_ENOMEM leaves the table as it was.
 */
#include <stdlib.h>
#include "table.h"

/* The hole that wholly contains [base, base+size), or NULL. */
struct tnode *hole_containing(struct obj_table *t, uint64_t base, uint64_t size)
{
    struct tnode *h = tree_floor(&t->holes, base);
    if (!h || base - h->base > h->len || size > h->len - (base - h->base))
        return NULL;
    return h;
}

/* Remove [start, start+size) from hole h, which contains it. */
enum sas_error hole_take(struct obj_table *t, struct tnode *h, uint64_t start, uint64_t size)
{
    uint64_t end = start + size, hend = h->base + h->len;
    struct tnode *post = NULL;

    if (start > h->base && end < hend && !(post = malloc(sizeof *post)))
        return SAS_ENOMEM;
    if (start > h->base) {            /* keep the front part in h */
        h->len = start - h->base;
        tree_update(&t->holes, h->base);
        if (post) {
            post->base = end;
            post->len = hend - end;
            tree_insert(&t->holes, post);
        }
        return SAS_OK;
    }
    tree_remove(&t->holes, h->base);
    if (end < hend) {                 /* the back part moves h's key forward */
        h->base = end;
        h->len = hend - end;
        tree_insert(&t->holes, h);
    } else {
        free(h);
    }
    return SAS_OK;
}

/* Return [base, base+size) to the free extents, merging with free neighbours. */
enum sas_error hole_give(struct obj_table *t, uint64_t base, uint64_t size)
{
    struct tnode *prev = tree_floor(&t->holes, base);
    struct tnode *next = tree_get(&t->holes, base + size);

    if (prev && prev->base + prev->len != base)
        prev = NULL;
    if (prev && next) {
        tree_remove(&t->holes, next->base);
        prev->len += size + next->len;
        free(next);
        tree_update(&t->holes, prev->base);
    } else if (prev) {
        prev->len += size;
        tree_update(&t->holes, prev->base);
    } else if (next) {
        tree_remove(&t->holes, next->base);
        next->base = base;
        next->len += size;
        tree_insert(&t->holes, next);
    } else {
        struct tnode *h = malloc(sizeof *h);
        if (!h)
            return SAS_ENOMEM;
        h->base = base;
        h->len = size;
        tree_insert(&t->holes, h);
    }
    return SAS_OK;
}

/* Quarantine [base, base+size) of object r under a fresh freed epoch. */
enum sas_error quarantine(struct obj_table *t, const struct obj_record *r, uint64_t base,
                          uint64_t size, struct obj_record *out)
{
    struct obj_record q = *r;

    if (t->nquar == t->capquar) {
        size_t cap = t->capquar ? 2 * t->capquar : 16;
        struct obj_record *n = realloc(t->quar, cap * sizeof *n);
        if (!n)
            return SAS_ENOMEM;
        t->quar = n;
        t->capquar = cap;
    }
    q.base = base;
    q.size = size;
    q.flags = r->flags | OBJ_FREED;
    q.epoch = t->next_epoch++;
    t->quar[t->nquar++] = q;
    if (out)
        *out = q;
    return SAS_OK;
}

size_t obj_retire(struct obj_table *t, uint64_t upto, obj_range_fn fn, void *arg)
{
    size_t i = 0, done = 0;

    while (i < t->nquar) {
        struct obj_record q = t->quar[i];
        /* Giving a range back can only fail for want of a node: keep it quarantined. */
        if (q.epoch > upto || hole_give(t, q.base, q.size) != SAS_OK) {
            i++;
            continue;
        }
        t->quar[i] = t->quar[--t->nquar];
        done++;
        if (fn)
            fn(arg, &q);
    }
    return done;
}

size_t obj_quarantined(const struct obj_table *t)
{
    return t->nquar;
}
