/*
 * elf.c — loads a boot program (static ELF64, x86-64, ET_EXEC) into a task: each PT_LOAD
 * segment gets fresh zeroed frames from the kernel pool, the file bytes, and user
 * mappings with the segment's rights (no write unless PF_W, no execute unless PF_X).
 * Every header field is checked: the archive is input like any other.
 */
#include <k/boot.h>
#include <k/lib.h>
#include <k/log.h>
#include <k/mem.h>
#include <k/space.h>
#include <k/thread.h>
#include <l4/layout.h>

struct ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2

static int seg_ok(const struct phdr *p, uint64_t size)
{
    return p->filesz <= p->memsz && p->offset <= size && p->filesz <= size - p->offset &&
           p->vaddr < L4_USER_RESERVED_BASE && p->memsz <= L4_USER_RESERVED_BASE - p->vaddr;
}

/* Each page becomes a root of the mapping database, so the task can map it onward. */
static int load_segment(struct task *task, const uint8_t *image, const struct phdr *p)
{
    unsigned rights = L4_FPAGE_R | (p->flags & PF_W ? L4_FPAGE_W : 0) | (p->flags & PF_X ? L4_FPAGE_X : 0);
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
    const struct ehdr *e = (const struct ehdr *)image;
    if (size < sizeof(*e) || memcmp(e->ident, "\177ELF\2\1", 6) || e->type != 2 ||
        e->machine != 62 || e->phentsize != sizeof(struct phdr) ||
        e->phoff > size || (uint64_t)e->phnum * sizeof(struct phdr) > size - e->phoff)
        return 0;
    const struct phdr *ph = (const struct phdr *)(image + e->phoff);
    for (unsigned i = 0; i < e->phnum; i++) {
        if (ph[i].type != PT_LOAD)
            continue;
        if (!seg_ok(&ph[i], size) || load_segment(task, image, &ph[i]))
            return 0;
    }
    return e->entry;
}
