/*
 * ell/elf64.h — the parts of ELF64 (x86-64, little-endian) that Ell Four's loaders read:
 * the kernel (boot tasks), root (native programs and musl static PIEs) and the host tools
 * that check boot archives. Only the fields and constants they use.
 */
#ifndef ELL_ELF64_H
#define ELL_ELF64_H

#include <stdint.h>

struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
struct elf64_nhdr {
    uint32_t namesz, descsz, type;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 file header");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header");

#define ELF64_ET_EXEC    2
#define ELF64_ET_DYN     3
#define ELF64_EM_X86_64  62
#define ELF64_PT_LOAD    1
#define ELF64_PT_NOTE    4
#define ELF64_PT_PHDR    6
#define ELF64_PF_X       1
#define ELF64_PF_W       2
#define ELF64_PF_R       4

/* The program headers of the image [image, image + size) if it is an ELF64 x86-64
 * little-endian file whose program header table lies inside it (*count set to their
 * number); NULL otherwise. The type (ET_EXEC, ET_DYN) and the segments are the caller's
 * to check. */
const struct elf64_phdr *elf64_phdrs(const uint8_t *image, uint64_t size, unsigned *count);

/* 1 if segment p's file bytes lie inside an image of `size` bytes and filesz <= memsz. */
int elf64_seg_in_file(const struct elf64_phdr *p, uint64_t size);

/* The number of PT_LOAD segments of the image if its program headers are sound
 * (elf64_phdrs), its type is `type`, and every PT_LOAD segment has its file bytes inside the
 * image and lies inside [lo, hi) in memory; -1 otherwise. */
int elf64_check_loads(const uint8_t *image, uint64_t size, unsigned type, uint64_t lo,
                      uint64_t hi);

/* The descriptor of the first note called `name` (NUL included in its namesz) of type
 * `type` in the PT_NOTE segment p, *len its size; NULL if there is none or the segment is
 * malformed before it. */
const uint8_t *elf64_note(const uint8_t *image, uint64_t size, const struct elf64_phdr *p,
                          const char *name, uint32_t type, uint32_t *len);

#endif
