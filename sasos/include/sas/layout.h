/*
 * sas/layout.h — the single address space's map: the only place user addresses are
 * written down. Every task agrees on what lives at each address; see docs/SAS.md.
 *
 *   [0, SAS_GUARD_END)                   never mapped: null and small-integer pointers fault
 *   [SAS_SYSTEM_BASE, SAS_SYSTEM_END)     native images and data, each in its window
 *                                         (SAS_WINDOWS), and the root task's private windows
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

/*
 * Windows: every native image (static ET_EXEC, cmake/native.cmake) is linked at its
 * window's base and must lie inside it; a data window is memory a service maps there
 * (never an image). One SAS_WIN_<W>_BASE / _SIZE pair per window, W as in SAS_WINDOWS.
 * The bases are plain hex literals: the build reads them from this file (native_program
 * in cmake/native.cmake), and tools/bootcheck checks every boot archive against this table
 * after packing it (each image inside the window of its member name, no two windows
 * overlapping). A test root (ktest, s0test, fuzz_root, bench_root, the harness's guest)
 * replaces root and is packed as "root": it uses root's window.
 */
#define SAS_WIN_SIGMA0_BASE      0x0000000000400000ULL
#define SAS_WIN_SIGMA0_SIZE      0x0000000000c00000ULL
#define SAS_WIN_ROOT_BASE        0x0000000001000000ULL
#define SAS_WIN_ROOT_SIZE        0x0000000001000000ULL
#define SAS_WIN_HELLO_BASE       0x0000000003000000ULL   /* apps/hello: root's demo child */
#define SAS_WIN_HELLO_SIZE       0x0000000001000000ULL
#define SAS_WIN_CONSOLE_BASE     0x0000000004000000ULL   /* sasos/console: the COM1 driver */
#define SAS_WIN_CONSOLE_SIZE     0x0000000001000000ULL
#define SAS_WIN_VIRTIO_BLK_BASE  0x0000000005000000ULL   /* sasos/virtio_blk: the disk driver */
#define SAS_WIN_VIRTIO_BLK_SIZE  0x0000000000800000ULL
#define SAS_WIN_BLK_DMA_BASE     0x0000000005800000ULL   /* its DMA memory and client buffers */
#define SAS_WIN_BLK_DMA_SIZE     0x0000000000800000ULL
#define SAS_WIN_BLK_CACHE_BASE   0x0000000006000000ULL   /* its block cache's frames (DMA too), */
#define SAS_WIN_BLK_CACHE_SIZE   0x0000000002000000ULL   /* at most; 4 MiB-aligned pieces */
#define SAS_WIN_POSIXRT_BASE     0x0000000008000000ULL   /* musl tasks' system thread (below) */
#define SAS_WIN_POSIXRT_SIZE     0x0000000008000000ULL
/* Test images (tests/qemu, bench): 4 MiB each, apart from every system window. */
#define SAS_WIN_KTEST_PEER_BASE  0x0000000010000000ULL   /* tests/qemu/ktest/peer.c */
#define SAS_WIN_KTEST_PEER_SIZE  0x0000000000400000ULL
#define SAS_WIN_FUZZ_BASE        0x0000000010400000ULL   /* tests/qemu/fuzz: the fuzz task */
#define SAS_WIN_FUZZ_SIZE        0x0000000000400000ULL
#define SAS_WIN_EXIT7_BASE       0x0000000010800000ULL   /* tests/qemu/boot/child.c, one per */
#define SAS_WIN_EXIT7_SIZE       0x0000000000400000ULL   /* way a task ends */
#define SAS_WIN_WILD_BASE        0x0000000010c00000ULL
#define SAS_WIN_WILD_SIZE        0x0000000000400000ULL
#define SAS_WIN_ROWRITE_BASE     0x0000000011000000ULL
#define SAS_WIN_ROWRITE_SIZE     0x0000000000400000ULL
#define SAS_WIN_BADSYS_BASE      0x0000000011400000ULL
#define SAS_WIN_BADSYS_SIZE      0x0000000000400000ULL
#define SAS_WIN_BLKTEST_BASE     0x0000000011800000ULL   /* tests/qemu/blk */
#define SAS_WIN_BLKTEST_SIZE     0x0000000000400000ULL
#define SAS_WIN_CONTEST_BASE     0x0000000011c00000ULL   /* tests/qemu/console */
#define SAS_WIN_CONTEST_SIZE     0x0000000000400000ULL
#define SAS_WIN_DURWRITER_BASE   0x0000000012000000ULL   /* tests/qemu/durability */
#define SAS_WIN_DURWRITER_SIZE   0x0000000000400000ULL
#define SAS_WIN_IOERRTEST_BASE   0x0000000012400000ULL   /* tests/qemu/durability */
#define SAS_WIN_IOERRTEST_SIZE   0x0000000000400000ULL
#define SAS_WIN_BENCH_PEER_BASE  0x0000000012800000ULL   /* bench/guest/peer.c */
#define SAS_WIN_BENCH_PEER_SIZE  0x0000000000400000ULL
#define SAS_WIN_IPCDIFF_BASE     0x0000000012c00000ULL   /* tests/qemu/ipcdiff: the peer tasks */
#define SAS_WIN_IPCDIFF_SIZE     0x0000000000400000ULL
#define SAS_WIN_IPCDIFF_RCV_BASE 0x0000000013000000ULL   /* its receive windows, one page per */
#define SAS_WIN_IPCDIFF_RCV_SIZE 0x0000000000100000ULL   /* lthread, in each of its tasks */
/* Every musl task's frame batch (sasos/posix/mapper.c): root maps a batch of frames here
 * (ROOT_FRAMES_BATCH, sas/proto/root.h), and only here; the system thread grants them on
 * to faulting addresses one by one, leaving each slot empty for the next batch. */
