/*
 * elf.c — loads a boot program (static ELF64, x86-64, ET_EXEC) into a task: each PT_LOAD
 * segment gets fresh zeroed frames from the kernel pool, the file bytes, and user
 * mappings with the segment's rights (no write unless PF_W, no execute unless PF_X).
 * Every header field is checked: the archive is input like any other.
 */
#include <ell/elf64.h>
#include <k/boot.h>
#include <k/lib.h>
#include <k/log.h>
#include <k/mem.h>
#include <k/space.h>
#include <k/thread.h>
#include <l4/layout.h>

/* Each page becomes a root of the mapping database, so the task can map it onward. */
static int load_segment(struct task *task, const uint8_t *image, const struct elf64_phdr *p)
{
    unsigned rights = L4_FPAGE_R | (p->flags & ELF64_PF_W ? L4_FPAGE_W : 0) |
                      (p->flags & ELF64_PF_X ? L4_FPAGE_X : 0);
    for (uint64_t va = ALIGN_DOWN(p->vaddr, PAGE_SIZE); va < p->vaddr + p->memsz; va += PAGE_SIZE) {
        uint64_t *pte = pt_walk(task->pml4, va, 0);
        uint8_t *frame;
        if (pte && (*pte & PTE_P)) {        /* shared with the previous segment */
            frame = phys_to_virt(*pte & PTE_ADDR);
            *pte |= rights & L4_FPAGE_W ? PTE_W : 0;
            if (rights & L4_FPAGE_X)
                *pte &= ~PTE_NX;
        } else {
            frame = kpool_alloc(1);
            if (!frame || space_insert(task, va, virt_to_phys(frame), rights, NULL))
                return -1;
        }
        /* Copy the part of the file image that falls in this page. */
        uint64_t lo = MAX(va, p->vaddr), hi = MIN(va + PAGE_SIZE, p->vaddr + p->filesz);
        if (lo < hi)
            memcpy(frame + (lo - va), image + p->offset + (lo - p->vaddr), hi - lo);
    }
    return 0;
}

uint64_t elf_load(struct task *task, const uint8_t *image, uint64_t size)
{
    if (elf64_check_loads(image, size, ELF64_ET_EXEC, 0, L4_USER_RESERVED_BASE) < 0)
        return 0;
    unsigned n;
    const struct elf64_phdr *ph = elf64_phdrs(image, size, &n);
    for (unsigned i = 0; i < n; i++)
        if (ph[i].type == ELF64_PT_LOAD && load_segment(task, image, &ph[i]))
            return 0;
    return ((const struct elf64_ehdr *)image)->entry;
}
