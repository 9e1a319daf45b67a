/*
 * slottab.c — program slots for musl instances (slottab.h): home slots for first
 * instances, extra slots from the top down for the others, none handed out twice.
 */
#include "slottab.h"

#define BIT(slot) (1ULL << ((slot) % 64))

void slottab_init(struct slottab *t)
{
    *t = (struct slottab){ .floor = 0 };
}

int slottab_home(struct slottab *t, unsigned slot)
{
    if (slot >= SAS_PROGRAM_SLOTS)
        return -1;
    if (slot + 1 > t->floor)
        t->floor = slot + 1;
    return 0;
}

unsigned slottab_extras_left(const struct slottab *t)
{
    return SAS_PROGRAM_SLOTS - t->floor - t->extras;
}

int slottab_take(struct slottab *t, unsigned home)
{
    /* A home slot the archive scan missed raises the floor, unless an extra instance
     * already has it: then the program has no slot of its own left. */
    if (home >= SAS_PROGRAM_SLOTS - t->extras || slottab_home(t, home))
        return -1;
    if (!(t->started[home / 64] & BIT(home))) {
        t->started[home / 64] |= BIT(home);
        return (int)home;
    }
    if (t->floor + t->extras >= SAS_PROGRAM_SLOTS)
        return -1;
    return (int)(SAS_PROGRAM_SLOTS - 1 - t->extras++);
}

void slottab_untake(struct slottab *t, unsigned home, unsigned slot)
{
    if (slot == home && home < SAS_PROGRAM_SLOTS)
        t->started[home / 64] &= ~BIT(home);
    else if (t->extras && slot == SAS_PROGRAM_SLOTS - t->extras)
        t->extras--;
}
