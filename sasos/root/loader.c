/*
 * loader.c — musl programs: static PIEs (ET_DYN, linked at 0) placed at the slot the build
 * recorded in their "Ell4" note (sas/layout.h). Nothing is copied or relocated here: the
 * image is paged from the archive at base + vaddr like a native one (elf_fill with the
 * address made relative), and the PIE relocates itself once its system thread has built
 * the initial stack (sasos/posix). Every field is checked before use. The program's
 * anonymous memory comes from root's frames too (ROOT_ANON_MAP, sas/proto/root.h).
 */
#include "root.h"
#include "elf64.h"
#include <sas/layout.h>
#include <sas/proto/root.h>

static const struct phdr *ph_table(const uint8_t *image)
{
    const struct ehdr *e = (const struct ehdr *)image;
    return (const struct phdr *)(image + e->phoff);
}

int loader_is_pie(const uint8_t *image, uint64_t size)
{
    const struct ehdr *e = (const struct ehdr *)image;
    return size >= sizeof(*e) && !memcmp(e->ident, "\177ELF\2\1", 6) && e->type == ET_DYN;
}

/* The slot number in a PT_NOTE segment's "Ell4" note, or -1. */
static int note_slot(const uint8_t *image, uint64_t size, const struct phdr *p)
{
    if (p->offset > size || p->filesz > size - p->offset)
        return -1;
    for (uint64_t off = 0; off + sizeof(struct nhdr) <= p->filesz;) {
        const struct nhdr *n = (const struct nhdr *)(image + p->offset + off);
        uint64_t name = (n->namesz + 3ULL) & ~3ULL, desc = (n->descsz + 3ULL) & ~3ULL;
        const uint8_t *body = (const uint8_t *)(n + 1);
        if (sizeof(*n) + name + desc > p->filesz - off)
            return -1;
        if (n->type == SAS_NOTE_SLOT && n->namesz == 5 && !memcmp(body, "Ell4", 5) &&
            n->descsz == 4) {
            uint32_t slot;
            memcpy(&slot, body + name, 4);
            return slot < SAS_PROGRAM_SLOTS ? (int)slot : -1;
        }
        off += sizeof(*n) + name + desc;
    }
    return -1;
}

static int pie_seg_ok(const struct phdr *p, uint64_t size)
{
    return p->filesz <= p->memsz && p->offset <= size && p->filesz <= size - p->offset &&
           p->vaddr < SAS_PROG_IMAGE_MAX && p->memsz <= SAS_PROG_IMAGE_MAX - p->vaddr;
}

int loader_check(const uint8_t *image, uint64_t size, struct prog_info *pi)
{
    const struct ehdr *e = (const struct ehdr *)image;
    if (!loader_is_pie(image, size) || e->machine != 62 || e->phentsize != sizeof(struct phdr) ||
        e->phoff > size || (uint64_t)e->phnum * sizeof(struct phdr) > size - e->phoff ||
        e->entry >= SAS_PROG_IMAGE_MAX)
        return -1;
    const struct phdr *ph = ph_table(image);
    int slot = -1;
    *pi = (struct prog_info){ .phdr = e->phoff, .phnum = e->phnum };
    for (unsigned i = 0; i < e->phnum; i++) {
        if (ph[i].type == PT_NOTE && slot < 0)
            slot = note_slot(image, size, &ph[i]);
        if (ph[i].type == PT_PHDR)
            pi->phdr = ph[i].vaddr;
        if (ph[i].type != PT_LOAD)
            continue;
        if (!pie_seg_ok(&ph[i], size))
            return -1;
        if (ph[i].vaddr + ph[i].memsz > pi->end)
            pi->end = ph[i].vaddr + ph[i].memsz;
    }
    if (slot < 0 || !pi->end || pi->phdr >= pi->end)
        return -1;
    pi->base = sas_program_slot((unsigned)slot);
    pi->entry = pi->base + e->entry;
    pi->phdr += pi->base;
    pi->end = (pi->base + pi->end + SAS_PAGE_SIZE - 1) & ~(SAS_PAGE_SIZE - 1);
    return 0;
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

/* 1 if va is a page of the program's slot outside its image: anonymous memory's place. */
static int anon_place(const struct prog_info *pi, uint64_t va)
{
    return !(va & (SAS_PAGE_SIZE - 1)) && va >= pi->end && va < pi->base + SAS_PROGRAM_SLOT;
}

/* ROOT_ANON_MAP: a zeroed frame of root's, mapped to the task at va. */
static void anon_map(unsigned task, const struct prog_info *pi, l4_msg_t *m, l4_msgtag_t *tag)
{
    uint64_t va = m->w[0];
    unsigned rights = (unsigned)m->w[1] & L4_FPAGE_RWX;
    int slot;
    *tag = l4_msgtag(SAS_EINVAL, 0, 0);
    /* No frames_find() against a second frame for va: that would scan every frame per
     * fault. A task asking twice only holds two frames until it ends. */
    if (!anon_place(pi, va) || !rights)
        return;
    if ((slot = frames_get(task, va)) < 0) {
        *tag = l4_msgtag(SAS_ENOMEM, 0, 0);
        return;
    }
    frames_set_rights(slot, rights);
    *m = (l4_msg_t){ { (uint64_t)slot, l4_fpage((uint64_t)frames_ptr(slot), 12, rights), va } };
    *tag = l4_msgtag(SAS_OK, 1, 2);
}

int loader_anon(unsigned task, const struct prog_info *pi, uint32_t label, l4_msg_t *m,
                l4_msgtag_t *tag)
{
    if (label == ROOT_ANON_MAP) {
        anon_map(task, pi, m, tag);
        return 1;
    }
    if (label == ROOT_ANON_FREE) {
        int ok = anon_place(pi, m->w[0]) && m->w[1] < ROOT_MAX_FRAMES &&
                 !frames_release_one((int)m->w[1], task, m->w[0]);
        *tag = l4_msgtag(ok ? SAS_OK : SAS_EINVAL, 0, 0);
        return 1;
    }
    return 0;
}
