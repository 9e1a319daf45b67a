/*
 * sas_where — where an instance of a program sits (docs/SAS.md, "Program slots and
 * pointers into images"). Prints
 *     sas_where: main at 0x..., slot N, NAME
 * where NAME is read through a pointer in its data (a relocation the PIE made for the
 * slot it sits in), checks that its stack and heap lie in that slot too, sleeps about a
 * second so that instances started together run at once, and exits 0 (1 with a
 * "sas_where: FAILED: ..." line if anything lies outside its slot).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sas/layout.h>

static const char name[] = "sas_where";
static const char *volatile name_ptr = name;   /* relocated at start: slot base + offset */

static unsigned slot_of(uintptr_t a)
{
    return a < SAS_PROGRAM_BASE || a >= SAS_PROGRAM_END
               ? ~0u : (unsigned)((a - SAS_PROGRAM_BASE) / SAS_PROGRAM_SLOT);
}

int main(void)
{
    int local = 0;
    void *heap = malloc(64);
    unsigned slot = slot_of((uintptr_t)main);
    printf("sas_where: main at %p, slot %u, %s\n", (void *)main, slot, name_ptr);
    if (slot_of((uintptr_t)&local) != slot || slot_of((uintptr_t)heap) != slot ||
        slot_of((uintptr_t)name_ptr) != slot) {
        printf("sas_where: FAILED: stack %p, heap %p or data %p outside slot %u\n",
               (void *)&local, heap, (const void *)name_ptr, slot);
        return 1;
    }
    struct timespec second = { 1, 0 };
    nanosleep(&second, 0);
    free(heap);
    return 0;
}
