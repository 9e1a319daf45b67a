/*
 * slottab.h — which program slot (sas/layout.h) each musl instance root starts sits in
 * (slottab.c). Pure bookkeeping with no IPC and no global state, so the host tests run all
 * of it (tests/unit/test_slottab.c); tasks.c keeps root's table.
 *
 * One address, one thing: a program's first instance in a boot sits at its home slot, the
 * one the build assigned (its "Ell4" note), so an address in its image names the same code
 * and constants after every reboot. Every further instance in that boot — running beside
 * the first or started after it ended — gets an extra slot: one no image of the boot
 * archive has, handed out from the top of the slot range downwards and never handed out
 * again in that boot, so an address there names one instance for the whole boot. Extra
 * slots stop at the floor, one past the highest home slot of the archive.
 */
#ifndef ROOT_SLOTTAB_H
#define ROOT_SLOTTAB_H

#include <stdint.h>
#include <sas/layout.h>

struct slottab {
    uint64_t started[SAS_PROGRAM_SLOTS / 64];   /* home slots whose first instance started */
    unsigned floor;                             /* no extra slot below this one */
    unsigned extras;                            /* extra slots handed out so far */
};

/* An empty table for a boot; then slottab_home for each program image of the archive. */
void slottab_init(struct slottab *t);
/* `slot` is a program image's home slot: extra slots stay above it. 0, or -1 if it is not
 * a slot (>= SAS_PROGRAM_SLOTS). */
int slottab_home(struct slottab *t, unsigned slot);
/* The slot for the next instance of the program whose home slot is `home`: `home` for its
 * first instance in this boot, else a new extra slot; -1 if `home` is not a slot or no
 * extra slot is left. */
int slottab_take(struct slottab *t, unsigned home);
/* Undoes the latest slottab_take (it returned `slot`), when the instance never ran: a
 * first instance's home slot stays the program's next, an extra slot is handed out next. */
void slottab_untake(struct slottab *t, unsigned home, unsigned slot);
/* The extra slots left. */
unsigned slottab_extras_left(const struct slottab *t);

#endif
