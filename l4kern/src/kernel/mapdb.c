/*
 * mapdb.c — the mapping tree: parent, first child, siblings. Pure pointer logic with no
 * page tables, so it is tested on the host (tests/unit/test_mapdb.c).
 */
#include <k/space.h>

void mapdb_link(struct mapnode *parent, struct mapnode *n)
{
    n->parent = parent;
    n->prev = 0;
    n->next = parent ? parent->child : 0;
    if (n->next)
        n->next->prev = n;
    if (parent)
        parent->child = n;
}

void mapdb_unlink(struct mapnode *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else if (n->parent)
        n->parent->child = n->next;
    if (n->next)
        n->next->prev = n->prev;
    n->parent = n->next = n->prev = 0;
}

/* The node after cur in a pre-order walk of root's subtree, or NULL at the end. */
struct mapnode *mapdb_next(struct mapnode *cur, struct mapnode *root)
{
    if (cur->child)
        return cur->child;
    while (cur != root) {
        if (cur->next)
            return cur->next;
        cur = cur->parent;
    }
    return 0;
}

int mapdb_is_ancestor(const struct mapnode *a, const struct mapnode *n)
{
    for (; n; n = n->parent)
        if (n == a)
            return 1;
    return 0;
}
