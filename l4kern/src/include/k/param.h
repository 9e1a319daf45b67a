/*
 * k/param.h — every limit and tunable of the kernel in one place.
 */
#ifndef K_PARAM_H
#define K_PARAM_H

#define KERNEL_VMA        0xffffffff80000000ULL  /* kernel image: phys 0 maps here */
#define DIRECT_MAP        0xffff800000000000ULL  /* all physical memory maps here */
#define DIRECT_MAP_MAX    (512ULL << 30)         /* one PML4 slot's worth */
#define LAPIC_VIRT        0xffffffffc0000000ULL  /* local APIC registers (uncached) */
#define IOAPIC_VIRT       (LAPIC_VIRT + 0x1000)  /* I/O APIC registers (uncached) */
#define TSS_WINDOW        (LAPIC_VIRT + 0x2000)  /* TSS page, 2 bitmap pages, end page */

#define PAGE_SIZE         4096ULL
#define TCB_PAGES         2          /* TCB, FPU area and kernel stack share 8 KiB */
#define KPOOL_PAGES       8192       /* 32 MiB of kernel memory */
#define MAX_TASKS_LIVE    1024       /* task numbers the kernel hands out (< L4_MAX_TASKS) */
/* Boot tasks' kernel-memory quotas, as divisors of the pool: sigma0 1/4 (its window's
 * tables and nodes), root 1/2, each tasks= task 1/8. More than two tasks= over-commit the
 * pool; the pool itself still answers NO_MEMORY when it is empty. */
#define QUOTA_SIGMA0_DIV  4
#define QUOTA_ROOT_DIV    2
#define QUOTA_EXTRA_DIV   8

#define TIMER_HZ          1000       /* timer tick: 1 ms */
#define DEFAULT_PRIO      100
#define DEFAULT_SLICE_US  10000      /* 10 ms */
#define ROOT_MCP          255

#define LOG_LEVEL_DEFAULT 3          /* 0 panic, 1 error, 2 warn, 3 info, 4 debug */

#define PANIC_EXIT_CODE   0x7e       /* isa-debug-exit value on panic (QEMU exits 253) */
#define REFUSE_EXIT_CODE  0x7d       /* ... when the CPU lacks what the kernel needs (251) */
#define DEBUG_EXIT_PORT   0xf4
#define DEBUGCON_PORT     0xe9

#endif