#define SAS_WIN_FRAME_BATCH_BASE 0x0000000014000000ULL
#define SAS_WIN_FRAME_BATCH_SIZE 0x0000000000040000ULL

#define SAS_WIN_IMAGE 1u   /* a native image's window, named as its boot-archive member */
#define SAS_WIN_DATA  2u   /* memory a service maps at run time: no image may lie there */

/* Every window: X(W, name, kind), W naming SAS_WIN_<W>_BASE/_SIZE, name the boot-archive
 * member an image window holds. */
#define SAS_WINDOWS(X)                              \
    X(SIGMA0,     "sigma0",     SAS_WIN_IMAGE)      \
    X(ROOT,       "root",       SAS_WIN_IMAGE)      \
    X(HELLO,      "hello",      SAS_WIN_IMAGE)      \
    X(CONSOLE,    "console",    SAS_WIN_IMAGE)      \
    X(VIRTIO_BLK, "virtio_blk", SAS_WIN_IMAGE)      \
    X(BLK_DMA,    "blk_dma",    SAS_WIN_DATA)       \
    X(BLK_CACHE,  "blk_cache",  SAS_WIN_DATA)       \
    X(POSIXRT,    "posixrt",    SAS_WIN_IMAGE)      \
    X(KTEST_PEER, "ktest_peer", SAS_WIN_IMAGE)      \
    X(FUZZ,       "fuzz",       SAS_WIN_IMAGE)      \
    X(EXIT7,      "exit7",      SAS_WIN_IMAGE)      \
    X(WILD,       "wild",       SAS_WIN_IMAGE)      \
    X(ROWRITE,    "rowrite",    SAS_WIN_IMAGE)      \
    X(BADSYS,     "badsys",     SAS_WIN_IMAGE)      \
    X(BLKTEST,    "blktest",    SAS_WIN_IMAGE)      \
    X(CONTEST,    "contest",    SAS_WIN_IMAGE)      \
    X(DURWRITER,  "durwriter",  SAS_WIN_IMAGE)      \
    X(IOERRTEST,  "ioerrtest",  SAS_WIN_IMAGE)      \
    X(BENCH_PEER, "bench_peer", SAS_WIN_IMAGE)      \
    X(IPCDIFF,    "ipcdiff",    SAS_WIN_IMAGE)      \
    X(IPCDIFF_RCV, "ipcdiff_rcv", SAS_WIN_DATA)     \
    X(FRAME_BATCH, "frame_batch", SAS_WIN_DATA)

/* One row of the table as data: static const struct sas_window w[] =
 * { SAS_WINDOWS(SAS_WINDOW_ROW) }; */
struct sas_window {
    const char *name;
    unsigned kind;                  /* SAS_WIN_IMAGE or SAS_WIN_DATA */
    unsigned long long base, size;
};
#define SAS_WINDOW_ROW(w, name, kind) { name, kind, SAS_WIN_##w##_BASE, SAS_WIN_##w##_SIZE },

