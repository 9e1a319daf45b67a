/*
 * elf64.h — the ELF64 headers root reads (elf.c: native executables; loader.c: musl
 * static PIEs). Only the fields and constants root uses.
 */
#ifndef ROOT_ELF64_H
#define ROOT_ELF64_H

#include <stdint.h>

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
struct nhdr {
    uint32_t namesz, descsz, type;
};
#define ET_EXEC 2
#define ET_DYN 3
#define PT_LOAD 1
#define PT_NOTE 4
#define PT_PHDR 6
#define PF_X 1
#define PF_W 2
#define PF_R 4

#endif
