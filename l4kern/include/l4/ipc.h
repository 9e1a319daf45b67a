/*
 * l4/ipc.h — IPC: message tags, phases, timeouts and the result word.
 *
 * One ipc call has an optional send phase and an optional receive phase, chosen by the
 * control word (flags in the high half of the timeout register). Register ABI
 * (x86-64, `syscall` with rax = L4_SYS_IPC):
 *
 *   in   rdi  partner: destination of the send; source of a closed receive
 *        rsi  message tag of the send (l4_msgtag_t)
 *        r10  [15..0] send timeout, [31..16] receive timeout, [63..32] L4_IPC_* flags
 *        rdx rbx r8 r9 r12 r13 r14 r15   message words MR0..MR7
 *   out  rax  result word (below)
 *        rdi  the thread the received message came from (else unchanged)
 *        rdx rbx r8 r9 r12 r13 r14 r15   received MR0..MR7 (unchanged if nothing received)
 *        rcx r11 clobbered (by `syscall`); all other registers preserved
 *
 * A call is SEND|RECV (closed on the partner): the caller is receiving from the partner
 * before the partner can run, so the partner may reply with a zero send timeout.
 * A reply-and-wait is SEND|RECV|OPEN.
 */
#ifndef L4_IPC_H
#define L4_IPC_H

#include <l4/types.h>
#include <l4/clan.h>

/* Control flags, r10[63..32]. */
#define L4_IPC_SEND     0x1u   /* do a send phase to rdi */
#define L4_IPC_RECV     0x2u   /* do a receive phase after the send */
#define L4_IPC_OPEN     0x4u   /* receive from any sender (else only from rdi) */
/* L4_IPC_DECEIT 0x8: a chief's deceiving send (l4/clan.h). */
#define L4_IPC_FLAGS_VALID (L4_IPC_SEND | L4_IPC_RECV | L4_IPC_OPEN | L4_IPC_DECEIT)

/* Message words carried in registers. */
#define L4_MSG_REG_WORDS 8u

/*
 * Message tag: [6..0] u = untyped words, [12..7] t = typed words (map and grant items, two
 * words each, so t is even; l4/fpage.h), [15..13] flags, [47..16] label (passed through;
 * servers dispatch on it), [63..48] zero. A send needs u + t <= L4_MSG_MAX_WORDS
 * (l4/utcb.h).
 */
typedef uint64_t l4_msgtag_t;
#define L4_TAG_U_MASK   0x7fULL
#define L4_TAG_T_SHIFT  7
#define L4_TAG_T_MASK   0x3fULL
#define L4_TAG_LABEL_SHIFT 16
#define L4_TAG_LABEL_MASK  0xffffffffULL
#define L4_TAG_RESERVED 0xffff00000000e000ULL  /* must be zero when sending */

static inline l4_msgtag_t l4_msgtag(uint32_t label, unsigned u, unsigned t)
{
    return ((l4_msgtag_t)label << L4_TAG_LABEL_SHIFT) |
           ((l4_msgtag_t)(t & L4_TAG_T_MASK) << L4_TAG_T_SHIFT) | (u & L4_TAG_U_MASK);
}
static inline unsigned l4_msgtag_u(l4_msgtag_t t) { return (unsigned)(t & L4_TAG_U_MASK); }
static inline unsigned l4_msgtag_t_words(l4_msgtag_t t)
{
    return (unsigned)((t >> L4_TAG_T_SHIFT) & L4_TAG_T_MASK);
}
static inline uint32_t l4_msgtag_label(l4_msgtag_t t)
{
    return (uint32_t)(t >> L4_TAG_LABEL_SHIFT);
}

/*
 * Result word (rax out): the received message's tag in bits [47..0] (u, t, label),
 * [55..48] an enum l4_error (0 = success), bit 56 set if the error arose in the receive
 * phase (clear: in the send phase), bits 57..59 how the message came (L4_RES_REDIRECTED,
 * L4_RES_DECEITED, L4_RES_SRC_INSIDE: l4/clan.h), bits 63..60 zero.
 */
#define L4_RES_ERR_SHIFT 48
#define L4_RES_RECV_PHASE (1ULL << 56)
static inline unsigned l4_ipc_error(uint64_t res) { return (unsigned)((res >> 48) & 0xff); }
static inline int l4_ipc_failed_in_receive(uint64_t res) { return (res & L4_RES_RECV_PHASE) != 0; }
#define L4_RES_TAG_MASK 0xffffffffffffULL   /* the received tag's bits: u, t, flags, label */
static inline l4_msgtag_t l4_ipc_tag(uint64_t res) { return res & L4_RES_TAG_MASK; }

/*
 * Timeouts: 16 bits each. 0 = zero (never block), 0xffff = never expire (infinite);
 * otherwise a relative time of  m << e  microseconds with m = bits [9..0] and e = bits
 * [15..10] (e <= 40). Below 1024 µs this is exact to the microsecond; above, it keeps
 * ten significant bits. A waiting thread wakes within one timer tick of its deadline.
 */
typedef uint16_t l4_timeout_t;
#define L4_TIMEOUT_ZERO   ((l4_timeout_t)0)
#define L4_TIMEOUT_NEVER  ((l4_timeout_t)0xffff)
#define L4_TIMEOUT_EXP_MAX 40u

/* Microseconds a finite timeout stands for (0 for ZERO, UINT64_MAX for NEVER). */
static inline uint64_t l4_timeout_to_us(l4_timeout_t t)
{
    if (t == L4_TIMEOUT_NEVER)
        return UINT64_MAX;
    unsigned e = t >> 10;
    if (e > L4_TIMEOUT_EXP_MAX)
        e = L4_TIMEOUT_EXP_MAX;
    return (uint64_t)(t & 0x3ff) << e;
}
/* The shortest timeout of at least `us` microseconds (NEVER if none is long enough). */
static inline l4_timeout_t l4_timeout_from_us(uint64_t us)
{
    unsigned e = 0;
    while ((us >> e) > 0x3ff) {
        e++;
        if (e > L4_TIMEOUT_EXP_MAX)
            return L4_TIMEOUT_NEVER;
    }
    uint64_t m = us >> e;
    if ((m << e) < us)
        m++;
    if (m > 0x3ff) {
        m >>= 1;
        e++;
        if (e > L4_TIMEOUT_EXP_MAX)
            return L4_TIMEOUT_NEVER;
    }
    return (l4_timeout_t)((e << 10) | m);
}
static inline uint64_t l4_ipc_control(unsigned flags, l4_timeout_t snd, l4_timeout_t rcv)
{
    return ((uint64_t)flags << 32) | ((uint64_t)rcv << 16) | snd;
}
/* The control word's parts, as the kernel reads them. */
static inline unsigned l4_ipc_control_flags(uint64_t c) { return (unsigned)(c >> 32); }
static inline l4_timeout_t l4_ipc_control_snd(uint64_t c) { return (l4_timeout_t)(c & 0xffff); }
static inline l4_timeout_t l4_ipc_control_rcv(uint64_t c) { return (l4_timeout_t)(c >> 16); }

/* The eight register words of a message, in ABI order MR0..MR7. */
typedef struct l4_msg {
    l4_word_t w[L4_MSG_REG_WORDS];
} l4_msg_t;

_Static_assert(sizeof(l4_msg_t) == 64, "register message is eight words");
_Static_assert(sizeof(l4_timeout_t) == 2, "timeouts are 16 bits");

#endif
