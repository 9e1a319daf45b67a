/*
 * share.c — list_share (domain: its own, "list_share" by default): builds the list of
 * share.h in a new persistent object, commits it, derives a read-only capability of it and
 * grants that to domain "bob"; then, a moment later, changes node 5000 and commits again,
 * printing the frame that holds the node's page (list_read, running as bob at the same
 * time, must see the change through that same frame). Exits 0 when all of that worked.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sas.h>
#include "share.h"

static int failed(const char *what, enum sas_error e)
{
    printf("list_share: FAILED: %s: %s\n", what, sas_strerror(e));
    return 1;
}

static void build(struct share *s)
{
    s->magic = SHARE_MAGIC;
    s->generation = 1;
    struct share_node *prev = 0;
    for (uint64_t i = 0; i < SHARE_NODES; i++) {
        struct share_node *n = &s->slot[i * SHARE_STRIDE % SHARE_NODES];
        *n = (struct share_node){ 0, i, share_value(i, 1) };
        if (prev)
            prev->next = n;
        else
            s->head = n;
        prev = n;
    }
    s->text = s->text_bytes;
    for (unsigned line = 0; line < SHARE_TEXT / 64; line++) {
        char head[32], *l = s->text_bytes + line * 64;
        int n = snprintf(head, sizeof head, "shared text line %03u, ", line);
        memset(l, '.', 63);                  /* printable to the end: no NUL in the text */
        memcpy(l, head, (size_t)n);
        memcpy(l + n, "read by bob from alice's object", 31);
        l[63] = '\n';
    }
}

int main(void)
{
    void *base;
    struct cap owner, ro;
    enum sas_error e;
    if ((e = sas_create(SHARE_SIZE, SAS_PERSISTENT, "shared list", &owner, &base)))
        return failed("sas_create", e);
    struct share *s = base;
    build(s);
    if ((e = sas_commit(&base, 1)))
        return failed("sas_commit", e);
    if ((e = sas_cap_derive(&owner, CAP_R_READ, 0, CAP_RANGE_ALL, CAP_NO_EXPIRY, &ro)))
        return failed("sas_cap_derive", e);
    if ((e = sas_grant(SHARE_DOMAIN, &ro)))
        return failed("sas_grant", e);
    printf("list_share: 10000 nodes at %p, committed; read-only capability granted to %s\n",
           base, SHARE_DOMAIN);
    fflush(stdout);
    struct timespec t = { 2, 0 };
    nanosleep(&t, 0);
    struct share_node *n = &s->slot[SHARE_CHANGED * SHARE_STRIDE % SHARE_NODES];
    n->value = share_value(SHARE_CHANGED, 2);
    s->generation = 2;
    if ((e = sas_commit(&base, 1)))
        return failed("sas_commit of the change", e);
    uint64_t frame;
    if ((e = sas_frame(n, &frame)))
        return failed("sas_frame", e);
    printf("list_share: node %u changed to %lu and committed; its page is frame %lu\n",
           SHARE_CHANGED, (unsigned long)n->value, (unsigned long)frame);
    fflush(stdout);
    /* Runs on while list_read (bob) is ended by its write; the test checks the order. */
    t.tv_sec = 3;
    nanosleep(&t, 0);
    if ((e = sas_commit(&base, 1)))
        return failed("the last commit", e);
    printf("list_share: done, after list_read's end\n");
    return 0;
}
