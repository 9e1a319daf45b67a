/*
 * l4/layout.h — the few user-half addresses the kernel itself must know.
 *
 * Everything else about the user half (system tasks, program load addresses, the object
 * region) is user-level policy and lives in sasos/include/sas/layout.h, which includes
 * this file. The user half is [0, L4_USER_END); the kernel owns everything above.
 */
#ifndef L4_LAYOUT_H
#define L4_LAYOUT_H

/* First address past the user half (47-bit canonical lower half). */
#define L4_USER_END            0x0000800000000000ULL

/* Kernel info page: mapped read-only by the kernel into every address space. */
#define L4_KIP_ADDR            0x00007ffffff00000ULL

/* Per-thread message areas (UTCBs): lthread n's page is at L4_UTCB_BASE + n * 4 KiB. */
#define L4_UTCB_BASE           0x00007fffff000000ULL
#define L4_UTCB_SIZE           0x1000ULL

/* sigma0 sees physical address p at L4_SIGMA0_PHYS_BASE + p (up to L4_SIGMA0_PHYS_SIZE). */
#define L4_SIGMA0_PHYS_BASE    0x0000700000000000ULL
#define L4_SIGMA0_PHYS_SIZE    0x0000010000000000ULL

/* Addresses at or above this are reserved for the kernel-known areas above. */
#define L4_USER_RESERVED_BASE  L4_SIGMA0_PHYS_BASE

#endif
