/*
 * sas/layout.h — the single address space's map: the only place user addresses are
 * written down. Every task agrees on what lives at each address; see docs/SAS.md.
 *
 *   [0, SAS_GUARD_END)                   never mapped: null and small-integer pointers fault
 *   [SAS_SYSTEM_BASE, SAS_SYSTEM_END)     boot and system tasks, at build-assigned addresses
 *   [SAS_OBJECT_BASE, SAS_OBJECT_END)     the object region, allocated by objmgr
 *   [L4_USER_RESERVED_BASE, L4_USER_END)  kernel-known areas (l4/layout.h)
 */
#ifndef SAS_LAYOUT_H
#define SAS_LAYOUT_H

#include <l4/layout.h>

#define SAS_PAGE_SIZE        0x1000ULL

#define SAS_GUARD_END        0x0000000000400000ULL

#define SAS_SYSTEM_BASE      SAS_GUARD_END
#define SAS_SYSTEM_END       0x0000001000000000ULL

/* Load addresses of the native boot programs (the build links each at its own). */
#define SAS_ROOT_ADDR        0x0000000001000000ULL
#define SAS_SIGMA0_ADDR      0x0000000000400000ULL
#define SAS_HELLO_ADDR       0x0000000003000000ULL   /* apps/hello: root's demo child */
#define SAS_CONSOLE_ADDR     0x0000000004000000ULL   /* sasos/console: the COM1 driver */

/* The root task's private windows: frames it holds for its children (one 4 KiB slot per
 * frame it got from sigma0) and the boot archive, mapped read-only from sigma0. */
#define SAS_ROOT_FRAMES_BASE 0x0000000400000000ULL
#define SAS_ROOT_FRAMES_SIZE 0x0000000040000000ULL
#define SAS_ROOT_BOOTAR_BASE 0x0000000800000000ULL
#define SAS_ROOT_BOOTAR_SIZE 0x0000000040000000ULL

#define SAS_OBJECT_BASE      0x0000100000000000ULL
#define SAS_OBJECT_END       0x0000600000000000ULL

_Static_assert(SAS_ROOT_BOOTAR_BASE + SAS_ROOT_BOOTAR_SIZE <= SAS_SYSTEM_END, "root's windows");
_Static_assert(SAS_SYSTEM_END <= SAS_OBJECT_BASE, "system region overlaps objects");
_Static_assert(SAS_OBJECT_END <= L4_USER_RESERVED_BASE, "objects overlap kernel areas");

#endif
