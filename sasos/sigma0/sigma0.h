/*
 * sigma0.h — sigma0's internals: the page table of physical memory (pages.c), the
 * operations on it (ops.c, no IPC) and the window through which sigma0 touches and gives
 * pages (window.c, the only file that makes system calls besides the loop, sas/server.h).
 */
#ifndef SIGMA0_H
#define SIGMA0_H

#include <stdint.h>
#include <l4/kip.h>
#include <l4/fpage.h>
#include <sas/errors.h>
#include <sas/server.h>

#define S0_PAGE      0x1000ULL
#define S0_PAGE_LOG2 12u

/* Classes of physical pages, in the order of precedence the KIP's overlapping ranges have. */
enum s0_class {
    S0_HOLE = 0,       /* in no listed range: device memory */
    S0_RAM = 1,        /* FREE and nothing else: sigma0's to hand out */
    S0_RESERVED = 2,   /* firmware, ACPI: given on explicit request only */
    S0_BOOT = 3,       /* the boot archive: read-only, to root only */
    S0_KERNEL = 4,     /* the kernel's image and pool, the local APIC: never */
};

/* pages.c — one owner per page (a task number, 0 = none). */
int pages_init(const volatile struct l4_kip *kip, uint8_t *window);
enum s0_class pages_class(uint64_t pa);
enum sas_error pages_alloc_any(unsigned log2, unsigned owner, uint64_t *pa);
enum sas_error pages_claim(uint64_t pa, unsigned log2, unsigned owner);
enum sas_error pages_release(uint64_t pa, unsigned log2, unsigned owner);
void pages_unclaim(uint64_t pa, unsigned log2);
uint64_t pages_owned_by(unsigned owner);
void pages_stats(uint64_t *free_pages, uint64_t *ram_pages, uint64_t *ram_top);

/* window.c — sigma0's view of physical memory at L4_SIGMA0_PHYS_BASE. */
uint8_t *window_ptr(uint64_t pa);
void window_zero(uint64_t pa, unsigned log2);
l4_fpage_t window_fpage(uint64_t pa, unsigned log2, unsigned rights);
void window_revoke(uint64_t pa, unsigned log2);

/* devices.c — ports and interrupt lines, one owner each. */
enum sas_error devices_claim_ports(unsigned first, unsigned log2, unsigned owner);
enum sas_error devices_claim_line(unsigned line, unsigned owner);
void devices_unclaim(l4_fpage_t item);

/* ops.c — one handler per request (sas/server.h); decode, validate, act; no IPC. A reply
 * that gives something (pages, ports, a line) carries one map item, and the handler
 * records in its state, a struct s0_undo, what to take back should that reply not arrive
 * (main.c's reply_failed hook). */
struct s0_undo {
    l4_fpage_t item;        /* the reply's item: from the window, or an I/O or irq fpage */
    uint64_t pa;            /* pages: the range the item gives */
    unsigned log2;
};
server_fn s0_alloc, s0_alloc_phys, s0_free, s0_info, s0_fault, s0_io, s0_irq;

#endif
