/*
 * sigma0 — the first task and owner of physical memory (protocol: sas/proto/sigma0.h).
 *
 * main.c is only the receive loop: it turns each message into a request, lets ops.c
 * answer it and sends the reply with a zero timeout, so no client can block sigma0. A map
 * item the client's window refuses gives the range back and is answered with an error.
 * Messages the kernel makes (faults, exceptions) are answered only on success: an empty
 * reply would just make the thread fault again.
 */
#include "sigma0.h"
#include <native/rt.h>
#include <l4/errors.h>
#include <l4/fault.h>

static int kernel_made(uint32_t label)
{
    return label >= L4_LABEL_STOPPED;
}

static void request_of(l4_threadid_t from, uint64_t res, const l4_msg_t *m, struct s0_msg *req)
{
    l4_msgtag_t tag = l4_ipc_tag(res);
    *req = (struct s0_msg){ .task = l4_tid_task(from), .label = l4_msgtag_label(tag),
                            .u = l4_msgtag_u(tag) };
    for (unsigned i = 0; i < L4_MSG_REG_WORDS; i++)
        req->w[i] = m->w[i];
}

/* Sends rep to `to`, then waits for the next message; returns the result word. */
static uint64_t reply_and_wait(l4_threadid_t *partner, const struct s0_msg *rep, l4_msg_t *m)
{
    unsigned t = rep->item ? 2 : 0;
    for (unsigned i = 0; i < L4_MSG_REG_WORDS; i++)
        m->w[i] = rep->w[i];
    if (t) {
        m->w[rep->u] = rep->item;
        m->w[rep->u + 1] = rep->hot;
    }
    return l4_reply_wait(partner, l4_msgtag(rep->label, rep->u, t), m, L4_TIMEOUT_NEVER);
}

/* The reply carrying an item failed to arrive: the range goes back, the client hears why. */
static void undo_claim(const struct s0_msg *rep)
{
    if (l4_fpage_is_io(rep->item) || l4_fpage_is_irq(rep->item))
        devices_unclaim(rep->item);
    else
        pages_unclaim(rep->undo_pa, rep->undo_log2);
}

static void undo_item(l4_threadid_t to, const struct s0_msg *rep, uint64_t err)
{
    printf("sigma0: task %u refused item %lx (ipc error %lu); taken back\n",
           l4_tid_task(to), rep->item, err);
    undo_claim(rep);
    l4_msg_t m = { { 0 } };
    l4_send(to, l4_msgtag(SAS_EPAGE_NOWINDOW, 0, 0), &m, L4_TIMEOUT_ZERO);
}

static void serve(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    uint64_t res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;) {
        if (l4_ipc_error(res) && l4_ipc_failed_in_receive(res)) {
            from = L4_NILTHREAD;
            res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
            continue;
        }
        struct s0_msg req, rep;
        request_of(from, res, &m, &req);
        s0_dispatch(&req, &rep);
        if (rep.label != SAS_OK && kernel_made(req.label)) {
            from = L4_NILTHREAD;
            res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
            continue;
        }
        l4_threadid_t to = from;
        res = reply_and_wait(&from, &rep, &m);
        if (l4_ipc_error(res) && !l4_ipc_failed_in_receive(res)) {
            /* The send failed, so nothing was received: a client that stopped waiting
             * loses its reply; one whose window refused the item loses the page. */
            if (rep.item && l4_ipc_error(res) == L4_ERR_MAP_FAILED)
                undo_item(to, &rep, l4_ipc_error(res));
            else if (rep.item)
                undo_claim(&rep);
            from = L4_NILTHREAD;
            res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
        }
    }
}

int main(void)
{
    l4_utcb()->rcv_window = L4_FPAGE_NIL;     /* sigma0 takes pages from nobody */
    if (pages_init(rt_kip, window_ptr(0))) {
        printf("sigma0: no room for the page table; stopping\n");
        return 1;
    }
    uint64_t free_pages, ram_pages, top;
    pages_stats(&free_pages, &ram_pages, &top);
    printf("sigma0: %lu KiB of RAM below %lx, %lu KiB free\n", ram_pages * 4, top,
           free_pages * 4);
    serve();
    return 0;
}
