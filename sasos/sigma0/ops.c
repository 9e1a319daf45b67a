/*
 * ops.c — sigma0's operations, one function per request of sas/proto/sigma0.h. Each
 * decodes and checks the request completely before it changes anything, and fills in the
 * reply: a status label, words, and at most one map item from the window. No IPC here.
 */
#include "sigma0.h"
#include <native/rt.h>
#include <l4/fault.h>
#include <l4/irq.h>
#include <sas/layout.h>
#include <sas/proto/sigma0.h>

static void reply_error(struct s0_msg *rep, enum sas_error e)
{
    *rep = (struct s0_msg){ .label = e };
}

/* A successful page reply: the physical address and the window's item for it. */
static void reply_page(struct s0_msg *rep, uint64_t pa, unsigned log2, unsigned rights)
{
    *rep = (struct s0_msg){ .label = SAS_OK, .u = 1, .w = { pa },
                            .item = window_fpage(pa, log2, rights), .hot = 0,
                            .undo_pa = pa, .undo_log2 = log2 };
}

static void op_alloc(const struct s0_msg *req, struct s0_msg *rep)
{
    uint64_t pa;
    if (req->u < 1 || req->w[0] > 63)
        return reply_error(rep, SAS_EINVAL);
    enum sas_error e = pages_alloc_any((unsigned)req->w[0], req->task, &pa);
    if (e)
        return reply_error(rep, e);
    window_zero(pa, (unsigned)req->w[0]);    /* the last owner's data never leaks */
    reply_page(rep, pa, (unsigned)req->w[0], L4_FPAGE_RWX);
}

static void op_alloc_phys(const struct s0_msg *req, struct s0_msg *rep)
{
    if (req->u < 2 || req->w[1] > 63)
        return reply_error(rep, SAS_EINVAL);
    uint64_t pa = req->w[0];
    unsigned log2 = (unsigned)req->w[1];
    enum sas_error e = pages_claim(pa, log2, req->task);
    if (e)
        return reply_error(rep, e);
    /* The boot archive is input to root, never to be changed by it. */
    unsigned rights = pages_class(pa) == S0_BOOT ? L4_FPAGE_R : L4_FPAGE_RWX;
    reply_page(rep, pa, log2, rights);
}

static void op_free(const struct s0_msg *req, struct s0_msg *rep)
{
    if (req->u < 2 || req->w[1] > 63)
        return reply_error(rep, SAS_EINVAL);
    uint64_t pa = req->w[0];
    unsigned log2 = (unsigned)req->w[1];
    enum sas_error e = pages_release(pa, log2, req->task);
    if (e)
        return reply_error(rep, e);
    window_revoke(pa, log2);
    *rep = (struct s0_msg){ .label = SAS_OK };
}

static void op_info(const struct s0_msg *req, struct s0_msg *rep)
{
    *rep = (struct s0_msg){ .label = SAS_OK, .u = 4 };
    pages_stats(&rep->w[0], &rep->w[1], &rep->w[3]);
    rep->w[2] = pages_owned_by(req->task);
}

/* A client's page fault: a fresh zeroed page of its own at the faulting address. */
static void op_fault(const struct s0_msg *req, struct s0_msg *rep)
{
    uint64_t pa, va = req->w[0] & ~(S0_PAGE - 1);
    if (req->u < 2 || va >= L4_USER_RESERVED_BASE) {
        printf("sigma0: task %u faulted at %lx (ip %lx): not a place for memory\n",
               req->task, req->w[0], req->w[1]);
        return reply_error(rep, SAS_EINVAL);
    }
    if (pages_alloc_any(S0_PAGE_LOG2, req->task, &pa)) {
        printf("sigma0: task %u faulted at %lx: no free memory; it waits\n", req->task, va);
        return reply_error(rep, SAS_ENOMEM);
    }
    window_zero(pa, S0_PAGE_LOG2);
    reply_page(rep, pa, S0_PAGE_LOG2, L4_FPAGE_RWX);
    rep->u = 0;
    rep->hot = va;
}

/* Ports [MR0, MR0 + 2^MR1): an I/O flexpage, mapped at the same port numbers. */
static void op_io(const struct s0_msg *req, struct s0_msg *rep)
{
    if (req->u < 2 || req->w[0] > 0xffff || req->w[1] > 16)
        return reply_error(rep, SAS_EINVAL);
    enum sas_error e = devices_claim_ports((unsigned)req->w[0], (unsigned)req->w[1], req->task);
    if (e)
        return reply_error(rep, e);
    *rep = (struct s0_msg){ .label = SAS_OK,
                            .item = l4_iofpage((unsigned)req->w[0], (unsigned)req->w[1]) };
}

/* Interrupt line MR0: its interrupt flexpage, which moves the line to the requester. */
static void op_irq(const struct s0_msg *req, struct s0_msg *rep)
{
    if (req->u < 1 || req->w[0] >= L4_IRQ_LINES)
        return reply_error(rep, SAS_EINVAL);
    enum sas_error e = devices_claim_line((unsigned)req->w[0], req->task);
    if (e)
        return reply_error(rep, e);
    *rep = (struct s0_msg){ .label = SAS_OK, .item = l4_irqfpage((unsigned)req->w[0]) };
}

void s0_dispatch(const struct s0_msg *req, struct s0_msg *rep)
{
    static void (*const ops[])(const struct s0_msg *, struct s0_msg *) = {
        [SIGMA0_ALLOC - SIGMA0_ALLOC] = op_alloc,
        [SIGMA0_ALLOC_PHYS - SIGMA0_ALLOC] = op_alloc_phys,
        [SIGMA0_FREE - SIGMA0_ALLOC] = op_free,
        [SIGMA0_INFO - SIGMA0_ALLOC] = op_info,
        [SIGMA0_IO - SIGMA0_ALLOC] = op_io,
        [SIGMA0_IRQ - SIGMA0_ALLOC] = op_irq,
    };
    uint32_t i = req->label - SIGMA0_ALLOC;
    if ((req->label & ~(uint32_t)L4_FPAGE_RWX) == L4_LABEL_PAGEFAULT)
        return op_fault(req, rep);
    if (i < sizeof(ops) / sizeof(ops[0]))
        return ops[i](req, rep);
    reply_error(rep, SAS_ENOTSUP);
}
