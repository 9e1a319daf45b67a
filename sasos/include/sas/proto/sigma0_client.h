/*
 * sas/proto/sigma0_client.h — client stubs of sigma0's protocol (sas/proto/sigma0.h) for
 * native programs. Each takes sigma0's thread id (a task paged by sigma0 finds it as its
 * own pager: sigma0_find()). A stub that gets a page sets the calling thread's receive
 * window to `window` for the call and resets it to nil afterwards, so no later message
 * can map into the caller by surprise.
 *
 * Every stub returns enum sas_error: sigma0's reply label, or SAS_EIO if the IPC itself
 * failed (no sigma0, or the kernel refused the map into the window: the l4 error is then
 * in *ipc_err if given).
 */
#ifndef SAS_PROTO_SIGMA0_CLIENT_H
#define SAS_PROTO_SIGMA0_CLIENT_H

#include <l4/syscalls.h>
#include <sas/proto/sigma0.h>

/* The pager of this task's lthread 0, which for root and sigma0's other clients is sigma0. */
static inline l4_threadid_t sigma0_find(void)
{
    struct l4_exregs x = { .control = 0 };
    return l4_lthread_ex_regs(&x) ? L4_NILTHREAD : x.pager;
}

static inline enum sas_error sigma0_call_(l4_threadid_t s0, uint32_t label, unsigned u,
                                          l4_msg_t *m, l4_fpage_t window)
{
    struct l4_utcb *utcb = l4_utcb();
    utcb->rcv_window = window;
    uint64_t res = l4_call(s0, l4_msgtag(label, u, 0), m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    utcb->rcv_window = L4_FPAGE_NIL;
    if (l4_ipc_error(res))
        return SAS_EIO;
    return (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
}

/* Any free RAM of 2^log2 bytes, zeroed, mapped at `window`; *phys gets its address. */
static inline enum sas_error sigma0_alloc(l4_threadid_t s0, unsigned log2, l4_fpage_t window,
                                          uint64_t *phys)
{
    l4_msg_t m = { { log2 } };
    enum sas_error e = sigma0_call_(s0, SIGMA0_ALLOC, 1, &m, window);
    if (!e && phys)
        *phys = m.w[0];
    return e;
}

/* The physical range [phys, phys + 2^log2), mapped at `window`. */
static inline enum sas_error sigma0_alloc_phys(l4_threadid_t s0, uint64_t phys, unsigned log2,
                                               l4_fpage_t window)
{
    l4_msg_t m = { { phys, log2 } };
    return sigma0_call_(s0, SIGMA0_ALLOC_PHYS, 2, &m, window);
}

/* Gives [phys, phys + 2^log2) back; sigma0 unmaps it everywhere. */
static inline enum sas_error sigma0_free(l4_threadid_t s0, uint64_t phys, unsigned log2)
{
    l4_msg_t m = { { phys, log2 } };
    return sigma0_call_(s0, SIGMA0_FREE, 2, &m, L4_FPAGE_NIL);
}

struct sigma0_info {
    uint64_t free_pages, ram_pages, mine, ram_top;
};

static inline enum sas_error sigma0_info(l4_threadid_t s0, struct sigma0_info *out)
{
    l4_msg_t m = { { 0 } };
    enum sas_error e = sigma0_call_(s0, SIGMA0_INFO, 0, &m, L4_FPAGE_NIL);
    if (!e)
        *out = (struct sigma0_info){ m.w[0], m.w[1], m.w[2], m.w[3] };
    return e;
}

/* I/O ports [first, first + 2^log2), mapped at the same numbers (window: any non-nil). */
static inline enum sas_error sigma0_io(l4_threadid_t s0, unsigned first, unsigned log2)
{
    l4_msg_t m = { { first, log2 } };
    return sigma0_call_(s0, SIGMA0_IO, 2, &m, L4_FPAGE_WHOLE);
}

/* Ownership of interrupt line `line` (l4/irq.h). */
static inline enum sas_error sigma0_irq(l4_threadid_t s0, unsigned line)
{
    l4_msg_t m = { { line } };
    return sigma0_call_(s0, SIGMA0_IRQ, 1, &m, L4_FPAGE_WHOLE);
}

#endif
