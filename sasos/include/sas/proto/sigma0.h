/*
 * sas/proto/sigma0.h — the protocol of sigma0, the owner of physical memory.
 *
 * sigma0 (task L4_TASK_SIGMA0) owns every page the kernel info page lists as FREE and not
 * also as KERNEL, BOOT or RESERVED (those take precedence). It hands pages out by IPC, each
 * to one owner at a time (a task number), and takes them back. A page reply carries one
 * map item from sigma0's window (physical p is sigma0's L4_SIGMA0_PHYS_BASE + p) with hot
 * spot 0: the requester chooses where the page lands with its receive window
 * (l4_utcb.rcv_window) — a window as large as the request puts it at the window's base.
 *
 * Requests (message label; words MR0.. ; u = number of words):
 *   SIGMA0_ALLOC      MR0 = log2 size (12 .. SIGMA0_MAX_LOG2): any free RAM, naturally
 *                     aligned, zeroed, mapped RWX.
 *   SIGMA0_ALLOC_PHYS MR0 = physical address, MR1 = log2 size (12 .. SIGMA0_MAX_PHYS_LOG2):
 *                     exactly that range, aligned to its size. Free RAM (not zeroed: a
 *                     driver may want what firmware left), RESERVED memory and addresses
 *                     outside every listed range (device memory) are mapped RWX; BOOT
 *                     memory (the boot archive) only to the root task, read-only. Never a
 *                     KERNEL range or the local APIC page.
 *   SIGMA0_FREE       MR0 = physical address, MR1 = log2 size: give back a range the caller
 *                     owns entirely; sigma0 unmaps it from every task it reached.
 *   SIGMA0_INFO       no words: statistics (below).
 *   SIGMA0_IO         MR0 = first port, MR1 = log2 count (0..16): those I/O ports, as an
 *                     I/O flexpage (l4/fpage.h); each port to one owner, for good.
 *   SIGMA0_IRQ        MR0 = interrupt line (l4/irq.h; not 2): the line's ownership, as an
 *                     interrupt flexpage; one owner, for good.
 *   page fault        (kernel-generated, label L4_LABEL_PAGEFAULT | access): sigma0 maps a
 *                     fresh zeroed 4 KiB RAM page, owned by the faulting task, at the fault
 *                     address. With no free memory it logs and does not reply.
 *
 * Reply: label = enum sas_error (SAS_OK = 0). On success:
 *   ALLOC, ALLOC_PHYS  u = 1, MR0 = the physical address; t = 2, MR1..MR2 the map item.
 *   FREE               u = 0.
 *   INFO               u = 4: MR0 free RAM pages, MR1 RAM pages sigma0 manages in all,
 *                      MR2 pages (RAM and device) owned by the caller, MR3 the top of RAM.
 * Errors (u = 0):
 *   SAS_EINVAL        malformed request: unknown size, misaligned or out-of-range address
 *   SAS_ENOMEM        ALLOC: no free aligned run of that size
 *   SAS_ENOTSUP       unknown label
 *   SAS_EPAGE_OWNED   ALLOC_PHYS: some page of the range already has an owner
 *   SAS_EPAGE_KERNEL  ALLOC_PHYS: the range touches a KERNEL range or the local APIC page
 *   SAS_EPAGE_DENIED  ALLOC_PHYS of BOOT memory by a task other than root; FREE of a page
 *                     the caller does not own
 *   SAS_EPAGE_NOWINDOW the caller's receive window took no item (the range is not given)
 */
#ifndef SAS_PROTO_SIGMA0_H
#define SAS_PROTO_SIGMA0_H

#include <sas/errors.h>

#define SIGMA0_ALLOC          0x53300001u
#define SIGMA0_ALLOC_PHYS     0x53300002u
#define SIGMA0_FREE           0x53300003u
#define SIGMA0_INFO           0x53300004u
#define SIGMA0_IO             0x53300005u
#define SIGMA0_IRQ            0x53300006u

#define SIGMA0_MAX_LOG2       22u   /* 4 MiB: the largest zeroed run ALLOC hands out */
#define SIGMA0_MAX_PHYS_LOG2  30u   /* 1 GiB: the largest range ALLOC_PHYS hands out */
#define SIGMA0_LAPIC_PAGE     0xfee00000ULL   /* the kernel drives the local APIC */

/* Client stubs (native programs): sas/proto/sigma0_client.h. */

#endif
