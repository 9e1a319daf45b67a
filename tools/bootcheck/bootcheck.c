/*
 * bootcheck.c — the boot-archive check (bootcheck.h): the windows pairwise, then each
 * member by its ELF type. Each member is copied to its own allocation before it is read,
 * so the program headers are as aligned as in a file, whatever the archive's padding.
 */
#include "bootcheck.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ell/cpio.h>
#include <ell/elf64.h>

/* What has been seen of the archive so far: member names and musl programs' slots. */
struct seen {
    const char *names[BOOTCHECK_MAX_MEMBERS];
    const char *slot_owner[SAS_PROGRAM_SLOTS];
    unsigned count;
};

struct ctx {
    const struct sas_window *w;
    unsigned nw;
    char *msg;
    size_t msglen;
};

static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, c->msglen, fmt, ap);
    va_end(ap);
    return -1;
}

static int windows_apart(struct ctx *c)
{
    for (unsigned i = 0; i < c->nw; i++)
        for (unsigned j = i + 1; j < c->nw; j++) {
            const struct sas_window *a = &c->w[i], *b = &c->w[j];
            if (!strcmp(a->name, b->name))
                return fail(c, "two windows are named '%s'", a->name);
            if (a->base < b->base + b->size && b->base < a->base + a->size)
                return fail(c, "windows '%s' [%#llx, %#llx) and '%s' [%#llx, %#llx) overlap",
                            a->name, a->base, a->base + a->size, b->name, b->base,
                            b->base + b->size);
        }
    return 0;
}

static const struct sas_window *image_window(struct ctx *c, const char *name)
{
    for (unsigned i = 0; i < c->nw; i++)
        if (c->w[i].kind == SAS_WIN_IMAGE && !strcmp(c->w[i].name, name))
            return &c->w[i];
    return NULL;
}

/* 1 if segment p lies in memory inside [lo, hi) (memsz 0 counts at its address). */
static int seg_inside(const struct elf64_phdr *p, uint64_t lo, uint64_t hi)
{
    return p->vaddr >= lo && p->vaddr <= hi && p->memsz <= hi - p->vaddr;
}

static int check_exec(struct ctx *c, const char *name, uint64_t size,
                      const struct elf64_phdr *ph, unsigned n)
{
    const struct sas_window *w = image_window(c, name);
    if (!w)
        return fail(c, "member '%s': ET_EXEC image without a window of that name "
                    "(SAS_WINDOWS in sas/layout.h)", name);
    unsigned loads = 0;
    for (unsigned i = 0; i < n; i++) {
        const struct elf64_phdr *p = &ph[i];
        if (p->type != ELF64_PT_LOAD)
            continue;
        loads++;
        if (!elf64_seg_in_file(p, size))
            return fail(c, "member '%s': segment %u's file bytes run past the file", name, i);
        if (!seg_inside(p, w->base, w->base + w->size))
            return fail(c, "member '%s': segment [%#llx, %#llx) outside its window '%s' "
                        "[%#llx, %#llx)", name, (unsigned long long)p->vaddr,
                        (unsigned long long)(p->vaddr + p->memsz), w->name, w->base,
                        w->base + w->size);
    }
    return loads ? 0 : fail(c, "member '%s': no PT_LOAD segment", name);
}

/* The slot of the first "Ell4" SAS_NOTE_SLOT note, or -1. */
static long pie_slot(const uint8_t *image, uint64_t size, const struct elf64_phdr *ph,
                     unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        uint32_t len, slot;
        const uint8_t *d = ph[i].type != ELF64_PT_NOTE ? NULL :
            elf64_note(image, size, &ph[i], SAS_NOTE_NAME, SAS_NOTE_SLOT, &len);
        if (d && len == sizeof(slot)) {
            memcpy(&slot, d, sizeof(slot));
            return slot;
        }
    }
    return -1;
}

