/*
 * sas_list — a linked list with raw pointers in a persistent object, found after a reboot
 * (issue 20's "create and reboot" test). Two programs from this source (LIST_MODE):
 *
 *   sas_list (1, build)  if its domain holds no list yet (none among its own capabilities,
 *            sas_caps): creates the persistent object "list", builds a 10,000-node singly
 *            linked list in it with raw pointers, commits it, then changes node 5000's
 *            value and exits WITHOUT committing that change. Prints
 *                sas_list: built 10000 nodes at 0x...
 *                sas_list: changed node 5000 without committing
 *            and exits 0; 1 with a "sas_list: FAILED: ..." line otherwise. If its domain
 *            holds the list already (a later run, after a reboot), it checks it as
 *            sas_list_check does.
 *   sas_list_check (2, check)  the object labelled "list" among its domain's capabilities
 *            must be persistent and durable; walks the list by its pointers and checks
 *            every node, node 5000's original value included (the uncommitted change must
 *            be gone). Prints
 *                sas_list: found 10000 nodes at 0x..., uncommitted change gone
 *            and exits 0; 1 with a "sas_list: FAILED: ..." line otherwise.
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

static int check(const struct list *l)
{
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

/* The list an earlier run of this domain built: the object labelled "list" among the
 * capabilities of the domain's own list (sas_caps), or NULL. */
static const struct list *find_list(void)
{
    struct cap c;
    struct sas_info in;
    for (unsigned i = 0; !sas_caps(i, &c, 0); i++)
        if (!sas_info((const void *)c.base, &in) && !strcmp(in.label, "list") &&
            (in.flags & SAS_INFO_PERSISTENT))
            return (const struct list *)in.base;
    return 0;
}

int main(void)
{
    /* sas_list finds its list when an earlier run (or boot) built it: the user's way,
     * "run sas_list", power off, boot again, "run sas_list" (README.md). */
    const struct list *l = find_list();
    if (!l && LIST_MODE == LIST_BUILD)
        return build();
    if (!l) {
        printf("sas_list: FAILED: this domain holds no list\n");
        return 1;
    }
    return check(l);
}
