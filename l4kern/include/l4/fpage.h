/*
 * l4/fpage.h — flexpages and map/grant items.
 *
 * A flexpage is a naturally aligned power-of-two region of the user half, 4 KiB and up,
 * with access rights:  [63..12] base  [9..4] log2 size (12..47)  [2..0] rights (r w x).
 * Bit 3 is zero in a flexpage; in a map item's first word it marks a grant.
 *
 * Map and grant items are typed message words: a message with u untyped words and t typed
 * words carries t/2 items in MR[u .. u+t-1], two words each:
 *     MR[i]   = flexpage in the sender's space, | L4_ITEM_GRANT to grant
 *     MR[i+1] = send base (hot spot)
 * A map gives the receiver a mapping of each page of the flexpage that the sender has
 * mapped, with the rights of the item and of the sender's mapping, whichever are fewer;
 * the sender keeps its own. A grant moves the sender's mappings instead. Where the item
 * lands is set by the receiver's window (l4_utcb.rcv_window, a flexpage; nil accepts no
 * items): the smaller of the two regions is placed inside the larger, aligned to its own
 * size, at the offset the hot spot gives modulo the larger size. Items are applied in
 * order; a window that accepts none, or an item the sender cannot give (bad flexpage),
 * fails the send phase with L4_ERR_MAP_FAILED before any untyped word is delivered.
 * Pages at or above L4_USER_RESERVED_BASE (KIP, UTCBs, sigma0's window) never receive
 * mappings: the kernel manages them.
 */
#ifndef L4_FPAGE_H
#define L4_FPAGE_H
/*
 * Two more kinds of flexpage name things that are not memory (bit 10 or 11 set):
 *  - an I/O flexpage names 2^s I/O ports:  [27..12] first port  [9..4] s (0..16), bit 10;
 *    l4_iofpage(0, 16) is the whole I/O space.
 *    Ports are mapped at the same numbers in the receiver (I/O space is not relocated);
 *    the receiver consents with any non-nil receive window. A map gives the receiver the
 *    ports the sender holds; fpage_unmap of an I/O flexpage takes them from every other
 *    task (from one, with L4_UNMAP_ONE_TASK; from the caller too, with L4_UNMAP_SELF).
 *    There is no derivation tree for ports: whoever holds a port can revoke it from all.
 *  - an interrupt flexpage names one interrupt line: [19..12] line, bit 11 (l4/irq.h).
 *    Sending it (map or grant alike) hands the line's ownership to the receiver's task.
 * At boot sigma0 holds every port and line (the root task, when there is no sigma0).
 */

#include <l4/types.h>
#include <l4/layout.h>

typedef uint64_t l4_fpage_t;

#define L4_FPAGE_X        0x1ULL
#define L4_FPAGE_W        0x2ULL
#define L4_FPAGE_R        0x4ULL
#define L4_FPAGE_RWX      0x7ULL
#define L4_FPAGE_RW       (L4_FPAGE_R | L4_FPAGE_W)
#define L4_ITEM_GRANT     0x8ULL
#define L4_FPAGE_NIL      ((l4_fpage_t)0)
#define L4_FPAGE_MIN_LOG2 12u
#define L4_FPAGE_MAX_LOG2 47u
/* The whole user half as a receive window: what a page-fault reply is applied through. */
#define L4_FPAGE_WHOLE    ((l4_fpage_t)(47ULL << 4))
#define L4_FPAGE_IO       0x400ULL
#define L4_FPAGE_IRQ      0x800ULL
#define L4_IO_PORTS       65536u

static inline l4_fpage_t l4_iofpage(unsigned port, unsigned log2ports)
{
    return ((uint64_t)(port & 0xffff) << 12) | ((uint64_t)(log2ports & 0x3f) << 4) | L4_FPAGE_IO;
}
static inline int l4_fpage_is_io(l4_fpage_t f) { return (f & 0xc00ULL) == L4_FPAGE_IO; }
static inline int l4_fpage_is_irq(l4_fpage_t f) { return (f & 0xc00ULL) == L4_FPAGE_IRQ; }
static inline unsigned l4_iofpage_port(l4_fpage_t f) { return (unsigned)((f >> 12) & 0xffff); }
/* 1 if f is a well-formed I/O flexpage: s <= 16, the first port aligned to 2^s, bit 3 and
 * bits 63..28 clear; rights bits are ignored. s = 16 (all 65,536 ports) sets bit 8. */
