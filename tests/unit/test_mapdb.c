/*
 * test_mapdb.c — the mapping tree (l4kern/src/kernel/mapdb.c) on the host: linking makes a
 * node its parent's first child; unlinking the first, a middle, the last and an only child
 * keeps every other link intact (both directions); the pre-order walk mapdb_next visits a
 * built tree exactly once per node, in order, and stops at the subtree it started in; and
 * mapdb_is_ancestor answers for self, ancestors, siblings, cousins and detached nodes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <k/space.h>

static struct mapnode n[16];

static int setup(void **st)
{
    (void)st;
    memset(n, 0, sizeof(n));
    return 0;
}

/* p's children are exactly want[0..k) in sibling order, linked both ways, parent set. */
static void expect_children(struct mapnode *p, struct mapnode *const *want, unsigned k)
{
    struct mapnode *c = p->child, *prev = NULL;
    for (unsigned i = 0; i < k; i++) {
        assert_ptr_equal(c, want[i]);
        assert_ptr_equal(c->parent, p);
        assert_ptr_equal(c->prev, prev);
        prev = c;
        c = c->next;
    }
    assert_null(c);
}

static void expect_detached(const struct mapnode *x)
{
    assert_null(x->parent);
    assert_null(x->next);
    assert_null(x->prev);
}

/* Links c0..c{k-1} below p in that order; each new link becomes the first child. */
static void link_children(struct mapnode *p, unsigned first, unsigned k)
{
    for (unsigned i = k; i-- > 0;)
        mapdb_link(p, &n[first + i]);
}

static void mapdb_link_makes_first_child(void **st)
{
    (void)st;
    mapdb_link(&n[0], &n[1]);
    mapdb_link(&n[0], &n[2]);
    struct mapnode *want[] = { &n[2], &n[1] };
    expect_children(&n[0], want, 2);
    assert_null(n[1].child);
}

static void mapdb_link_without_parent_makes_a_root(void **st)
{
    (void)st;
    n[1].next = &n[5];            /* stale links from an earlier life are overwritten */
    n[1].prev = &n[6];
    mapdb_link(NULL, &n[1]);
    expect_detached(&n[1]);
}

static void mapdb_unlink_first_child(void **st)
{
    (void)st;
    link_children(&n[0], 1, 3);
    mapdb_unlink(&n[1]);
    struct mapnode *want[] = { &n[2], &n[3] };
    expect_children(&n[0], want, 2);
    expect_detached(&n[1]);
}

static void mapdb_unlink_middle_child(void **st)
{
    (void)st;
    link_children(&n[0], 1, 3);
    mapdb_unlink(&n[2]);
    struct mapnode *want[] = { &n[1], &n[3] };
    expect_children(&n[0], want, 2);
    expect_detached(&n[2]);
}

static void mapdb_unlink_last_child(void **st)
{
    (void)st;
    link_children(&n[0], 1, 3);
    mapdb_unlink(&n[3]);
    struct mapnode *want[] = { &n[1], &n[2] };
    expect_children(&n[0], want, 2);
    expect_detached(&n[3]);
}

static void mapdb_unlink_only_child(void **st)
{
    (void)st;
    mapdb_link(&n[0], &n[1]);
    mapdb_unlink(&n[1]);
    assert_null(n[0].child);
    expect_detached(&n[1]);
}

static void mapdb_unlink_keeps_the_subtree_below(void **st)
{
    (void)st;
    mapdb_link(&n[0], &n[1]);
    mapdb_link(&n[1], &n[2]);
    mapdb_unlink(&n[1]);
    assert_ptr_equal(n[1].child, &n[2]);     /* the caller removes the subtree itself */
    assert_ptr_equal(n[2].parent, &n[1]);
}

static void mapdb_unlink_root_is_harmless(void **st)
{
    (void)st;
    mapdb_link(NULL, &n[0]);
    mapdb_unlink(&n[0]);
    expect_detached(&n[0]);
}