/* The names C code uses for the data windows. */
#define SAS_BLK_DMA_ADDR     SAS_WIN_BLK_DMA_BASE
#define SAS_BLK_CACHE_ADDR   SAS_WIN_BLK_CACHE_BASE
#define SAS_BLK_CACHE_SIZE   SAS_WIN_BLK_CACHE_SIZE
/* The frame batch: one flexpage of 2^SAS_FRAME_BATCH_LOG2 pages at most, naturally aligned,
 * so a whole batch is one map item. */
#define SAS_FRAME_BATCH_ADDR SAS_WIN_FRAME_BATCH_BASE
#define SAS_FRAME_BATCH_LOG2 6u                      /* 64 frames */
_Static_assert(SAS_WIN_FRAME_BATCH_SIZE == SAS_PAGE_SIZE << SAS_FRAME_BATCH_LOG2 &&
               SAS_FRAME_BATCH_ADDR % SAS_WIN_FRAME_BATCH_SIZE == 0, "the batch is one flexpage");

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
 * executable ("Ell4", type SAS_NOTE_SLOT): its home slot. The loader places the static
 * PIE at a slot's base and the PIE relocates itself: a program's first instance in a boot
 * at its home slot, each further one at an extra slot from the top of the range, never
 * handed out twice in a boot (sasos/root/slottab.h). A slot holds the instance's image,
 * its main stack and its anonymous memory (mmap), so no two instances share an address:
 *   [slot, slot + SAS_PROG_IMAGE_MAX)                  the image (ELF segments)
 *   [SAS_PROG_STACK_TOP - SAS_PROG_STACK_SIZE, TOP)    the main thread's stack
 *   [SAS_PROG_ANON_BASE, slot + SAS_PROGRAM_SLOT)      anonymous memory, handed out upward
 * The per-task system thread (sasos/posix) is one native image at SAS_POSIXRT_ADDR in every
 * musl task; like the UTCBs, what lives there is private to each task (its own data).
 */
#define SAS_POSIXRT_ADDR     SAS_WIN_POSIXRT_BASE
#define SAS_POSIXRT_END      (SAS_WIN_POSIXRT_BASE + SAS_WIN_POSIXRT_SIZE)
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

_Static_assert(SAS_ROOT_FRAMES_BASE + SAS_ROOT_FRAMES_SIZE <= SAS_ROOT_BOOTAR_BASE &&
               SAS_ROOT_BOOTAR_BASE + SAS_ROOT_BOOTAR_SIZE <= SAS_ROOT_DMA_BASE &&
               SAS_ROOT_DMA_BASE + SAS_ROOT_DMA_SIZE <= SAS_SYSTEM_END, "root's windows");
/* Each window: whole pages inside the system region, apart from root's private windows.
 * (That no two windows overlap is tools/bootcheck's to check, at every archive.) */
#define SAS_WIN_APART_(w, base, size) \
    (SAS_WIN_##w##_BASE + SAS_WIN_##w##_SIZE <= (base) || (base) + (size) <= SAS_WIN_##w##_BASE)
#define SAS_WIN_ASSERT_(w, name, kind)                                                        \
    _Static_assert(SAS_WIN_##w##_BASE >= SAS_SYSTEM_BASE && SAS_WIN_##w##_SIZE > 0 &&          \
                   SAS_WIN_##w##_SIZE <= SAS_SYSTEM_END - SAS_WIN_##w##_BASE &&                \
                   (SAS_WIN_##w##_BASE | SAS_WIN_##w##_SIZE) % SAS_PAGE_SIZE == 0,             \
                   "window " name ": whole pages in the system region");                       \
    _Static_assert(SAS_WIN_APART_(w, SAS_ROOT_FRAMES_BASE, SAS_ROOT_FRAMES_SIZE) &&            \
                   SAS_WIN_APART_(w, SAS_ROOT_BOOTAR_BASE, SAS_ROOT_BOOTAR_SIZE) &&            \
                   SAS_WIN_APART_(w, SAS_ROOT_DMA_BASE, SAS_ROOT_DMA_SIZE),                    \
                   "window " name " overlaps root's private windows");
SAS_WINDOWS(SAS_WIN_ASSERT_)
_Static_assert(SAS_SYSTEM_END <= SAS_PROGRAM_BASE, "system region overlaps programs");
_Static_assert(SAS_PROGRAM_END <= SAS_OBJECT_BASE, "programs overlap objects");
_Static_assert(SAS_PROG_IMAGE_MAX <= SAS_PROG_STACK_TOP(0) - SAS_PROG_STACK_SIZE, "image, stack");
_Static_assert(SAS_OBJECT_END <= L4_USER_RESERVED_BASE, "objects overlap kernel areas");

#endif
