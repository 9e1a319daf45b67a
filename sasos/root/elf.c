/*
 * elf.c — the boot programs' executables: static ELF64 for x86-64 (ET_EXEC), loaded page
 * by page as the program faults. A page's contents are the file bytes of every PT_LOAD
 * segment that falls in it (zeros elsewhere) and its rights the union of theirs. Every
 * header field is checked before use: the archive is input like any other.
 */
#include "root.h"
#include <ell/elf64.h>
#include <sas/layout.h>

static const struct elf64_phdr *phdrs(const uint8_t *image, unsigned *n)
{
    const struct elf64_ehdr *e = (const struct elf64_ehdr *)image;
    *n = e->phnum;
    return (const struct elf64_phdr *)(image + e->phoff);
}

uint64_t elf_check(const uint8_t *image, uint64_t size)
{
    const struct elf64_ehdr *e = (const struct elf64_ehdr *)image;
    if (elf64_check_loads(image, size, ELF64_ET_EXEC, SAS_GUARD_END, L4_USER_RESERVED_BASE) < 1)
        return 0;
    return e->entry >= SAS_GUARD_END && e->entry < L4_USER_RESERVED_BASE ? e->entry : 0;
}

static unsigned seg_rights(uint32_t flags)
{
    return L4_FPAGE_R | (flags & ELF64_PF_W ? L4_FPAGE_W : 0) | (flags & ELF64_PF_X ? L4_FPAGE_X : 0);
}

/* Fills the 4 KiB page at va (page-aligned) of a checked image into `page`, which is
 * zeroed already (NULL: only the rights are wanted). Returns its rights, 0 if no segment
 * covers it. */
unsigned elf_fill(const uint8_t *image, uint64_t va, uint8_t *page)
{
    unsigned n, rights = 0;
    const struct elf64_phdr *ph = phdrs(image, &n);
    for (unsigned i = 0; i < n; i++) {
        const struct elf64_phdr *p = &ph[i];
        if (p->type != ELF64_PT_LOAD || va + SAS_PAGE_SIZE <= p->vaddr || va >= p->vaddr + p->memsz)
            continue;
        rights |= seg_rights(p->flags);
        uint64_t lo = va > p->vaddr ? va : p->vaddr;
        uint64_t hi = va + SAS_PAGE_SIZE < p->vaddr + p->filesz ? va + SAS_PAGE_SIZE
                                                                 : p->vaddr + p->filesz;
        if (page && lo < hi)
            memcpy(page + (lo - va), image + p->offset + (lo - p->vaddr), hi - lo);
    }
    return rights;
}
