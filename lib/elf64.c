/*
 * elf64.c — the checks every ELF64 reader makes first (ell/elf64.h): the identity, the
 * machine and a program header table inside the image; a segment's bytes inside it; notes.
 */
#include <ell/elf64.h>
#include <ell/string.h>

const struct elf64_phdr *elf64_phdrs(const uint8_t *image, uint64_t size, unsigned *count)
{
    const struct elf64_ehdr *e = (const struct elf64_ehdr *)image;
    if (size < sizeof(*e) || memcmp(e->ident, "\177ELF\2\1", 6) ||
        e->machine != ELF64_EM_X86_64 || e->phentsize != sizeof(struct elf64_phdr) ||
        e->phoff > size || (uint64_t)e->phnum * sizeof(struct elf64_phdr) > size - e->phoff ||
        e->phoff % 8)
        return 0;
    *count = e->phnum;
    return (const struct elf64_phdr *)(image + e->phoff);
}

int elf64_seg_in_file(const struct elf64_phdr *p, uint64_t size)
{
    return p->filesz <= p->memsz && p->offset <= size && p->filesz <= size - p->offset;
}

int elf64_check_loads(const uint8_t *image, uint64_t size, unsigned type, uint64_t lo,
                      uint64_t hi)
{
    unsigned n;
    int loads = 0;
    const struct elf64_phdr *ph = elf64_phdrs(image, size, &n);
    if (!ph || ((const struct elf64_ehdr *)image)->type != type)
        return -1;
    for (unsigned i = 0; i < n; i++) {
        const struct elf64_phdr *p = &ph[i];
        if (p->type != ELF64_PT_LOAD)
            continue;
        if (!elf64_seg_in_file(p, size) || p->vaddr < lo || p->vaddr >= hi ||
            p->memsz > hi - p->vaddr)
            return -1;
        loads++;
    }
    return loads;
}

const uint8_t *elf64_note(const uint8_t *image, uint64_t size, const struct elf64_phdr *p,
                          const char *name, uint32_t type, uint32_t *len)
{
    if (p->offset > size || p->filesz > size - p->offset)
        return 0;
    uint64_t namesz = strlen(name) + 1;
    for (uint64_t off = 0; off + sizeof(struct elf64_nhdr) <= p->filesz;) {
        const struct elf64_nhdr *n = (const struct elf64_nhdr *)(image + p->offset + off);
        uint64_t nlen = (n->namesz + 3ULL) & ~3ULL, dlen = (n->descsz + 3ULL) & ~3ULL;
        const uint8_t *body = (const uint8_t *)(n + 1);
        if (sizeof(*n) + nlen + dlen > p->filesz - off)
            return 0;
        if (n->type == type && n->namesz == namesz && !memcmp(body, name, namesz)) {
            *len = n->descsz;
            return body + nlen;
        }
        off += sizeof(*n) + nlen + dlen;
    }
    return 0;
}