static int check_pie(struct ctx *c, struct seen *s, const char *name, const uint8_t *image,
                     uint64_t size, const struct elf64_phdr *ph, unsigned n)
{
    long slot = pie_slot(image, size, ph, n);
    if (slot < 0 || slot >= (long)SAS_PROGRAM_SLOTS)
        return fail(c, "member '%s': ET_DYN without an \"%s\" slot note below %u "
                    "(cmake/musl.cmake)", name, SAS_NOTE_NAME, SAS_PROGRAM_SLOTS);
    if (s->slot_owner[slot])
        return fail(c, "members '%s' and '%s' share program slot %ld [%#llx, %#llx)",
                    s->slot_owner[slot], name, slot, sas_program_slot((unsigned)slot),
                    sas_program_slot((unsigned)slot) + SAS_PROGRAM_SLOT);
    s->slot_owner[slot] = name;
    for (unsigned i = 0; i < n; i++) {
        const struct elf64_phdr *p = &ph[i];
        if (p->type != ELF64_PT_LOAD)
            continue;
        if (!elf64_seg_in_file(p, size))
            return fail(c, "member '%s': segment %u's file bytes run past the file", name, i);
        if (!seg_inside(p, 0, SAS_PROG_IMAGE_MAX))
            return fail(c, "member '%s': segment [%#llx, %#llx) of slot %ld past its image "
                        "window [0, SAS_PROG_IMAGE_MAX = %#llx)", name,
                        (unsigned long long)p->vaddr,
                        (unsigned long long)(p->vaddr + p->memsz), slot, SAS_PROG_IMAGE_MAX);
    }
    return 0;
}

/* One member's ELF image, aligned (a private copy). */
static int check_image(struct ctx *c, struct seen *s, const char *name, const uint8_t *image,
                       uint64_t size)
{
    unsigned n;
    const struct elf64_phdr *ph = elf64_phdrs(image, size, &n);
    if (!ph)
        return fail(c, "member '%s': not a sound ELF64 x86-64 file", name);
    unsigned type = ((const struct elf64_ehdr *)image)->type;
    if (type == ELF64_ET_EXEC)
        return check_exec(c, name, size, ph, n);
    if (type == ELF64_ET_DYN)
        return check_pie(c, s, name, image, size, ph, n);
    return fail(c, "member '%s': ELF type %u is neither ET_EXEC nor ET_DYN", name, type);
}

static int check_member(struct ctx *c, struct seen *s, const struct cpio_member *m)
{
    for (unsigned i = 0; i < s->count; i++)
        if (!strcmp(s->names[i], m->name))
            return fail(c, "member '%s' appears twice", m->name);
    if (s->count == BOOTCHECK_MAX_MEMBERS)
        return fail(c, "more than %u members", BOOTCHECK_MAX_MEMBERS);
    s->names[s->count++] = m->name;
    if (m->size < 4 || memcmp(m->data, "\177ELF", 4))
        return 0;                                   /* data, not a program */
    uint8_t *copy = malloc(m->size);
    if (!copy)
        return fail(c, "member '%s': out of memory for %llu bytes", m->name,
                    (unsigned long long)m->size);
    memcpy(copy, m->data, m->size);
    int r = check_image(c, s, m->name, copy, m->size);
    free(copy);
    return r;
}

int bootcheck(const uint8_t *ar, uint64_t size, const struct sas_window *w, unsigned n,
              char *msg, size_t msglen)
{
    struct ctx c = { w, n, msg, msglen };
    struct seen *s = calloc(1, sizeof(*s));
    struct cpio_member m;
    uint64_t cursor = 0;
    enum cpio_status st = CPIO_BAD;
    int r = s ? windows_apart(&c) : fail(&c, "out of memory");
    while (!r && (st = cpio_next(ar, size, &cursor, &m)) == CPIO_OK)
        r = check_member(&c, s, &m);
    if (!r && st == CPIO_BAD)
        r = fail(&c, "malformed cpio header at offset %llu", (unsigned long long)cursor);
    free(s);
    return r;
}
