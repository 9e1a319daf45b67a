/*
 * pvh.c — the PVH boot protocol's hvm_start_info (Xen's arch/x86/hvm/start_info.h
 * layout, as QEMU fills it): memory map, command line, and the one module QEMU passes —
 * our boot archive. Everything is copied into the KIP before any memory is handed out.
 */
#include <k/boot.h>
#include <k/kip.h>
#include <k/lib.h>
#include <k/mem.h>

#define HVM_START_MAGIC 0x336ec578u

struct hvm_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    uint32_t memmap_entries, reserved;
};
struct hvm_modlist_entry { uint64_t paddr, size, cmdline_paddr, reserved; };
struct hvm_memmap_entry { uint64_t addr, size; uint32_t type, reserved; };

extern char kernel_start[], kernel_end[];

static void add_mem(uint64_t base, uint64_t size, uint32_t type)
{
    if (kip->mem_count < L4_KIP_MAX_MEM)
        kip->mem[kip->mem_count++] = (struct l4_kip_mem){ base, size, type, 0 };
    else
        klog(LOG_WARN, "memory map entry %lx+%lx dropped: KIP holds %d", base, size, L4_KIP_MAX_MEM);
}

void pvh_parse(uint64_t phys)
{
    const struct hvm_start_info *si = phys_to_virt(phys);
    if (si->magic != HVM_START_MAGIC)
        panic("not booted through PVH (start info magic %x)", si->magic);
    if (si->version < 1 || !si->memmap_paddr)
        panic("PVH start info v%u carries no memory map", si->version);
    const struct hvm_memmap_entry *mm = phys_to_virt(si->memmap_paddr);
    for (uint32_t i = 0; i < si->memmap_entries; i++)
        add_mem(mm[i].addr, mm[i].size, mm[i].type == 1 ? L4_MEM_FREE : L4_MEM_RESERVED);
    if (si->cmdline_paddr) {
        const char *c = phys_to_virt(si->cmdline_paddr);
        size_t n = 0;
        while (c[n] && n + 1 < L4_KIP_CMDLINE_LEN)
            n++;
        memcpy(kip->cmdline, c, n);
    }
    if (si->nr_modules < 1)
        panic("no boot archive: pass one with -initrd");
    const struct hvm_modlist_entry *m = phys_to_virt(si->modlist_paddr);
    kip->boot_archive_base = m[0].paddr;
    kip->boot_archive_size = m[0].size;
    add_mem(m[0].paddr, ALIGN_UP(m[0].size, PAGE_SIZE), L4_MEM_BOOT);
    uint64_t kbase = virt_to_phys(kernel_start), kend = virt_to_phys(kernel_end);
    add_mem(kbase, kend - kbase, L4_MEM_KERNEL);
}

uint64_t boot_phys_top(void)
{
    uint64_t top = 0;
    for (uint32_t i = 0; i < kip->mem_count; i++)
        if (kip->mem[i].type == L4_MEM_FREE)
            top = MAX(top, kip->mem[i].base + kip->mem[i].size);
    return top;
}

/* 1 if [base, base+len) overlaps any range that is not free RAM (or the first MiB). */
static int overlaps_used(uint64_t base, uint64_t len)
{
    if (base < 0x100000)
        return 1;
    for (uint32_t i = 0; i < kip->mem_count; i++) {
        const struct l4_kip_mem *m = &kip->mem[i];
        if (m->type != L4_MEM_FREE && base < m->base + m->size && m->base < base + len)
            return 1;
    }
    return 0;
}

/* The highest free, page-aligned range of `pages` inside one RAM entry. Taking it from the
 * top keeps low memory (DMA-able, below 4 GiB) for user-level drivers. */
int boot_find_pool(uint64_t pages, uint64_t *out)
{
    uint64_t len = pages * PAGE_SIZE;
    for (int i = (int)kip->mem_count - 1; i >= 0; i--) {
        const struct l4_kip_mem *m = &kip->mem[i];
        if (m->type != L4_MEM_FREE || m->size < len)
            continue;
        for (uint64_t b = ALIGN_DOWN(m->base + m->size - len, PAGE_SIZE); b >= m->base;
             b -= PAGE_SIZE) {
            if (!overlaps_used(b, len)) {
                *out = b;
                add_mem(b, len, L4_MEM_KERNEL);
                return 0;
            }
            if (b < PAGE_SIZE)
                break;
        }
    }
    return -1;
}
