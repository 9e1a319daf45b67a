/*
 * frames.c — the frames root holds for its children. Each comes from sigma0 (zeroed) into
 * a slot of root's frame window, SAS_ROOT_FRAMES_BASE + slot * 4 KiB, and is recorded with
 * the task and address it backs there. Root maps a frame onward from its slot; when the
 * task is deleted its frames go back to sigma0, which unmaps them everywhere.
 */
#include "root.h"
#include <sas/layout.h>
#include <sas/proto/sigma0_client.h>

_Static_assert(ROOT_MAX_FRAMES * SAS_PAGE_SIZE <= SAS_ROOT_FRAMES_SIZE, "frame window");

struct frame {
    uint64_t phys;         /* 0: slot free (sigma0 never hands out page 0) */
    uint64_t va;           /* where the task has it */
    uint16_t task;
    uint8_t rights;        /* what the task was given */
    uint8_t anon;          /* anonymous memory (ROOT_ANON_MAP): the task may free it */
};

static struct frame frames[ROOT_MAX_FRAMES];
static l4_threadid_t s0;
static unsigned hint, used, top;   /* top: past the highest slot ever used */

void frames_init(l4_threadid_t sigma0)
{
    s0 = sigma0;
}

uint8_t *frames_ptr(int slot)
{
    return (uint8_t *)(SAS_ROOT_FRAMES_BASE + (uint64_t)slot * SAS_PAGE_SIZE);
}

static int free_slot(void)
{
    for (unsigned n = 0; n < ROOT_MAX_FRAMES; n++) {
        unsigned i = (hint + n) % ROOT_MAX_FRAMES;
        if (!frames[i].phys)
            return (int)i;
    }
    return -1;
}

int frames_get(unsigned task, uint64_t va)
{
    int slot = free_slot();
    uint64_t phys;
    if (slot < 0)
        return -1;
    l4_fpage_t window = l4_fpage((uint64_t)frames_ptr(slot), 12, L4_FPAGE_RWX);
    enum sas_error e = sigma0_alloc(s0, 12, window, &phys);
    if (e == SAS_ENOMEM && batches_reclaim())     /* frames kept for batches come first */
        e = sigma0_alloc(s0, 12, window, &phys);
    if (e) {
        printf("root: sigma0 gave no frame: %s\n", sas_strerror(e));
        return -1;
    }
    frames[slot] = (struct frame){ phys, va, (uint16_t)task, 0, 0 };
    hint = (unsigned)slot + 1;
    top = hint > top ? hint : top;
    used++;
    return slot;
}

int frames_find(unsigned task, uint64_t va)
{
    for (unsigned i = 0; i < top; i++)
        if (frames[i].phys && frames[i].task == task && frames[i].va == va)
            return (int)i;
    return -1;
}

unsigned frames_rights(int slot) { return frames[slot].rights; }
void frames_set_rights(int slot, unsigned rights) { frames[slot].rights = (uint8_t)rights; }
void frames_set_anon(int slot) { frames[slot].anon = 1; }
unsigned frames_in_use(void) { return used; }

/* Gives slot's frame back to sigma0; 0, or -1 if sigma0 refused it (the slot is lost). */
static int release_slot(unsigned i)
{
    /* Root lets go of its own mapping first: the slot must be empty for its next frame,
     * whatever sigma0's revocation reaches. */
    l4_fpage_unmap(l4_fpage((uint64_t)frames_ptr((int)i), 12, L4_FPAGE_RWX), L4_UNMAP_SELF, 0, 0);
    enum sas_error e = sigma0_free(s0, frames[i].phys, 12);
    if (e) {        /* still mapped in its slot: the slot is lost, never reused */
        printf("root: sigma0 refused frame %lx back: %s\n", frames[i].phys, sas_strerror(e));
        frames[i].task = 0;
        return -1;
    }
    frames[i].phys = 0;
    used--;
    return 0;
}

int frames_anon_held(uint32_t slot, unsigned task)
{
    return slot < ROOT_MAX_FRAMES && frames[slot].phys && frames[slot].task == task &&
           frames[slot].anon;
}

int frames_release_anon(uint32_t slot, unsigned task)
{
    return frames_anon_held(slot, task) ? release_slot(slot) : -1;
}

/* Gives back every frame of `task`. sigma0's unmap reaches the task's mapping and root's. */
unsigned frames_release_task(unsigned task)
{
    unsigned n = 0;
    for (unsigned i = 0; i < top; i++)
        if (frames[i].phys && frames[i].task == task && !release_slot(i))
            n++;
    return n;
}
