/*
 * sigma0 — the first task and owner of physical memory (protocol: sas/proto/sigma0.h).
 *
 * main.c is the label table and sas/server.h's loop: ops.c answers each request and the
 * loop sends the reply with a zero timeout, so no client can block sigma0; its receive
 * window stays nil, sigma0 takes pages from nobody. A map item the client's window
 * refuses gives the range back and is answered with an error. Messages the kernel makes
 * (faults, exceptions) are answered only on success: an empty reply would just make the
 * thread fault again.
 */
#include "sigma0.h"
#include <native/rt.h>
#include <l4/errors.h>
#include <l4/fault.h>
#include <sas/proto/sigma0.h>

static struct s0_undo undo;

/* A reply did not arrive. One that carried an item gives the range back, and a client
 * whose window refused the item hears why; any other is the client's loss. */
static enum server_action reply_failed(void *state, struct server_msg *msg, unsigned err)
{
    const struct s0_undo *u = state;
    if (!l4_msgtag_t_words(msg->reply))
        return SERVER_DROP;
    if (l4_fpage_is_io(u->item) || l4_fpage_is_irq(u->item))
        devices_unclaim(u->item);
    else
        pages_unclaim(u->pa, u->log2);
    if (err != L4_ERR_MAP_FAILED)
        return SERVER_DROP;
    printf("sigma0: task %u refused item %lx (ipc error %u); taken back\n", msg->task,
           u->item, err);
    return server_reply(msg, SAS_EPAGE_NOWINDOW, 0, 0);
}

static const struct server_op ops[] = {
    { .label = L4_LABEL_PAGEFAULT, .any = L4_FPAGE_RWX, .fn = s0_fault },
    { .label = SIGMA0_ALLOC, .fn = s0_alloc },
    { .label = SIGMA0_ALLOC_PHYS, .fn = s0_alloc_phys },
    { .label = SIGMA0_FREE, .fn = s0_free },
    { .label = SIGMA0_INFO, .fn = s0_info },
    { .label = SIGMA0_IO, .fn = s0_io },
    { .label = SIGMA0_IRQ, .fn = s0_irq },
};

int main(void)
{
    if (pages_init(rt_kip, window_ptr(0))) {
        printf("sigma0: no room for the page table; stopping\n");
        return 1;
    }
    uint64_t free_pages, ram_pages, top;
    pages_stats(&free_pages, &ram_pages, &top);
    printf("sigma0: %lu KiB of RAM below %lx, %lu KiB free\n", ram_pages * 4, top,
           free_pages * 4);
    struct server srv = { .ops = ops, .nops = SERVER_NOPS(ops), .state = &undo,
                          .reply_failed = reply_failed };
    server_run(&srv);
    return 0;
}
