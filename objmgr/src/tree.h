/*
 * tree.h — objmgr's one ordered-set structure: a treap of disjoint extents [base, base+len)
 * keyed by base, augmented with the largest len in each subtree so that the leftmost
 * extent of at least a given length is found in O(log n). Used for the live objects (the
 * augmentation unused) and for the free extents (first-fit allocation). Priorities come
 * from a per-tree xorshift generator with a fixed seed, so runs are reproducible (and
 * callgrind counts deterministic) while the expected depth stays O(log n).
 */
#ifndef OBJMGR_TREE_H
#define OBJMGR_TREE_H

#include <stdint.h>

struct tnode {
    uint64_t base, len;
    uint64_t maxlen;      /* max len in this subtree */
    uint32_t prio;
    struct tnode *l, *r;
};

struct tree {
    struct tnode *root;
    uint32_t seed;
};

void tree_init(struct tree *t);
void tree_insert(struct tree *t, struct tnode *n);          /* n->base not present */
struct tnode *tree_remove(struct tree *t, uint64_t base);   /* NULL if absent */
struct tnode *tree_floor(const struct tree *t, uint64_t addr); /* max base <= addr */
struct tnode *tree_after(const struct tree *t, uint64_t addr); /* min base > addr */
struct tnode *tree_get(const struct tree *t, uint64_t base);
struct tnode *tree_first_fit(const struct tree *t, uint64_t len); /* leftmost len >= len */
void tree_update(struct tree *t, uint64_t base);  /* after changing that node's len */
/* Visit every node in order, then free it with fn (which may be NULL). */
void tree_destroy(struct tree *t, void (*fn)(struct tnode *));

#endif
