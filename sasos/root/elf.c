/*
 * elf.c — the boot programs' executables: static ELF64 for x86-64 (ET_EXEC), loaded page
 * by page as the program faults. A page's contents are the file bytes of every PT_LOAD
 * segment that falls in it (zeros elsewhere) and its rights the union of theirs. Every
 * header field is checked before use: the archive is input like any other.
 */
#include "root.h"
#include <sas/layout.h>
#include "elf64.h"

static int seg_ok(const struct phdr *p, uint64_t size)
{
    return p->filesz <= p->memsz && p->offset <= size && p->filesz <= size - p->offset &&
           p->vaddr >= SAS_GUARD_END && p->vaddr < L4_USER_RESERVED_BASE &&
           p->memsz <= L4_USER_RESERVED_BASE - p->vaddr;
}

static const struct phdr *phdrs(const uint8_t *image, unsigned *n)
{
    const struct ehdr *e = (const struct ehdr *)image;
    *n = e->phnum;
    return (const struct phdr *)(image + e->phoff);
}

uint64_t elf_check(const uint8_t *image, uint64_t size)
{
    const struct ehdr *e = (const struct ehdr *)image;
    if (size < sizeof(*e) || memcmp(e->ident, "\177ELF\2\1", 6) || e->type != 2 ||
        e->machine != 62 || e->phentsize != sizeof(struct phdr) || e->phoff > size ||
        (uint64_t)e->phnum * sizeof(struct phdr) > size - e->phoff)
        return 0;
    unsigned n, loads = 0;
    const struct phdr *ph = phdrs(image, &n);
    for (unsigned i = 0; i < n; i++) {
        if (ph[i].type != PT_LOAD)
            continue;
        if (!seg_ok(&ph[i], size))
            return 0;
        loads++;
    }
    return loads && e->entry >= SAS_GUARD_END && e->entry < L4_USER_RESERVED_BASE ? e->entry : 0;
}

static unsigned seg_rights(uint32_t flags)
{
    return L4_FPAGE_R | (flags & PF_W ? L4_FPAGE_W : 0) | (flags & PF_X ? L4_FPAGE_X : 0);
}

/* Fills the 4 KiB page at va (page-aligned) of a checked image into `page`, which is
 * zeroed already (NULL: only the rights are wanted). Returns its rights, 0 if no segment
 * covers it. */
unsigned elf_fill(const uint8_t *image, uint64_t va, uint8_t *page)
{
    unsigned n, rights = 0;
    const struct phdr *ph = phdrs(image, &n);
    for (unsigned i = 0; i < n; i++) {
        const struct phdr *p = &ph[i];
        if (p->type != PT_LOAD || va + SAS_PAGE_SIZE <= p->vaddr || va >= p->vaddr + p->memsz)
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
