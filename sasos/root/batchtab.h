/*
 * batchtab.h — root's table of frame batches (batchtab.c): which task holds each batch, the
 * physical page behind each of its frames, and which frames the task still holds. Pure
 * bookkeeping with no IPC and no global state, so the host tests run all of it
 * (tests/unit/test_batchtab.c); batches.c does the IPC with sigma0.
 *
 * A batch is a group of 2^k frames (k <= BATCH_MAX_LOG2) in consecutive, naturally aligned
 * slots of root's frame window, so that one map item hands a whole batch on. Group g has
 * the slots BATCH_HANDLE0 + g * BATCH_MAX + [0, 2^k), above those of single frames
 * (frames.c); a frame's handle, as the task knows it, is its slot. A frame is
 *   held       the task's: given in a batch and not freed;
 *   loose      freed by the task, still root's (pfn set): it goes back to sigma0 with the
 *              rest of its group, or alone when memory runs short;
 *   returned   back with sigma0 (pfn 0).
 * A group whose frames are all loose (none returned) may be kept whole in the pool, up to
 * BATCH_POOL_MAX frames, for the next batch of its size. A group whose frames are all
 * returned is free for the next batch.
 */
#ifndef ROOT_BATCHTAB_H
#define ROOT_BATCHTAB_H

#include <stdint.h>
#include <sas/layout.h>

#define BATCH_MAX_LOG2 SAS_FRAME_BATCH_LOG2
#define BATCH_MAX      (1u << BATCH_MAX_LOG2)   /* frames in the largest batch: 64 */
#define BATCH_GROUPS   2048u                    /* 512 MiB of batches: twice the RAM */
#define BATCH_HANDLE0  65536u                   /* past every single frame's slot */
#define BATCH_HANDLE_END (BATCH_HANDLE0 + BATCH_GROUPS * BATCH_MAX)
#define BATCH_LOST     0xffffu                  /* a group sigma0 would not take back */
#define BATCH_POOL     0xfffeu                  /* a whole group kept for the next batch */
#define BATCH_POOL_MAX 1024u                    /* frames kept so, at most: 4 MiB */
#define BATCH_POOL_GROUPS (BATCH_POOL_MAX >> 3) /* groups kept, at most (8 frames or more) */

_Static_assert(BATCH_MAX <= 64, "a group's held frames are one 64-bit mask");
_Static_assert((uint64_t)BATCH_HANDLE_END * SAS_PAGE_SIZE <= SAS_ROOT_FRAMES_SIZE,
               "every batch slot lies in root's frame window");

struct batch {
    uint32_t pfn[BATCH_MAX];   /* each frame's physical page number; 0: none (returned) */
    uint64_t held;             /* bit i: frame i is the task's */
    uint16_t task;             /* 0: free; BATCH_POOL; BATCH_LOST: never used again */
    uint16_t last;             /* in the pool: the task that held it last */
    uint8_t log2;              /* the batch has 2^log2 frames */
};

struct batchtab {
    struct batch b[BATCH_GROUPS];
    unsigned frames;           /* frames with a pfn: what root holds in batches */
    uint16_t pool[BATCH_POOL_GROUPS];   /* the pool's groups */
    unsigned npool, pooled;    /* the pool's groups and frames */
};

/* The batch size k if f is the flexpage of the task's batch window (SAS_FRAME_BATCH_ADDR,
 * 2^k pages, 0 <= k <= BATCH_MAX_LOG2; rights bits ignored), else -1. */
int batch_window_log2(uint64_t f);

/* The handle of frame i of group g. */
static inline uint32_t batchtab_handle(unsigned g, unsigned i)
{
    return BATCH_HANDLE0 + g * BATCH_MAX + i;
}

/* A free group for a batch of 2^log2 frames of `task` (none held, none with a frame yet);
 * its number, or -1 if every group is taken. */
int batchtab_claim(struct batchtab *t, unsigned task, unsigned log2);
/* Records that frame i of group g is the physical page at phys. */
void batchtab_set(struct batchtab *t, unsigned g, unsigned i, uint64_t phys);
/* The batch is given: every frame of group g becomes the task's. */
void batchtab_give(struct batchtab *t, unsigned g);

/* 0 if every handle of [first, first + count) is a frame `task` holds, else -1 (also for
 * a count of 0 or a run that leaves the batch handles). */
int batchtab_check_run(const struct batchtab *t, unsigned task, uint32_t first, uint32_t count);
/* The part of the run from `first` that lies in one group: its group in *g, its first
 * frame there in *i; the frame count (at most count). */
unsigned batchtab_span(uint32_t first, uint32_t count, unsigned *g, unsigned *i);
/* Frees frames [i, i + n) of task's group g (they become loose); 1 if the group now
 * holds none of the task's frames, so it can go back whole, else 0. Frames that are not
 * held, or a group that is not the task's, change nothing. */
int batchtab_free(struct batchtab *t, unsigned task, unsigned g, unsigned i, unsigned n);
/* Every frame of task's group g becomes loose (the task has ended). */
void batchtab_drop(struct batchtab *t, unsigned g);

/* Puts group g, all of whose frames are loose (none returned), in the pool: 1, or 0 (and
 * nothing changes) if it is not whole or the pool has no room. */
int batchtab_pool_put(struct batchtab *t, unsigned g);
/* A pool group of 2^log2 frames, taken out of the pool and given to `task` (all its
 * frames held); its number, or -1 if the pool has none of that size. *last is the task
 * that held it before. */
int batchtab_pool_take(struct batchtab *t, unsigned task, unsigned log2, unsigned *last);
/* Takes a group out of the pool to go back to sigma0 (its frames are loose: next_run);
 * its number, or -1 if the pool is empty. */
int batchtab_pool_pop(struct batchtab *t);

/* The next run of loose frames of group g at or after frame *i: naturally aligned, its
 * pages consecutive and aligned to its size, as large as that allows, so sigma0 takes it
 * back in one call. Sets *i to its first frame, *phys and *log2 to the run; returns its
 * frame count, or 0 if no loose frame is left. */
unsigned batchtab_next_run(const struct batchtab *t, unsigned g, unsigned *i, uint64_t *phys,
                           unsigned *log2);
/* The run of n frames from frame i of group g is back with sigma0; the group is free
 * again once none of its frames is held or loose (batchtab_settle). */
void batchtab_returned(struct batchtab *t, unsigned g, unsigned i, unsigned n);
/* Frees group g for the next batch if none of its frames is held or loose (a batch that
 * could not be filled, or one given back whole). */
void batchtab_settle(struct batchtab *t, unsigned g);

#endif
