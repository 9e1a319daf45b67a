/*
 * share.h — the object list_share builds and list_read walks (issue 21's sharing test and
 * demo): a header, a 10,000-node singly linked list with raw pointers (nodes placed out of
 * order, so the walk crosses pages), and a 10 KiB string of text lines.
 */
#ifndef SAS_SHARE_H
#define SAS_SHARE_H

#include <stdint.h>

#define SHARE_NODES    10000u
#define SHARE_STRIDE   7919u                  /* prime: node i sits in slot i*7919 % n */
#define SHARE_CHANGED  5000u                  /* the node list_share changes */
#define SHARE_TEXT     10240u
#define SHARE_MAGIC    0x4552414853344c45ULL  /* "EL4SHARE" */
#define SHARE_SIZE     (64u * 4096u)
#define SHARE_DOMAIN   "bob"                  /* whom list_share grants read-only */

struct share_node {
    struct share_node *next;
    uint64_t index;
    uint64_t value;
};

struct share {
    uint64_t magic;
    struct share_node *head;
    char *text;                               /* SHARE_TEXT bytes, lines of 64 */
    uint64_t generation;                      /* 1 when built, 2 after the change */
    struct share_node slot[SHARE_NODES];
    char text_bytes[SHARE_TEXT];
};

_Static_assert(sizeof(struct share) <= SHARE_SIZE, "the list fits its object");

static inline uint64_t share_value(uint64_t i, uint64_t generation)
{
    return i * 2654435761ULL + (i == SHARE_CHANGED ? (generation - 1) * 1000003ULL : 0);
}

#endif
