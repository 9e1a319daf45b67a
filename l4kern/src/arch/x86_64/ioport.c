/*
 * ioport.c — I/O ports for user tasks. A task that holds ports has an 8 KiB permission
 * bitmap (x86's convention: a set bit denies); a switch maps the running task's two bitmap
 * pages behind the TSS (never a copy), and a task without ports runs with no bitmap at
 * all, so every port faults.
 */
#include <k/cpu.h>
#include <k/irq.h>
#include <k/lib.h>
#include <k/mem.h>
#include <k/thread.h>

#define BITMAP_PAGES 2
extern uint8_t io_deny[2][4096];
const uint8_t *io_loaded;                /* the bitmap the TSS maps (NULL: not known) */
extern void tss_set_iomap(int on);   /* cpu.c */

static int bitmap_for(struct task *t)
{
    if (t->iobm)
        return 0;
    t->iobm = kpool_alloc(BITMAP_PAGES);
    if (!t->iobm)
        return -1;
    memset(t->iobm, 0xff, L4_IO_PORTS / 8);
    return 0;
}

static int holds(const struct task *t, unsigned port)
{
    return t->iobm && !(t->iobm[port / 8] & (1u << (port % 8)));
}

static void set_port(struct task *t, unsigned port, int allowed)
{
    if (allowed)
        t->iobm[port / 8] &= (uint8_t)~(1u << (port % 8));
    else
        t->iobm[port / 8] |= (uint8_t)(1u << (port % 8));
}

/* The TSS maps the running task's bitmap itself, so a change to it is seen at once; only
 * a bitmap just created for the running task has to be mapped in. */
static void changed(struct task *t)
{
    if (current() && current()->task == t)
        arch_io_switch(t);
}

int io_give_all(struct task *t)
{
    if (bitmap_for(t))
        return -1;
    memset(t->iobm, 0, L4_IO_PORTS / 8);
    return 0;
}

unsigned io_grant(struct task *src, struct task *dst, l4_fpage_t f)
{
    unsigned first = l4_iofpage_port(f), n = 1u << ((f >> 4) & 0x3f);
    if (!l4_iofpage_valid(f) || !src->iobm)
        return L4_ERR_MAP_FAILED;
    if (bitmap_for(dst))
        return L4_ERR_MAP_FAILED;
    for (unsigned p = first; p < first + n; p++)
        if (holds(src, p))
            set_port(dst, p, 1);
    changed(dst);
    return L4_OK;
}

void io_revoke(struct task *t, l4_fpage_t f, uint64_t flags, struct task *only)
{
    unsigned first = l4_iofpage_port(f), n = 1u << ((f >> 4) & 0x3f);
    for (unsigned i = 0; i < MAX_TASKS_LIVE; i++) {
        struct task *u = tasks[i];
        if (!u || !u->iobm || (only && u != only) || (u == t && !(flags & L4_UNMAP_SELF)))
            continue;
        for (unsigned p = first; p < first + n; p++)
            if (holds(t, p) || u == t)
                set_port(u, p, 0);
        changed(u);
    }
}

static void map_bitmap(const uint8_t *bm)
{
    uint64_t pa = virt_to_phys(bm);
    kmap_window(TSS_WINDOW + 0x1000, pa, 0);
    kmap_window(TSS_WINDOW + 0x2000, pa + 0x1000, 0);
    io_loaded = bm;
}

void io_task_deleted(struct task *t)
{
    if (!t->iobm)
        return;
    if (io_loaded == t->iobm)
        map_bitmap(io_deny[0]);   /* never leave a freed page mapped there */
    kpool_free(t->iobm, BITMAP_PAGES);
    t->iobm = NULL;
}

/* A task without ports: no bitmap at all (one store). A port holder: its own bitmap pages
 * mapped behind the TSS — two entries when it differs from the last holder, never a copy.
 * (arch/switch.h does the cases that need no mapping itself.) */
void arch_io_switch(struct task *next)
{
    if (!next || !next->iobm) {
        tss_set_iomap(0);
        return;
    }
    if (next->iobm != io_loaded)
        map_bitmap(next->iobm);
    tss_set_iomap(1);
}