/*
 * The tree used by the walks (pre-order 0 1 4 5 2 6 7 8 3 9):
 *   0 ─┬─ 1 ─┬─ 4
 *      │     └─ 5
 *      ├─ 2 ─┬─ 6 ── 7 ── 8      (7 below 6, 8 below 7)
 *      └─ 3 ── 9
 */
static void build_tree(void)
{
    link_children(&n[0], 1, 3);
    link_children(&n[1], 4, 2);
    mapdb_link(&n[2], &n[6]);
    mapdb_link(&n[6], &n[7]);
    mapdb_link(&n[7], &n[8]);
    mapdb_link(&n[3], &n[9]);
}

static void expect_walk(struct mapnode *root, const unsigned *order, unsigned k)
{
    struct mapnode *m = root;
    for (unsigned i = 0; i < k; i++) {
        assert_non_null(m);
        assert_ptr_equal(m, &n[order[i]]);
        m = mapdb_next(m, root);
    }
    assert_null(m);
}

static void mapdb_next_walks_the_whole_tree_in_preorder(void **st)
{
    (void)st;
    build_tree();
    static const unsigned order[] = { 0, 1, 4, 5, 2, 6, 7, 8, 3, 9 };
    expect_walk(&n[0], order, 10);
}

static void mapdb_next_stays_inside_a_subtree(void **st)
{
    (void)st;
    build_tree();
    static const unsigned sub1[] = { 1, 4, 5 }, sub2[] = { 2, 6, 7, 8 }, leaf[] = { 9 };
    expect_walk(&n[1], sub1, 3);
    expect_walk(&n[2], sub2, 4);
    expect_walk(&n[9], leaf, 1);
}

static void mapdb_next_of_a_lone_node_ends(void **st)
{
    (void)st;
    mapdb_link(NULL, &n[0]);
    assert_null(mapdb_next(&n[0], &n[0]));
}

static void mapdb_next_after_unlinking_skips_the_removed_subtree(void **st)
{
    (void)st;
    build_tree();
    mapdb_unlink(&n[2]);
    static const unsigned order[] = { 0, 1, 4, 5, 3, 9 };
    expect_walk(&n[0], order, 6);
}

static void mapdb_is_ancestor_answers_for_the_tree(void **st)
{
    (void)st;
    build_tree();
    assert_true(mapdb_is_ancestor(&n[0], &n[8]));
    assert_true(mapdb_is_ancestor(&n[6], &n[8]));
    assert_true(mapdb_is_ancestor(&n[8], &n[8]));    /* a node is its own ancestor */
    assert_false(mapdb_is_ancestor(&n[8], &n[6]));   /* not the other way round */
    assert_false(mapdb_is_ancestor(&n[1], &n[2]));   /* siblings */
    assert_false(mapdb_is_ancestor(&n[4], &n[9]));   /* cousins */
    assert_false(mapdb_is_ancestor(&n[0], &n[10]));  /* detached */
    assert_false(mapdb_is_ancestor(&n[0], NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(mapdb_link_makes_first_child, setup),
        cmocka_unit_test_setup(mapdb_link_without_parent_makes_a_root, setup),
        cmocka_unit_test_setup(mapdb_unlink_first_child, setup),
        cmocka_unit_test_setup(mapdb_unlink_middle_child, setup),
        cmocka_unit_test_setup(mapdb_unlink_last_child, setup),
        cmocka_unit_test_setup(mapdb_unlink_only_child, setup),
        cmocka_unit_test_setup(mapdb_unlink_keeps_the_subtree_below, setup),
        cmocka_unit_test_setup(mapdb_unlink_root_is_harmless, setup),
        cmocka_unit_test_setup(mapdb_next_walks_the_whole_tree_in_preorder, setup),
        cmocka_unit_test_setup(mapdb_next_stays_inside_a_subtree, setup),
        cmocka_unit_test_setup(mapdb_next_of_a_lone_node_ends, setup),
        cmocka_unit_test_setup(mapdb_next_after_unlinking_skips_the_removed_subtree, setup),
        cmocka_unit_test_setup(mapdb_is_ancestor_answers_for_the_tree, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
