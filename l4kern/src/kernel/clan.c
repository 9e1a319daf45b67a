/*
 * clan.c — the chief tree seen from one task (l4/clan.h). Every live task's chief is
 * live (deleting a chief deletes its clan first), so walking up by chief never meets a
 * hole, and depth bounds every walk by L4_MAX_NESTING.
 */
#include <k/clan.h>
#include <l4/syscalls.h>

static struct task *chief_of(const struct task *t)
{
    return t->chief ? tasks[t->chief] : NULL;
}

/* t's ancestor (or t itself) at `depth`; NULL if t is not that deep. */
static struct task *ancestor_at(const struct task *t, unsigned depth)
{
    if (t->depth < depth)
        return NULL;
    while (t && t->depth > depth)
        t = chief_of(t);
    return (struct task *)t;
}

int clan_inside(const struct task *t, const struct task *k)
{
    const struct task *a = ancestor_at(t, k->depth + 1);
    return a && a->chief == k->num;
}

struct task *clan_first_hop(const struct task *s, const struct task *d, unsigned *type)
{
    *type = L4_NEAREST_SAME_CLAN;
    if (clan_same(s, d))
        return (struct task *)d;
    *type = L4_NEAREST_INNER_CLAN;
    struct task *member = ancestor_at(d, s->depth + 1);
    if (member && member->chief == s->num)
        return member;                          /* d is inside one of s's members */
    struct task *sibling = member ? chief_of(member) : NULL;
    if (sibling && sibling->chief == s->chief)
        return sibling;                         /* d is inside a member of s's clan */
    *type = L4_NEAREST_OUTER_CLAN;
    return chief_of(s);
}
