/*
 * sas/layout.h — the single address space's map: the only place user addresses are
 * written down. Every task agrees on what lives at each address; see docs/SAS.md.
 *
 *   [0, SAS_GUARD_END)                   never mapped: null and small-integer pointers fault
 *   [SAS_SYSTEM_BASE, SAS_SYSTEM_END)     boot and system tasks, at build-assigned addresses
 *   [SAS_PROGRAM_BASE, SAS_PROGRAM_END)   musl programs: one slot each, assigned by the build
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
#define SAS_VIRTIO_BLK_ADDR  0x0000000005000000ULL   /* sasos/virtio_blk: the disk driver */
#define SAS_BLK_DMA_ADDR     0x0000000005800000ULL   /* its DMA memory and client buffers */
#define SAS_BLK_CACHE_ADDR   0x0000000006000000ULL   /* its block cache's frames (DMA too), */
#define SAS_BLK_CACHE_SIZE   0x0000000002000000ULL   /* at most; 4 MiB-aligned pieces */

/* The root task's private windows: frames it holds for its children (one 4 KiB slot per
 * frame it got from sigma0) and the boot archive, mapped read-only from sigma0. */
#define SAS_ROOT_FRAMES_BASE 0x0000000400000000ULL
#define SAS_ROOT_FRAMES_SIZE 0x0000000040000000ULL
#define SAS_ROOT_BOOTAR_BASE 0x0000000800000000ULL
#define SAS_ROOT_BOOTAR_SIZE 0x0000000040000000ULL
/* ... and DMA memory it got from sigma0 for services (SIGMA0_ALLOC), mapped on to them. */
#define SAS_ROOT_DMA_BASE    0x0000000c00000000ULL
#define SAS_ROOT_DMA_SIZE    0x0000000040000000ULL

/*
 * musl programs (cmake/musl.cmake, ellfour_program). Each program gets its own slot number
 * from the build (in the order the programs are declared), recorded in an ELF note of the
 * executable ("Ell4", type SAS_NOTE_SLOT); the loader places the static PIE at its slot's
 * base and the PIE relocates itself. A slot holds the program's image, its main stack and
 * its anonymous memory (mmap), so no two programs ever share an address:
 *   [slot, slot + SAS_PROG_IMAGE_MAX)                  the image (ELF segments)
 *   [SAS_PROG_STACK_TOP - SAS_PROG_STACK_SIZE, TOP)    the main thread's stack
 *   [SAS_PROG_ANON_BASE, slot + SAS_PROGRAM_SLOT)      anonymous memory, handed out upward
 * The per-task system thread (sasos/posix) is one native image at SAS_POSIXRT_ADDR in every
 * musl task; like the UTCBs, what lives there is private to each task (its own data).
 */
#define SAS_POSIXRT_ADDR     0x0000000008000000ULL
#define SAS_POSIXRT_END      0x0000000010000000ULL
#define SAS_PROGRAM_BASE     0x0000002000000000ULL
#define SAS_PROGRAM_SLOT     0x0000000100000000ULL   /* 4 GiB per program */
#define SAS_PROGRAM_SLOTS    1024u
#define SAS_PROGRAM_END      (SAS_PROGRAM_BASE + SAS_PROGRAM_SLOTS * SAS_PROGRAM_SLOT)
#define SAS_PROG_IMAGE_MAX   0x0000000010000000ULL   /* 256 MiB */
#define SAS_PROG_STACK_SIZE  0x0000000000800000ULL   /* 8 MiB, as Linux's default limit */
#define SAS_PROG_STACK_TOP(slot)  ((slot) + 0x0000000020000000ULL)
#define SAS_PROG_ANON_BASE(slot)  ((slot) + 0x0000000040000000ULL)
#define SAS_NOTE_SLOT        1u
#define SAS_NOTE_NAME        "Ell4"   /* the note's owner name (cmake/musl.cmake writes it) */

static inline unsigned long long sas_program_slot(unsigned n)
{
    return SAS_PROGRAM_BASE + (unsigned long long)n * SAS_PROGRAM_SLOT;
}

#define SAS_OBJECT_BASE      0x0000100000000000ULL
#define SAS_OBJECT_END       0x0000600000000000ULL

_Static_assert(SAS_ROOT_BOOTAR_BASE + SAS_ROOT_BOOTAR_SIZE <= SAS_ROOT_DMA_BASE &&
               SAS_ROOT_DMA_BASE + SAS_ROOT_DMA_SIZE <= SAS_SYSTEM_END, "root's windows");
_Static_assert(SAS_SYSTEM_END <= SAS_PROGRAM_BASE, "system region overlaps programs");
_Static_assert(SAS_PROGRAM_END <= SAS_OBJECT_BASE, "programs overlap objects");
_Static_assert(SAS_POSIXRT_END <= SAS_ROOT_FRAMES_BASE && SAS_POSIXRT_ADDR >= SAS_HELLO_ADDR,
               "the system thread's image");
_Static_assert(SAS_PROG_IMAGE_MAX <= SAS_PROG_STACK_TOP(0) - SAS_PROG_STACK_SIZE, "image, stack");
_Static_assert(SAS_OBJECT_END <= L4_USER_RESERVED_BASE, "objects overlap kernel areas");

#endif
