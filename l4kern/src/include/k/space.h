/*
 * k/space.h — address spaces as the mapping database sees them.
 *
 * Every user mapping outside the kernel-managed area has a node: the task and address it
 * lives at, the mapping it was derived from (its parent) and those derived from it. The
 * tree is what makes revocation recursive. A node is found from its page-table entry: each
 * leaf page table is allocated together with a shadow page holding one node pointer per
 * entry, exactly PAGE_SIZE after the entry. Roots are mappings the kernel made itself
 * (boot program images, sigma0's window over physical memory).
 */
#ifndef K_SPACE_H
#define K_SPACE_H

#include <k/thread.h>
#include <l4/fpage.h>

struct mapnode {
    struct task *task;
    uint64_t va : 48;             /* page-aligned; user addresses lie below 2^47 */
    uint64_t gone_ad : 2;         /* A/D bits (1 A, 2 D) derived mappings had when they went,
                                     for the next fpage_unmap that visits this one */
    struct mapnode *parent, *child, *next, *prev;
};
_Static_assert(L4_USER_END <= (1ULL << 48), "a node's va holds every user address");
_Static_assert(sizeof(struct mapnode) == 48, "the A/D bits cost a mapping no memory");

/* mapdb.c: the tree alone (pure: tests/unit/test_mapdb.c). */
void mapdb_link(struct mapnode *parent, struct mapnode *n);
void mapdb_unlink(struct mapnode *n);
struct mapnode *mapdb_next(struct mapnode *cur, struct mapnode *root);   /* pre-order */
int mapdb_is_ancestor(const struct mapnode *a, const struct mapnode *n);

/* space.c */
int space_insert(struct task *t, uint64_t va, uint64_t pa, unsigned rights, struct mapnode *parent);
void space_remove_tree(struct mapnode *n);
unsigned space_map_item(struct task *src, struct task *dst, l4_fpage_t f, uint64_t hot,
                        l4_fpage_t window, int grant);
unsigned space_unmap(struct task *t, l4_fpage_t f, uint64_t flags, struct task *only,
                     uint64_t *covered, uint64_t *adbits);
void space_destroy(struct task *t);
int sigma0_window_fault(struct task *t, uint64_t va);   /* 1 if resolved */

/* kslab.c: fixed-size kernel objects from the pool, pages returned when empty. */
struct kslab {
    unsigned size;
    void *partial;                    /* pages with free objects */
};
void *kslab_alloc(struct kslab *s);
void kslab_free(struct kslab *s, void *obj);
void *kslab_alloc_for(struct kslab *s, struct task *t);    /* charged to t's quota */
void kslab_free_for(struct kslab *s, struct task *t, void *obj);

#endif
