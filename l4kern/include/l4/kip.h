/*
 * l4/kip.h — the kernel info page: what only the kernel knows, readable by every task at
 * L4_KIP_ADDR (mapped read-only by the kernel into every address space). Counters marked
 * "live" change as the system runs; the rest is fixed at boot.
 */
#ifndef L4_KIP_H
#define L4_KIP_H

#include <l4/types.h>

#define L4_KIP_MAGIC        0x4b753434u   /* "44uK" */
#define L4_KIP_API_VERSION  0x0201u        /* L4 V2, Ell Four's x86-64 adaptation, rev 1 */
#define L4_KIP_MAX_MEM      32
#define L4_KIP_CMDLINE_LEN  256

enum l4_mem_type {
    L4_MEM_FREE     = 1,   /* conventional memory not used by the kernel: sigma0's */
    L4_MEM_RESERVED = 2,   /* firmware, ACPI, holes: nobody's */
    L4_MEM_KERNEL   = 3,   /* kernel image and kernel pool */
    L4_MEM_BOOT     = 4,   /* the boot archive */
};

struct l4_kip_mem {
    uint64_t base;
    uint64_t size;
    uint32_t type;        /* enum l4_mem_type */
    uint32_t reserved;
};

struct l4_kip {
    uint32_t magic;
    uint32_t api_version;
    uint32_t kip_size;
    uint32_t mem_count;
    uint64_t boot_time;          /* wall-clock seconds since 1970 at boot (CMOS RTC, UTC) */
    uint64_t tsc_hz;             /* TSC ticks per second */
    uint64_t timer_hz;           /* kernel timer ticks per second */
    uint64_t ticks;              /* live: timer ticks since boot */
    uint64_t idle_tsc;           /* live: TSC cycles halted in the idle loop, each halt until
                                  * its end or a device interrupt (not a timer tick) */
    uint64_t kpool_total;        /* kernel pool size, pages */
    uint64_t kpool_free;         /* live: free pages in the kernel pool */
    uint64_t kpool_failures;     /* live: allocations refused for lack of memory */
    uint64_t boot_archive_base;  /* physical address of the boot archive (cpio newc) */
    uint64_t boot_archive_size;
    uint64_t threads_live;       /* live: thread control blocks in use */
    uint64_t boot_tasks[4];      /* first threads of the tasks "tasks=" started (or nil) */
    uint64_t reserved[3];
    struct l4_kip_mem mem[L4_KIP_MAX_MEM];
    char cmdline[L4_KIP_CMDLINE_LEN];
};

/* The end of the highest range of the memory map that is not a hole: an upper bound of
 * the machine's RAM (the ranges overlap, the kernel's lie inside free RAM). */
static inline uint64_t l4_kip_ram_top(const volatile struct l4_kip *k)
{
    uint64_t top = 0;
    for (unsigned i = 0; i < k->mem_count && i < L4_KIP_MAX_MEM; i++)
        if (k->mem[i].type != L4_MEM_RESERVED && k->mem[i].base + k->mem[i].size > top)
            top = k->mem[i].base + k->mem[i].size;
    return top;
}

_Static_assert(sizeof(struct l4_kip_mem) == 24, "KIP memory descriptor layout");
_Static_assert(__builtin_offsetof(struct l4_kip, mem) == 160, "KIP header layout");
_Static_assert(sizeof(struct l4_kip) <= 4096, "KIP fits one page");

#endif
