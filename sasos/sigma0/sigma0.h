/*
 * sigma0.h — sigma0's internals: the page table of physical memory (pages.c), the
 * operations on it (ops.c, no IPC) and the window through which sigma0 touches and gives
 * pages (window.c, the only file that makes system calls besides main.c's loop).
 */
#ifndef SIGMA0_H
#define SIGMA0_H

#include <stdint.h>
#include <l4/kip.h>
#include <l4/fpage.h>
#include <sas/errors.h>

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

/* ops.c — one function per request; decode, validate, act; no IPC. */
struct s0_msg {
    unsigned task;          /* the sender's task (request) */
    uint32_t label;         /* request label / reply status */
    unsigned u;             /* untyped words */
    uint64_t w[8];
    l4_fpage_t item;        /* reply: a map item from the window, or nil */
    uint64_t hot;           /* reply: its hot spot */
    uint64_t undo_pa;       /* reply: what to give back if the item cannot be delivered */
    unsigned undo_log2;
};
void s0_dispatch(const struct s0_msg *req, struct s0_msg *rep);

#endif
