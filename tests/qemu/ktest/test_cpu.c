/*
 * test_cpu.c — what a task can make the CPU do beyond the system calls must not reach
 * another thread or the kernel (issue 16): segment loads that change the live FS/GS base,
 * selectors of the LDT.
 */
#include "ktest.h"

#define ROUNDS 300

/* Each thread's FS or GS base points at a cell whose word 0 is its own address (like a
 * UTCB's). The loader and the reader get the SAME base, so a kernel that caches "the base
 * it loaded last" and skips the reload lets the loader's segment load reach the reader. */
static uint64_t cell[2] __attribute__((aligned(64)));
static volatile unsigned seg_bad, seg_done, seg_fs;
static l4_threadid_t loader_id, reader_id;

static void loader(void)
{
    for (unsigned i = 0; i < ROUNDS; i++) {
        if (seg_fs)
            __asm__ volatile("mov %0, %%fs" : : "r"((uint16_t)0x23));
        else
            __asm__ volatile("mov %0, %%gs" : : "r"((uint16_t)0x23));
        l4_thread_switch(reader_id);
    }
    kt_park();
}

static void reader(void)
{
    for (unsigned i = 0; i < ROUNDS; i++) {
        uint64_t v;
        if (seg_fs)
            __asm__ volatile("movq %%fs:0, %0" : "=r"(v));
        else
            __asm__ volatile("movq %%gs:0, %0" : "=r"(v));
        seg_bad += v != (uint64_t)cell;
        l4_thread_switch(loader_id);
    }
    seg_done = 1;
    kt_park();
}

static int reader_done(void) { return seg_done; }

/* Sets slot's FS or GS base; returns the old one. */
static uint64_t set_base(unsigned slot, int fs, uint64_t base)
{
    struct l4_exregs x = { .control = slot | (fs ? L4_EXREGS_SET_FS : L4_EXREGS_SET_GS),
                           .fs_base = base, .gs_base = base };
    l4_lthread_ex_regs(&x);
    return fs ? x.fs_base : x.gs_base;
}

static int segment_race(int fs)
{
    cell[0] = (uint64_t)cell;
    seg_bad = seg_done = 0;
    seg_fs = (unsigned)fs;
    loader_id = kt_spawn(1, loader);
    reader_id = kt_spawn(2, reader);
    uint64_t old1 = set_base(1, fs, (uint64_t)cell), old2 = set_base(2, fs, (uint64_t)cell);
    int finished = kt_wait_until(reader_done, 2000);
    uint64_t state = kt_state(reader_id);
    kt_halt_all();
    set_base(1, fs, old1);                 /* GS: the UTCB again, for later tests */
    set_base(2, fs, old2);
    printf("  %s: %u of %u reads saw another base; reader %s\n", fs ? "fs" : "gs", seg_bad,
           ROUNDS, finished ? "finished" : "did not finish (stopped?)");
    KT_ASSERT(!(state & L4_STATE_FAULTED));
    KT_ASSERT(finished);
    KT_EQ(seg_bad, 0);
    return 0;
}

KTEST("cpu", "another_threads_gs_load_never_changes_my_gs_base", cpu_gs) { return segment_race(0); }
KTEST("cpu", "another_threads_fs_load_never_changes_my_fs_base", cpu_fs) { return segment_race(1); }

static void load_ldt_selector(void)
{
    __asm__ volatile("mov %0, %%es" : : "r"((uint16_t)0x7));   /* index 0, TI = LDT, RPL 3 */
    kt_survived = 1;
    kt_park();
}

/* With no LDT loaded, any LDT selector is #GP (vector 13) for the task — never a
 * descriptor read from wherever a reset-state LDT points (linear address 0). */
KTEST("cpu", "an_ldt_selector_is_a_general_protection_fault", cpu_ldt)
{
    return kt_expect_stop(load_ldt_selector, 13, 0);
}
