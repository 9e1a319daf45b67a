/*
 * l4/utcb.h — the per-thread message area (user thread control block).
 *
 * Every thread has one pinned page at L4_UTCB_BASE + lthread * L4_UTCB_SIZE in its task,
 * mapped user read-write for as long as the thread exists. The kernel reaches it through
 * its own mapping of the frame, so it never faults on it. A new thread's GS base points
 * at its UTCB and word 0 holds that address, so `mov %gs:0` finds it (l4_utcb()).
 *
 * Messages: words MR0..MR7 travel in registers (l4/ipc.h); words 8..u-1 of a message of
 * u untyped words (u <= L4_MSG_MAX_WORDS) travel from the sender's mr[8..u-1] to the
 * receiver's mr[8..u-1]. A receiver limits what it accepts with rcv_max_words (0 means
 * L4_MSG_MAX_WORDS); a longer message is refused with L4_ERR_MSG_TOO_LONG in the
 * sender's send phase and the receiver keeps waiting, undisturbed.
 */
#ifndef L4_UTCB_H
#define L4_UTCB_H

#include <l4/layout.h>
#include <l4/types.h>

#define L4_MSG_MAX_WORDS 64u

struct l4_utcb {
    uint64_t self;                    /* this UTCB's user address */
    uint64_t rcv_max_words;           /* receive limit (0 = L4_MSG_MAX_WORDS) */
    uint64_t rcv_window;              /* flexpage accepting map/grant items (nil: none) */
    l4_threadid_t virtual_sender;     /* sender a deceiving send presents (l4/clan.h) */
    uint64_t reserved[4];
    l4_word_t mr[L4_MSG_MAX_WORDS];   /* message words; 0..7 are unused (registers) */
};

_Static_assert(__builtin_offsetof(struct l4_utcb, virtual_sender) == 24, "UTCB layout");
_Static_assert(__builtin_offsetof(struct l4_utcb, mr) == 64, "UTCB layout");
_Static_assert(sizeof(struct l4_utcb) <= L4_UTCB_SIZE, "UTCB fits its page");

static inline uint64_t l4_utcb_addr(unsigned lthread)
{
    return L4_UTCB_BASE + (uint64_t)lthread * L4_UTCB_SIZE;
}

#ifndef L4_KERNEL
static inline struct l4_utcb *l4_utcb(void)
{
    struct l4_utcb *u;
    __asm__("movq %%gs:0, %0" : "=r"(u));
    return u;
}
#endif

#endif
