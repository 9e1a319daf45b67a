/*
 * k/clan.h — clans and chiefs (l4/clan.h): where an IPC from one task to another really
 * goes, and whether a chief may present a virtual sender.
 */
#ifndef K_CLAN_H
#define K_CLAN_H

#include <k/thread.h>

/* Same clan: the one comparison every IPC pays, then two for a chief and its members. */
static inline int clan_same(const struct task *s, const struct task *d)
{
    return s->chief == d->chief || d->chief == s->num || s->chief == d->num;
}

/* The task an IPC from s to d reaches first; *type gets an L4_NEAREST_* value. NULL only
 * for an OUTER hop from a task whose chief is the kernel, which cannot happen. */
struct task *clan_first_hop(const struct task *s, const struct task *d, unsigned *type);

/* 1 if t lies inside chief k (k is one of t's ancestors). */
int clan_inside(const struct task *t, const struct task *k);

#endif
