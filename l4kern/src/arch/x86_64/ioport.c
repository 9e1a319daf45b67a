/*
 * ioport.c — I/O ports for user tasks. A task that holds ports has an 8 KiB permission
 * bitmap (x86's convention: a set bit denies); the TSS carries the running task's copy,
 * and a task without ports runs with no bitmap at all, so every port faults.
 */
#include <k/cpu.h>
#include <k/irq.h>
#include <k/lib.h>
#include <k/mem.h>
#include <k/thread.h>

#define BITMAP_PAGES 2
static struct task *io_loaded;           /* whose bitmap the TSS holds */
extern uint8_t *const tss_iomap_ptr;
extern void tss_set_iomap(int on);

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

/* Changes to the loaded bitmap must reach the TSS before the task runs again. */
static void changed(struct task *t)
{
    if (io_loaded == t)
        io_loaded = NULL;
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

void io_task_deleted(struct task *t)
{
    if (io_loaded == t)
        io_loaded = NULL;
    if (t->iobm)
        kpool_free(t->iobm, BITMAP_PAGES);
    t->iobm = NULL;
}

void arch_io_switch(struct task *next)
{
    if (!next || !next->iobm) {
        tss_set_iomap(0);
        return;
    }
    if (io_loaded != next) {
        memcpy(tss_iomap_ptr, next->iobm, L4_IO_PORTS / 8);
        io_loaded = next;
    }
    tss_set_iomap(1);
}
