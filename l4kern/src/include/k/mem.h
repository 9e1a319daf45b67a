/*
 * k/mem.h — physical memory as the kernel sees it: the direct map, the kernel pool, and
 * page tables.
 *
 * The kernel pool is a fixed range of physical memory set aside at boot (KPOOL_PAGES);
 * every kernel object (TCBs, page tables, the KIP) comes from it, so running out is an
 * error returned to the caller, never a panic. Everything else belongs to user level.
 */
#ifndef K_MEM_H
#define K_MEM_H

#include <stdint.h>
#include <stddef.h>
#include <k/param.h>

static inline void *phys_to_virt(uint64_t p) { return (void *)(p + DIRECT_MAP); }
static inline uint64_t virt_to_phys(const void *v)
{
    uint64_t a = (uint64_t)v;
    return a >= KERNEL_VMA ? a - KERNEL_VMA : a - DIRECT_MAP;
}

struct task;

/* kpool.c */
void kpool_init(uint64_t phys_base, uint64_t pages);
void *kpool_alloc(unsigned pages);        /* zeroed; NULL when exhausted */
void kpool_free(void *p, unsigned pages);
uint64_t kpool_free_pages(void);
/* Kernel-memory quotas: charges go to t's payer (none for t NULL: the kernel's own).
 * kmem_charge returns 0, or -1 if the payer's quota cannot take `bytes`. */
int kmem_charge(struct task *t, uint64_t bytes);
void kmem_uncharge(struct task *t, uint64_t bytes);
uint64_t kmem_left(const struct task *t);  /* bytes t's payer can still be charged */
void *kpool_alloc_for(struct task *t, unsigned pages);  /* NULL: over quota or pool empty */
void kpool_free_for(struct task *t, void *p, unsigned pages);

/* Page-table entry bits. */
#define PTE_P   (1ULL << 0)
#define PTE_W   (1ULL << 1)
#define PTE_U   (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_A   (1ULL << 5)
#define PTE_D   (1ULL << 6)
#define PTE_PS  (1ULL << 7)
#define PTE_G   (1ULL << 8)
#define PTE_NX  (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

/* paging.c: 4-level page tables. `pml4` is a kernel virtual pointer. */
extern uint64_t *kernel_pml4;
void paging_early(void);
void kmap_window(uint64_t va, uint64_t pa, int writable);
void paging_init(uint64_t phys_top);
/* Tables created on the way are charged to `create` (NULL: create none). */
uint64_t *pt_walk(uint64_t *pml4, uint64_t va, struct task *create);   /* the 4 KiB PTE, or NULL */
int pt_map(uint64_t *pml4, struct task *t, uint64_t va, uint64_t pa, uint64_t flags);  /* 0, or -1: no memory */
uint64_t *pt_new_space(struct task *t);   /* a PML4 sharing the kernel half; NULL if no memory */
void pt_free_space(uint64_t *pml4, struct task *t);  /* frees the user-half tables (not the frames) */
/* 1 if [va, va+len) is mapped user-accessible (and writable, if `write`) in pml4. */
uint64_t *pt_next_present(uint64_t *pml4, uint64_t *va, uint64_t end);
int pt_user_range_ok(uint64_t *pml4, uint64_t va, uint64_t len, int write);

#endif
