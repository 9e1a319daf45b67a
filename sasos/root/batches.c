/*
 * batches.c — frames for musl tasks in batches (ROOT_FRAMES_BATCH, anon.c). A batch of 2^k
 * frames is a group of slots of root's frame window (batchtab.h), handed on whole with one
 * map item. It comes from the pool if a group of that size waits there, zeroed here, else
 * from sigma0, zeroed by it, in as few runs as its free memory allows (one, normally).
 * Frames come back by handle (ROOT_FRAMES_FREE). A group its task has freed all of goes to
 * the pool if it is whole and the pool has room, else back to sigma0, a run per call;
 * frames freed from groups not yet whole go back when sigma0 runs short, and the pool
 * whenever a task ends. sigma0's revocation unmaps what it takes back from root's slots
 * and wherever a task still has it; a pool group is unmapped from the task that freed it
 * before another task gets it. So no frame reaches a task while another can touch it.
 */
#include "root.h"
#include "batchtab.h"
#include <sas/layout.h>
#include <sas/proto/sigma0_client.h>

_Static_assert(BATCH_HANDLE0 == ROOT_MAX_FRAMES, "batch handles follow single frames'");

static struct batchtab tab;
static l4_threadid_t s0;

void batches_init(l4_threadid_t sigma0)
{
    s0 = sigma0;
}

static uint64_t slot_addr(uint32_t handle)
{
    return SAS_ROOT_FRAMES_BASE + (uint64_t)handle * SAS_PAGE_SIZE;
}

/* Gives group g's loose frames back to sigma0, a run per call. Root does not unmap them
 * itself first: sigma0's revocation takes them from root's slots and from the task. */
static void give_back(unsigned g)
{
    unsigned i = 0, log2, n;
    uint64_t phys;
    while ((n = batchtab_next_run(&tab, g, &i, &phys, &log2))) {
        enum sas_error e = sigma0_free(s0, phys, log2);
        if (e) {        /* still mapped in its slots: the group is never used again */
            printf("root: sigma0 refused frames %lx (2^%u bytes) back: %s\n", phys, log2,
                   sas_strerror(e));
            tab.b[g].task = BATCH_LOST;
            return;
        }
        batchtab_returned(&tab, g, i, n);
        i += n;
    }
    batchtab_settle(&tab, g);
}

/* Fills frames [i, i + 2^log2) of group g from sigma0: one run if it has one free, else
 * two halves, down to single pages. 0, or -1 (what it got stays recorded, loose). */
static int fill(unsigned g, unsigned i, unsigned log2)
{
    unsigned bytes = L4_FPAGE_MIN_LOG2 + log2;
    l4_fpage_t window = l4_fpage(slot_addr(batchtab_handle(g, i)), bytes, L4_FPAGE_RWX);
    uint64_t phys;
    if (!sigma0_alloc(s0, bytes, window, &phys)) {
        for (unsigned k = 0; k < 1u << log2; k++)
            batchtab_set(&tab, g, i + k, phys + k * SAS_PAGE_SIZE);
        return 0;
    }
    if (!log2 || fill(g, i, log2 - 1))
        return -1;
    return fill(g, i + (1u << (log2 - 1)), log2 - 1);
}

/* A filled group of 2^log2 frames from sigma0, given to task, or -1 (nothing taken). */
static int from_sigma0(unsigned task, unsigned log2)
{
    int g = batchtab_claim(&tab, task, log2);
    if (g < 0)
        return -1;
    if (!fill((unsigned)g, 0, log2)) {
        batchtab_give(&tab, (unsigned)g);
        return g;
    }
    give_back((unsigned)g);       /* none is held yet: the group is free again */
    return -1;
}

/* A group of 2^log2 frames from the pool, zeroed, given to task, or -1. The task that
 * freed it unmapped it (munmap does); if it did not, only it could still reach it. */
static int from_pool(unsigned task, unsigned log2)
{
    unsigned last;
    int g = batchtab_pool_take(&tab, task, log2, &last);
    if (g < 0)
        return -1;
    uint64_t base = slot_addr(batchtab_handle((unsigned)g, 0));
    if (last != task)
        l4_fpage_unmap(l4_fpage(base, L4_FPAGE_MIN_LOG2 + log2, L4_FPAGE_RWX), 0, 0, 0);
    memset((void *)base, 0, SAS_PAGE_SIZE << log2);
    return g;
}

/* A group whose task freed all of it: to the pool, or back to sigma0. */
static void retire(unsigned g)
{
    if (!batchtab_pool_put(&tab, g))
        give_back(g);
}

static void drain_pool(void)
{
    int g;
    while ((g = batchtab_pool_pop(&tab)) >= 0)
        give_back((unsigned)g);
}

unsigned batches_reclaim(void)
{
    unsigned before = tab.frames;
    drain_pool();
    for (unsigned g = 0; g < BATCH_GROUPS; g++)
        if (tab.b[g].task && tab.b[g].task != BATCH_LOST)
            give_back(g);
    return before - tab.frames;
}

enum sas_error batches_get(unsigned task, unsigned log2, uint32_t *first, l4_fpage_t *item)
{
    int g = from_pool(task, log2);
    if (g < 0)
        g = from_sigma0(task, log2);
    if (g < 0 && batches_reclaim())
        g = from_sigma0(task, log2);
    if (g < 0)
        return SAS_ENOMEM;
    *first = batchtab_handle((unsigned)g, 0);
    *item = l4_fpage(slot_addr(*first), L4_FPAGE_MIN_LOG2 + log2, L4_FPAGE_RWX);
    return SAS_OK;
}

int batches_check_run(unsigned task, uint32_t first, uint32_t count)
{
    return batchtab_check_run(&tab, task, first, count);
}

void batches_free_run(unsigned task, uint32_t first, uint32_t count)
{
    while (count) {
        unsigned g, i, n = batchtab_span(first, count, &g, &i);
        if (batchtab_free(&tab, task, g, i, n))
            retire(g);
        first += n, count -= n;
    }
}

/* The task is gone (deleted: its mappings with it): its groups and the pool go back. */
unsigned batches_release_task(unsigned task)
{
    unsigned before = tab.frames;
    for (unsigned g = 0; g < BATCH_GROUPS; g++) {
        if (tab.b[g].task != task)
            continue;
        batchtab_drop(&tab, g);
        give_back(g);
    }
    drain_pool();
    return before - tab.frames;
}

unsigned batches_in_use(void) { return tab.frames; }
