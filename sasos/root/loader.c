/*
 * loader.c — musl programs: static PIEs (ET_DYN, linked at 0) placed at a slot of
 * sas/layout.h: their home slot, the one the build recorded in their "Ell4" note, or
 * another (loader_place; tasks.c chooses, slottab.h). Nothing is copied or relocated here:
 * the image is paged from the archive at base + vaddr like a native one (elf_fill with the
 * address made relative), and the PIE relocates itself once its system thread has built
 * the initial stack (sasos/posix). Every field is checked before use. The program's
 * anonymous memory comes from root's frames too (anon.c).
 */
#include "root.h"
#include <ell/elf64.h>
#include <sas/layout.h>
#include <sas/proto/root.h>

int loader_is_pie(const uint8_t *image, uint64_t size)
{
    const struct elf64_ehdr *e = (const struct elf64_ehdr *)image;
    return size >= sizeof(*e) && !memcmp(e->ident, "\177ELF\2\1", 6) && e->type == ELF64_ET_DYN;
}

/* The slot number in a PT_NOTE segment's "Ell4" note, or -1. */
static int note_slot(const uint8_t *image, uint64_t size, const struct elf64_phdr *p)
{
    uint32_t len, slot;
    const uint8_t *desc = elf64_note(image, size, p, SAS_NOTE_NAME, SAS_NOTE_SLOT, &len);
    if (!desc || len != sizeof(slot))
        return -1;
    memcpy(&slot, desc, sizeof(slot));
    return slot < SAS_PROGRAM_SLOTS ? (int)slot : -1;
}

static int pie_seg_ok(const struct elf64_phdr *p, uint64_t size)
{
    return elf64_seg_in_file(p, size) && p->vaddr < SAS_PROG_IMAGE_MAX &&
           p->memsz <= SAS_PROG_IMAGE_MAX - p->vaddr;
}

/* Walks the checked program headers: the slot, PT_PHDR and the image's end; 0 or -1. */
static int scan_phdrs(const uint8_t *image, uint64_t size, const struct elf64_phdr *ph,
                      unsigned n, struct prog_info *pi)
{
    int slot = -1;
    for (unsigned i = 0; i < n; i++) {
        if (ph[i].type == ELF64_PT_NOTE && slot < 0)
            slot = note_slot(image, size, &ph[i]);
        if (ph[i].type == ELF64_PT_PHDR)
            pi->phdr = ph[i].vaddr;
        if (ph[i].type != ELF64_PT_LOAD)
            continue;
        if (!pie_seg_ok(&ph[i], size))
            return -1;
        if (ph[i].vaddr + ph[i].memsz > pi->end)
            pi->end = ph[i].vaddr + ph[i].memsz;
    }
    if (slot < 0 || !pi->end || pi->phdr >= pi->end)
        return -1;
    pi->home = (unsigned)slot;
    return 0;
}

int loader_check(const uint8_t *image, uint64_t size, struct prog_info *pi)
{
    unsigned n;
    const struct elf64_phdr *ph = elf64_phdrs(image, size, &n);
    const struct elf64_ehdr *e = (const struct elf64_ehdr *)image;
    if (!ph || !loader_is_pie(image, size) || e->entry >= SAS_PROG_IMAGE_MAX)
        return -1;
    *pi = (struct prog_info){ .phdr = e->phoff, .phnum = n };
    if (scan_phdrs(image, size, ph, n, pi))
        return -1;
    pi->entry = e->entry;
    pi->end = (pi->end + SAS_PAGE_SIZE - 1) & ~(SAS_PAGE_SIZE - 1);
    loader_place(pi, pi->home);
    return 0;
}

/* Every address is the image's offset plus the slot's base: nothing else moves, the PIE
 * relocates itself wherever it is (its system thread gets the base: ROOT_PROGRAM_INFO). */
void loader_place(struct prog_info *pi, unsigned slot)
{
    uint64_t base = sas_program_slot(slot);
    pi->entry += base - pi->base;
    pi->phdr += base - pi->base;
    pi->end += base - pi->base;
    pi->base = base;
    pi->slot = slot;
}

/* ROOT_PROGRAM_INFO's reply words (sas/proto/root.h). */
void loader_info_words(const struct prog_info *pi, const char *name, l4_msg_t *m)
{
    *m = (l4_msg_t){ { pi->base, pi->entry, pi->phdr, pi->phnum, pi->end } };
    char buf[24] = { 0 };
    size_t n = strlen(name);
    memcpy(buf, name, n < sizeof(buf) - 1 ? n : sizeof(buf) - 1);
    memcpy(&m->w[5], buf, sizeof(buf));
}
