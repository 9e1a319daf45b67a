/*
 * k/boot.h — what the boot loader told us, the boot archive, and loading boot programs.
 */
#ifndef K_BOOT_H
#define K_BOOT_H

#include <stddef.h>
#include <stdint.h>

struct boot_file {
    const char *name;
    const uint8_t *data;
    uint64_t size;
};

/* pvh.c: reads hvm_start_info into the KIP (memory map, command line, archive). */
void pvh_parse(uint64_t start_info_phys);
uint64_t boot_phys_top(void);                 /* end of the highest RAM range */
int boot_find_pool(uint64_t pages, uint64_t *base);   /* a free range for the kernel pool */

/* bootar.c: cpio newc reader (pure; host-tested). Returns 0 and fills *f if found,
 * -1 if absent, -2 if the archive is malformed. */
int bootar_find(const uint8_t *ar, uint64_t size, const char *name, struct boot_file *f);

/* elf.c: loads a static ELF64 executable into a task; returns its entry point or 0. */
struct task;
uint64_t elf_load(struct task *task, const uint8_t *image, uint64_t size);

/* cmdline "key=value" lookup in the KIP's command line; copies at most n-1 bytes. */
int cmdline_get(const char *key, char *out, size_t n);

#endif