static inline int l4_iofpage_valid(l4_fpage_t f)
{
    unsigned s = (unsigned)((f >> 4) & 0x3f), p = l4_iofpage_port(f);
    return l4_fpage_is_io(f) && s <= 16 && (f >> 28) == 0 && (f & L4_ITEM_GRANT) == 0 &&
           (p & ((1u << s) - 1)) == 0 && p + (1u << s) <= L4_IO_PORTS;
}

static inline l4_fpage_t l4_fpage(uint64_t base, unsigned log2size, unsigned rights)
{
    return (base & ~0xfffULL) | ((uint64_t)(log2size & 0x3f) << 4) | (rights & 7);
}
static inline uint64_t l4_fpage_base(l4_fpage_t f) { return f & ~0xfffULL; }
static inline unsigned l4_fpage_log2(l4_fpage_t f) { return (unsigned)((f >> 4) & 0x3f); }
static inline unsigned l4_fpage_rights(l4_fpage_t f) { return (unsigned)(f & 7); }
static inline uint64_t l4_fpage_size(l4_fpage_t f) { return 1ULL << l4_fpage_log2(f); }

/* 1 if f is a well-formed flexpage of the user half (aligned, 4 KiB .. 2^47). */
static inline int l4_fpage_valid(l4_fpage_t f)
{
    unsigned s = l4_fpage_log2(f);
    return s >= L4_FPAGE_MIN_LOG2 && s <= L4_FPAGE_MAX_LOG2 && (f & 0xc08ULL) == 0 &&
           (l4_fpage_base(f) & ((1ULL << s) - 1)) == 0 &&
           l4_fpage_base(f) <= L4_USER_END - (1ULL << s);   /* base + size would wrap */
}

/*
 * fpage_unmap (rax = L4_SYS_FPAGE_UNMAP):
 *   in   rdi  flexpage (in the caller's space); its rights bits are the rights to remove
 *        rsi  L4_UNMAP_* flags
 *        rdx  a task number to restrict to (with L4_UNMAP_ONE_TASK), else ignored
 *   out  rax  enum l4_error;  rdi  pages visited (may be fewer than the flexpage: call
 *        again from base + rdi * 4 KiB for the rest);  the caller's UTCB holds, in
 *        l4_utcb.mr[], two bits per visited page (bit 2i accessed, 2i+1 dirty).
 * Removes the given rights from every mapping derived (directly or indirectly, in any
 * task) from the caller's mappings in the flexpage; a mapping left with no rights is
 * removed, and so are all mappings derived from it. The caller's own mappings change only
 * with L4_UNMAP_SELF. At most L4_UNMAP_MAX_PAGES pages are visited per call.
 * Accessed and dirty bits: every call, whatever rights it removes (none: it only reports),
 * reports and clears (TLB flushed) the bits of every mapping it visits, i.e. the caller's
 * mapping of each visited page and every mapping derived from it (with ONE_TASK too). The
 * bits of a mapping removed since (its task deleted, or another mapping put over it by a
 * map item) are kept for the mapping it was derived from and are included, once, by the
 * next call that visits that one. A mapping granted on, or mapped again with other rights,
 * keeps its bits.
 * Errors: INVALID (malformed flexpage, unknown flags, no such task for ONE_TASK).
 */
#define L4_UNMAP_SELF      0x1ULL   /* also the caller's own mappings */
#define L4_UNMAP_ONE_TASK  0x2ULL   /* only mappings held by task rdx */
#define L4_UNMAP_FLAGS     0x3ULL
#define L4_UNMAP_MAX_PAGES 2048u    /* 4096 bits = 64 words of the UTCB */

static inline int l4_unmap_accessed(const uint64_t *bits, unsigned page)
{
    return (bits[page / 32] >> ((page % 32) * 2)) & 1;
}
static inline int l4_unmap_dirty(const uint64_t *bits, unsigned page)
{
    return (bits[page / 32] >> ((page % 32) * 2 + 1)) & 1;
}

_Static_assert(L4_UNMAP_MAX_PAGES * 2 / 64 <= 64, "A/D bits fit the UTCB's message words");

#endif
