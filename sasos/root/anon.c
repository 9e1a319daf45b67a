/*
 * anon.c — a musl task's anonymous memory, root's side of ROOT_ANON_MAP, ROOT_FRAMES_BATCH
 * and ROOT_FRAMES_FREE (sas/proto/root.h). Each handler checks the whole request before
 * anything changes, then acts and fills in the reply. Single frames are frames.c's, batches
 * batches.c's; a frame's handle is its slot in root's frame window either way, so one free
 * request may name both.
 */
#include "root.h"
#include "batchtab.h"
#include <sas/layout.h>
#include <sas/proto/root.h>

/* 1 if va is a page of the program's slot outside its image: anonymous memory's place. */
static int anon_place(const struct prog_info *pi, uint64_t va)
{
    return !(va & (SAS_PAGE_SIZE - 1)) && va >= pi->end && va < pi->base + SAS_PROGRAM_SLOT;
}

/* ROOT_ANON_MAP: a zeroed frame of root's, mapped to the task at va. */
static void anon_map(unsigned task, const struct prog_info *pi, l4_msg_t *m, l4_msgtag_t *tag)
{
    uint64_t va = m->w[0];
    unsigned rights = (unsigned)m->w[1] & L4_FPAGE_RWX;
    int slot;
    *tag = l4_msgtag(SAS_EINVAL, 0, 0);
    /* No frames_find() against a second frame for va: that would scan every frame per
     * call. A task asking twice only holds two frames until it ends. */
    if (!anon_place(pi, va) || !rights)
        return;
    if ((slot = frames_get(task, va)) < 0) {
        *tag = l4_msgtag(SAS_ENOMEM, 0, 0);
        return;
    }
    frames_set_rights(slot, rights);
    frames_set_anon(slot);
    *m = (l4_msg_t){ { (uint64_t)slot, l4_fpage((uint64_t)frames_ptr(slot), 12, rights), va } };
    *tag = l4_msgtag(SAS_OK, 1, 2);
}

/* ROOT_FRAMES_BATCH: 2^k zeroed frames over the task's batch window, and nowhere else. */
static void frames_batch(unsigned task, l4_msg_t *m, l4_msgtag_t *tag)
{
    int log2 = batch_window_log2(m->w[0]);
    uint32_t first;
    l4_fpage_t item;
    if (log2 < 0) {
        printf("root: task %u: ROOT_FRAMES_BATCH refused: %lx is not the batch window "
               "(%lx, 4 KiB to %u KiB)\n", task, m->w[0], (uint64_t)SAS_FRAME_BATCH_ADDR, 4 * BATCH_MAX);
        *tag = l4_msgtag(SAS_EINVAL, 0, 0);
        return;
    }
    enum sas_error e = batches_get(task, (unsigned)log2, &first, &item);
    if (e) {
        *tag = l4_msgtag(e, 0, 0);
        return;
    }
    *m = (l4_msg_t){ { first, item, SAS_FRAME_BATCH_ADDR } };
    *tag = l4_msgtag(SAS_OK, 1, 2);
}

/* 0 if every handle of the run (root_frames_run) is an anonymous frame task holds. */
static int run_held(unsigned task, uint64_t run)
{
    uint32_t first = (uint32_t)run, count = (uint32_t)(run >> 32);
    if (first >= BATCH_HANDLE0)
        return batches_check_run(task, first, count);
    if (!count || count > ROOT_MAX_FRAMES - first)
        return -1;
    for (uint32_t h = first; h - first < count; h++)
        if (!frames_anon_held(h, task))
            return -1;
    return 0;
}

/* ROOT_FRAMES_FREE: every run checked, then every frame freed. */
static void frames_free(unsigned task, unsigned u, const l4_msg_t *m, l4_msgtag_t *tag)
{
    *tag = l4_msgtag(SAS_EINVAL, 0, 0);
    if (u < 1 || u > ROOT_FRAMES_FREE_MAX)
        return;
    for (unsigned i = 0; i < u; i++)
        if (run_held(task, m->w[i]))
            return;
    /* A handle named twice was freed the first time: freeing skips it. */
    for (unsigned i = 0; i < u; i++) {
        uint32_t first = (uint32_t)m->w[i], count = (uint32_t)(m->w[i] >> 32);
        if (first >= BATCH_HANDLE0)
            batches_free_run(task, first, count);
        else
            for (uint32_t h = first; h - first < count; h++)
                frames_release_anon(h, task);
    }
    *tag = l4_msgtag(SAS_OK, 0, 0);
}

int anon_handle(unsigned task, const struct prog_info *pi, l4_msgtag_t tag_in, l4_msg_t *m,
                l4_msgtag_t *tag)
{
    uint32_t label = l4_msgtag_label(tag_in);
    unsigned u = l4_msgtag_u(tag_in);
    if (label == ROOT_ANON_MAP && u >= 2)
        anon_map(task, pi, m, tag);
    else if (label == ROOT_FRAMES_BATCH && u >= 1)
        frames_batch(task, m, tag);
    else if (label == ROOT_FRAMES_FREE)
        frames_free(task, u, m, tag);
    else if (label == ROOT_ANON_MAP || label == ROOT_FRAMES_BATCH)
        *tag = l4_msgtag(SAS_EINVAL, 0, 0);
    else
        return 0;
    return 1;
}
