/*
 * paging.c — x86-64 4-level page tables.
 *
 * The kernel half (PML4 slots 256..511) is built once at boot and shared by pointer with
 * every address space: slot 256 is the direct map of physical memory (1 GiB pages), slot
 * 511 holds the kernel image at -2 GiB and the local APIC. Kernel mappings are global, so
 * switching address spaces keeps them in the TLB. User-half tables come from the kernel
 * pool on demand.
 */
#include <k/lib.h>
#include <k/log.h>
#include <k/mem.h>
#include <k/x86.h>
#include <l4/layout.h>

uint64_t *kernel_pml4;
extern uint64_t boot_pml4[], boot_pdpt_hi[];

static uint64_t dm_pdpt[512] __attribute__((aligned(4096)));
static uint64_t apic_pd[512] __attribute__((aligned(4096)));
static uint64_t apic_pt[512] __attribute__((aligned(4096)));

static unsigned idx(uint64_t va, int level) { return (va >> (12 + 9 * level)) & 511; }

/*
 * The 4 KiB-mapped kernel window at LAPIC_VIRT (the image itself is mapped with 2 MiB
 * pages): the local APIC and I/O APIC registers, uncached, and the TSS with its I/O
 * bitmap, whose two pages are remapped to the running task's bitmap (ioport.c). Set up
 * first thing at boot, before the GDT points at the TSS there.
 */
void paging_early(void)
{
    const uint64_t dev = PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_G | PTE_NX;
    apic_pt[idx(LAPIC_VIRT, 0)] = 0xfee00000ULL | dev;
    apic_pt[idx(IOAPIC_VIRT, 0)] = 0xfec00000ULL | dev;
    apic_pd[idx(LAPIC_VIRT, 1)] = virt_to_phys(apic_pt) | PTE_P | PTE_W;
    boot_pdpt_hi[idx(LAPIC_VIRT, 2)] = virt_to_phys(apic_pd) | PTE_P | PTE_W;
}

/* Maps kernel page `va` (inside the LAPIC_VIRT window) to physical `pa`, global, NX. */
void kmap_window(uint64_t va, uint64_t pa, int writable)
{
    apic_pt[idx(va, 0)] = (pa & PTE_ADDR) | PTE_P | PTE_G | PTE_NX | (writable ? PTE_W : 0);
    invlpg(va);
}

void paging_init(uint64_t phys_top)
{
    uint32_t r[4];
    cpuid(0x80000001, 0, r);
    if (!(r[3] & (1u << 26)))
        panic("CPU lacks 1 GiB pages (run QEMU with -cpu max)");
    uint64_t gib = (phys_top + (1ULL << 30) - 1) >> 30;
    if (gib > 512)
        gib = 512;
    for (uint64_t i = 0; i < gib; i++)
        dm_pdpt[i] = (i << 30) | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;


    /* Reuse the boot PML4: drop the identity map, point slot 256 at the full direct map. */
    kernel_pml4 = boot_pml4;
    kernel_pml4[0] = 0;
    kernel_pml4[256] = virt_to_phys(dm_pdpt) | PTE_P | PTE_W;
    WRITE_CR(3, virt_to_phys(kernel_pml4));
}

/* A leaf page table comes with its shadow page of mapping-node pointers (k/space.h). */
static unsigned table_pages(int level) { return level == 1 ? 2 : 1; }

static uint64_t *next_table(uint64_t *table, unsigned i, struct task *create, int level)
{
    if (!(table[i] & PTE_P)) {
        if (!create)
            return NULL;
        uint64_t *t = kpool_alloc_for(create, table_pages(level));
        if (!t)
            return NULL;
        table[i] = virt_to_phys(t) | PTE_P | PTE_W | PTE_U;
    }
    if (table[i] & PTE_PS)
        return NULL;
    return phys_to_virt(table[i] & PTE_ADDR);
}

uint64_t *pt_walk(uint64_t *pml4, uint64_t va, struct task *create)
{
    uint64_t *t = pml4;
    for (int level = 3; level > 0 && t; level--)
        t = next_table(t, idx(va, level), create, level);
    return t ? &t[idx(va, 0)] : NULL;
}

int pt_map(uint64_t *pml4, struct task *t, uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t *pte = pt_walk(pml4, va, t);
    if (!pte)
        return -1;
    *pte = (pa & PTE_ADDR) | flags | PTE_P;
    invlpg(va);
    return 0;
}

uint64_t *pt_new_space(struct task *t)
{
    uint64_t *pml4 = kpool_alloc_for(t, 1);
    if (pml4)
        memcpy(pml4 + 256, kernel_pml4 + 256, 256 * sizeof(uint64_t));
    return pml4;
}

/* Frees the tables below `table` (which sits at `level`: 2 = PDPT, 1 = PD). */
static void free_level(uint64_t *table, int level, struct task *t)
{
    for (unsigned i = 0; i < 512; i++) {
        if (!(table[i] & PTE_P) || (table[i] & PTE_PS))
            continue;
        uint64_t *child = phys_to_virt(table[i] & PTE_ADDR);
        if (level > 1)
            free_level(child, level - 1, t);
        kpool_free_for(t, child, table_pages(level));
    }
}

void pt_free_space(uint64_t *pml4, struct task *t)
{
    for (unsigned i = 0; i < 256; i++)
        if (pml4[i] & PTE_P) {
            free_level(phys_to_virt(pml4[i] & PTE_ADDR), 2, t);
            kpool_free_for(t, phys_to_virt(pml4[i] & PTE_ADDR), 1);
        }
    kpool_free_for(t, pml4, 1);
}

/* The first present 4 KiB entry at or after *va and below end, skipping absent tables
 * whole, so a sparse walk over a huge range costs what is mapped in it. */
uint64_t *pt_next_present(uint64_t *pml4, uint64_t *va, uint64_t end)
{
    uint64_t a = *va;
    while (a < end) {
        uint64_t *t = pml4;
        int level = 3;
        for (; level > 0; level--) {
            uint64_t e = t[idx(a, level)];
            if (!(e & PTE_P) || (e & PTE_PS))
                break;
            t = phys_to_virt(e & PTE_ADDR);
        }
        if (level > 0) {
            uint64_t span = 1ULL << (12 + 9 * level);
            a = (a & ~(span - 1)) + span;
            continue;
        }
        if (t[idx(a, 0)] & PTE_P) {
            *va = a;
            return &t[idx(a, 0)];
        }
        a += PAGE_SIZE;
    }
    return NULL;
}

int pt_user_range_ok(uint64_t *pml4, uint64_t va, uint64_t len, int write)
{
    if (len == 0)
        return 1;
    if (va >= L4_USER_END || len > L4_USER_END - va)
        return 0;
    for (uint64_t p = ALIGN_DOWN(va, PAGE_SIZE); p < va + len; p += PAGE_SIZE) {
        uint64_t *pte = pt_walk(pml4, p, 0);
        if (!pte || !(*pte & PTE_P) || !(*pte & PTE_U) || (write && !(*pte & PTE_W)))
            return 0;
    }
    return 1;
}
