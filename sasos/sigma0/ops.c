/*
 * ops.c — sigma0's operations, one sas/server.h handler per request of
 * sas/proto/sigma0.h. Each decodes and checks the request completely before it changes
 * anything, and fills in the reply: a status label, words, and at most one map item. No
 * IPC here.
 */
#include "sigma0.h"
#include <native/rt.h>
#include <l4/fault.h>
#include <l4/irq.h>
#include <sas/layout.h>
#include <sas/proto/sigma0.h>

/* A reply of u words (already in msg->m) and one map item with its hot spot after them;
 * *undo learns what to take back should the reply not arrive. */
static enum server_action reply_item(struct s0_undo *undo, struct server_msg *msg, unsigned u,
                                     l4_fpage_t item, uint64_t hot, uint64_t pa, unsigned log2)
{
    msg->m->w[u] = item;
    msg->m->w[u + 1] = hot;
    *undo = (struct s0_undo){ item, pa, log2 };
    return server_reply(msg, SAS_OK, u, 2);
}

/* A successful page reply: the physical address and the window's item for it. */
static enum server_action reply_page(struct s0_undo *undo, struct server_msg *msg,
                                     uint64_t pa, unsigned log2, unsigned rights)
{
    msg->m->w[0] = pa;
    return reply_item(undo, msg, 1, window_fpage(pa, log2, rights), 0, pa, log2);
}

enum server_action s0_alloc(void *state, struct server_msg *msg)
{
    const uint64_t *w = msg->m->w;
    uint64_t pa;
    if (l4_msgtag_u(msg->tag) < 1 || w[0] > 63)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    enum sas_error e = pages_alloc_any((unsigned)w[0], msg->task, &pa);
    if (e)
        return server_reply(msg, e, 0, 0);
    window_zero(pa, (unsigned)w[0]);         /* the last owner's data never leaks */
    return reply_page(state, msg, pa, (unsigned)w[0], L4_FPAGE_RWX);
}

enum server_action s0_alloc_phys(void *state, struct server_msg *msg)
{
    const uint64_t *w = msg->m->w;
    if (l4_msgtag_u(msg->tag) < 2 || w[1] > 63)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    uint64_t pa = w[0];
    unsigned log2 = (unsigned)w[1];
    enum sas_error e = pages_claim(pa, log2, msg->task);
    if (e)
        return server_reply(msg, e, 0, 0);
    /* The boot archive is input to root, never to be changed by it. */
    unsigned rights = pages_class(pa) == S0_BOOT ? L4_FPAGE_R : L4_FPAGE_RWX;
    return reply_page(state, msg, pa, log2, rights);
}

enum server_action s0_free(void *state, struct server_msg *msg)
{
    const uint64_t *w = msg->m->w;
    (void)state;
    if (l4_msgtag_u(msg->tag) < 2 || w[1] > 63)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    uint64_t pa = w[0];
    unsigned log2 = (unsigned)w[1];
    enum sas_error e = pages_release(pa, log2, msg->task);
    if (e)
        return server_reply(msg, e, 0, 0);
    window_revoke(pa, log2);
    return server_reply(msg, SAS_OK, 0, 0);
}

enum server_action s0_info(void *state, struct server_msg *msg)
{
    uint64_t *w = msg->m->w;
    (void)state;
    pages_stats(&w[0], &w[1], &w[3]);
    w[2] = pages_owned_by(msg->task);
    return server_reply(msg, SAS_OK, 4, 0);
}

/* A client's page fault: a fresh zeroed page of its own at the faulting address. Answered
 * only on success: any reply resumes the thread, which would just fault again. */
enum server_action s0_fault(void *state, struct server_msg *msg)
{
    const uint64_t *w = msg->m->w;
    uint64_t pa, va = w[0] & ~(S0_PAGE - 1);
    if (l4_msgtag_u(msg->tag) < 2 || va >= L4_USER_RESERVED_BASE) {
        printf("sigma0: task %u faulted at %lx (ip %lx): not a place for memory\n",
               msg->task, w[0], w[1]);
        return SERVER_DROP;
    }
    if (pages_alloc_any(S0_PAGE_LOG2, msg->task, &pa)) {
        printf("sigma0: task %u faulted at %lx: no free memory; it waits\n", msg->task, va);
        return SERVER_DROP;
    }
    window_zero(pa, S0_PAGE_LOG2);
    return reply_item(state, msg, 0, window_fpage(pa, S0_PAGE_LOG2, L4_FPAGE_RWX), va, pa,
                      S0_PAGE_LOG2);
}

/* Ports [MR0, MR0 + 2^MR1): an I/O flexpage, mapped at the same port numbers. */
enum server_action s0_io(void *state, struct server_msg *msg)
{
    const uint64_t *w = msg->m->w;
    if (l4_msgtag_u(msg->tag) < 2 || w[0] > 0xffff || w[1] > 16)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    enum sas_error e = devices_claim_ports((unsigned)w[0], (unsigned)w[1], msg->task);
    if (e)
        return server_reply(msg, e, 0, 0);
    return reply_item(state, msg, 0, l4_iofpage((unsigned)w[0], (unsigned)w[1]), 0, 0, 0);
}

/* Interrupt line MR0: its interrupt flexpage, which moves the line to the requester. */
enum server_action s0_irq(void *state, struct server_msg *msg)
{
    const uint64_t *w = msg->m->w;
    if (l4_msgtag_u(msg->tag) < 1 || w[0] >= L4_IRQ_LINES)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    enum sas_error e = devices_claim_line((unsigned)w[0], msg->task);
    if (e)
        return server_reply(msg, e, 0, 0);
    return reply_item(state, msg, 0, l4_irqfpage((unsigned)w[0]), 0, 0, 0);
}
