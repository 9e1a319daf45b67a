/*
 * read.c — list_read, run as domain bob (`run list_read as bob`): finds the object
 * list_share granted to bob in bob's own capability list (waiting up to a minute for it),
 * walks the list by its raw pointers, waits until node 5000 holds list_share's change (it
 * reads the frame list_share writes: no copy), prints the frame of that page and the
 * object's 10 KiB of text with one write(1, ...), then tries to write to the object: the
 * read-only capability must end it there with the denial line (exit 139). Reaching the end
 * is a failure (exit 1).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sas.h>
#include "share.h"

static void pause_ms(long ms)
{
    struct timespec t = { ms / 1000, ms % 1000 * 1000000L };
    nanosleep(&t, 0);
}

/* The shared list's base, from bob's own list; NULL after a minute without it. */
static struct share *find(void)
{
    for (unsigned tries = 0; tries < 1200; tries++, pause_ms(50)) {
        struct cap c;
        unsigned count = 0;
        for (unsigned i = 0; !sas_caps(i, &c, &count); i++) {
            struct sas_info in;
            if (!sas_info((void *)c.base, &in) && !strcmp(in.label, "shared list"))
                return (struct share *)c.base;
        }
    }
    return 0;
}

/* Walks the list; the number of nodes with the values of `generation` (node 5000 may
 * hold either), or -1 if a pointer or an index is wrong. */
static long walk(const struct share *s, uint64_t *changed)
{
    long n = 0;
    for (const struct share_node *p = s->head; p; p = p->next, n++) {
        if (p < s->slot || p >= s->slot + SHARE_NODES || p->index != (uint64_t)n)
            return -1;
        if (p->index == SHARE_CHANGED)
            *changed = p->value;
        else if (p->value != share_value(p->index, 1))
            return -1;
    }
    return n;
}

int main(void)
{
    struct share *s = find();
    if (!s || s->magic != SHARE_MAGIC) {
        printf("list_read: FAILED: no shared list in this domain's capabilities\n");
        return 1;
    }
    uint64_t v = 0;
    long n = walk(s, &v);
    printf("list_read: walked %ld nodes at %p by their pointers\n", n, (void *)s);
    if (n != SHARE_NODES)
        return 1;
    const volatile uint64_t *node = &s->slot[SHARE_CHANGED * SHARE_STRIDE % SHARE_NODES].value;
    for (unsigned i = 0; i < 1200 && *node != share_value(SHARE_CHANGED, 2); i++)
        pause_ms(50);
    uint64_t frame = 0;
    enum sas_error e = sas_frame((const void *)node, &frame);
    if (*node != share_value(SHARE_CHANGED, 2) || e) {
        printf("list_read: FAILED: node %u never changed (%s)\n", SHARE_CHANGED,
               sas_strerror(e));
        return 1;
    }
    printf("list_read: node %u reads %lu, as list_share wrote it; its page is frame %lu\n",
           SHARE_CHANGED, (unsigned long)*node, (unsigned long)frame);
    fflush(stdout);
    if (write(1, s->text, SHARE_TEXT) != SHARE_TEXT) {
        printf("list_read: FAILED: write(1) of the shared text\n");
        return 1;
    }
    printf("list_read: writing to the shared list (read-only here)\n");
    fflush(stdout);
    s->generation = 99;
    printf("list_read: FAILED: the write was allowed\n");
    return 1;
}
