/*
 * k/boot.h — what the boot loader told us, and loading boot programs (the boot archive is
 * read with lib/cpio.c, <ell/cpio.h>).
 */
#ifndef K_BOOT_H
#define K_BOOT_H

#include <stddef.h>
#include <stdint.h>

/* pvh.c: reads hvm_start_info into the KIP (memory map, command line, archive). */
void pvh_parse(uint64_t start_info_phys);
uint64_t boot_phys_top(void);                 /* end of the highest RAM range */
int boot_find_pool(uint64_t pages, uint64_t *base);   /* a free range for the kernel pool */

/* elf.c: loads a static ELF64 executable into a task; returns its entry point or 0. */
struct task;
uint64_t elf_load(struct task *task, const uint8_t *image, uint64_t size);

/* cmdline "key=value" lookup in the KIP's command line; copies at most n-1 bytes. */
int cmdline_get(const char *key, char *out, size_t n);

#endif
