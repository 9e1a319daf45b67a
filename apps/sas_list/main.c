/*
 * sas_list — a linked list with raw pointers in a persistent object, found after a reboot
 * (issue 20's "create and reboot" test). Two programs from this source (LIST_MODE):
 *
 *   sas_list (1, build)  if the store holds no list yet (none at SAS_OBJECT_BASE): creates
 *            the persistent object "list", builds a 10,000-node singly
 *            linked list in it with raw pointers, commits it, then changes node 5000's
 *            value and exits WITHOUT committing that change. Prints
 *                sas_list: built 10000 nodes at 0x100000000000
 *                sas_list: changed node 5000 without committing
 *            and exits 0; 1 with a "sas_list: FAILED: ..." line otherwise. If the list is
 *            there already (a later run, after a reboot), it checks it as sas_list_check.
 *   sas_list_check (2, check)  after a reboot on the same store: the object is at
 *            SAS_OBJECT_BASE (see below), labelled "list", persistent and durable; walks
 *            the list by its pointers and checks every node, node 5000's original value
 *            included (the uncommitted change must be gone). Prints
 *                sas_list: found 10000 nodes at 0x100000000000, uncommitted change gone
 *            and exits 0; 1 with a "sas_list: FAILED: ..." line otherwise.
 *
 * Assumption: the store is fresh when sas_list runs, so its object is the first one
 * created and objmgr's first fit puts it at SAS_OBJECT_BASE; sas_list refuses to go on
 * otherwise, since the check looks there and nowhere else.
 *
 * The nodes are not laid out in list order: node i sits in slot i * 7919 mod 10000, so
 * following the pointers crosses pages back and forth, as a heap-built list would.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sas.h>

#define LIST_BUILD 1
#define LIST_CHECK 2
#define NODES 10000u
#define CHANGED 5000u
#define STRIDE 7919u                   /* prime, coprime with NODES: a permutation */
#define MAGIC 0x4c49535434454c4cULL    /* "LLE4TSIL" */

struct node {
    struct node *next;
    uint64_t index;
    uint64_t value;
};

struct list {
    uint64_t magic;
    uint64_t count;
    struct node *first;
    struct node slot[NODES];
};

static uint64_t value_of(uint64_t i) { return i * 2654435761ULL; }

static int failed(const char *what, enum sas_error e)
{
    printf("sas_list: FAILED: %s: %s\n", what, sas_strerror(e));
    return 1;
}

static int build(void)
{
    void *base;
    enum sas_error e = sas_create(sizeof(struct list), SAS_PERSISTENT, "list", 0, &base);
    if (e)
        return failed("sas_create", e);
    if ((uint64_t)base != SAS_OBJECT_BASE) {
        printf("sas_list: FAILED: the object is at %p, not at 0x%llx: the store was not "
               "fresh\n", base, SAS_OBJECT_BASE);
        return 1;
    }
    struct list *l = base;
    struct node **link = &l->first;
    for (uint64_t i = 0; i < NODES; i++) {
        struct node *n = &l->slot[i * STRIDE % NODES];
        *n = (struct node){ 0, i, value_of(i) };
        *link = n;
        link = &n->next;
    }
    l->count = NODES;
    l->magic = MAGIC;
    if ((e = sas_commit(&base, 1)))
        return failed("sas_commit", e);
    printf("sas_list: built %u nodes at %p\n", NODES, base);
    l->slot[CHANGED * STRIDE % NODES].value = ~value_of(CHANGED);
    printf("sas_list: changed node %u without committing\n", CHANGED);
    return 0;
}

/* The object's record says what build made: "list", persistent, durable. */
static int check_info(const struct list *l)
{
    struct sas_info in;
    enum sas_error e = sas_info(l, &in);
    if (e)
        return failed("sas_info", e);
    int ok = in.base == l && !strcmp(in.label, "list") && in.size >= sizeof(*l) &&
             (in.flags & SAS_INFO_PERSISTENT) && (in.flags & SAS_INFO_DURABLE);
    if (!ok)
        printf("sas_list: FAILED: sas_info: base %p size %llu flags %#x label \"%s\"\n",
               in.base, (unsigned long long)in.size, in.flags, in.label);
    return !ok;
}

static int check(void)
{
    const struct list *l = (const struct list *)SAS_OBJECT_BASE;
    if (check_info(l))
        return 1;
    if (l->magic != MAGIC || l->count != NODES) {
        printf("sas_list: FAILED: header: magic %#llx count %llu\n",
               (unsigned long long)l->magic, (unsigned long long)l->count);
        return 1;
    }
    uint64_t i = 0;
    for (const struct node *n = l->first; n; n = n->next, i++) {
        if (i == NODES || n < l->slot || n >= l->slot + NODES) {
            printf("sas_list: FAILED: node %llu: pointer %p leaves the list\n",
                   (unsigned long long)i, (const void *)n);
            return 1;
        }
        if (n->index != i || n->value != value_of(i)) {
            printf("sas_list: FAILED: node %llu: index %llu value %#llx (want %#llx)%s\n",
                   (unsigned long long)i, (unsigned long long)n->index,
                   (unsigned long long)n->value, (unsigned long long)value_of(i),
                   i == CHANGED ? ": the uncommitted change survived" : "");
            return 1;
        }
    }
    if (i != NODES) {
        printf("sas_list: FAILED: the list ends after %llu nodes\n", (unsigned long long)i);
        return 1;
    }
    printf("sas_list: found %u nodes at %p, uncommitted change gone\n", NODES, (void *)l);
    return 0;
}

int main(void)
{
    /* sas_list finds its list when an earlier run (or boot) built it: the user's way,
     * "run sas_list", power off, boot again, "run sas_list" (README.md). */
    struct sas_info in;
    if (LIST_MODE == LIST_BUILD &&
        (sas_info((const void *)SAS_OBJECT_BASE, &in) || strcmp(in.label, "list")))
        return build();
    return check();
}
