/* test_threads.c — lthread_ex_regs: create, read, set, refuse, halt, restart; FS base
 * and FPU state per thread. */
#include "ktest.h"

static volatile uint64_t flag[4];

static void set_flag0(void)
{
    flag[0] = 0x600d;
    kt_park();
}

static int flag0_set(void) { return flag[0] == 0x600d; }

KTEST("threads", "create_runs_the_new_thread", thr_create)
{
    flag[0] = 0;
    l4_threadid_t t = kt_spawn(1, set_flag0);
    KT_ASSERT(!l4_tid_is_nil(t));
    KT_EQ(l4_tid_task(t), l4_tid_task(kt_main));
    KT_EQ(l4_tid_lthread(t), 1);
    KT_ASSERT(kt_wait_until(flag0_set, 100));
    return 0;
}

KTEST("threads", "read_returns_registers_without_changing_them", thr_read)
{
    flag[0] = 0;
    l4_threadid_t t = kt_spawn(1, set_flag0);
    KT_ASSERT(kt_wait_until(flag0_set, 100));
    struct l4_exregs x = { .control = 1 };
    KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
    KT_EQ(x.control, t);
    KT_EQ(x.state & 0xff, L4_TSTATE_STOPPED);          /* it parked itself */
    KT_ASSERT(!(x.state & L4_STATE_FAULTED));
    struct l4_exregs y = { .control = 1 };
    KT_EQ(l4_lthread_ex_regs(&y), L4_OK);
    KT_EQ(y.ip, x.ip);
    KT_EQ(y.sp, x.sp);
    KT_EQ(y.flags, x.flags);
    KT_ASSERT(x.flags & (1 << 9));                     /* IF is always on */
    return 0;
}

KTEST("threads", "absent_threads_and_bad_controls_are_refused", thr_refuse)
{
    struct l4_exregs x = { .control = 77 };
    KT_EQ(l4_lthread_ex_regs(&x), L4_ERR_NO_PARTNER);
    x = (struct l4_exregs){ .control = 77 | L4_EXREGS_SET_IP, .ip = 0x1000 };
    KT_EQ(l4_lthread_ex_regs(&x), L4_ERR_INVALID);     /* creating needs ip and sp */
    x = (struct l4_exregs){ .control = 77 | (1ULL << 40) };
    KT_EQ(l4_lthread_ex_regs(&x), L4_ERR_INVALID);
    x = (struct l4_exregs){ .control = 77 };
    KT_EQ(l4_lthread_ex_regs(&x), L4_ERR_NO_PARTNER);  /* nothing was created */
    return 0;
}

KTEST("threads", "non_canonical_and_kernel_addresses_are_refused", thr_noncanonical)
{
    flag[0] = 0;
    l4_threadid_t t = kt_spawn(1, set_flag0);
    KT_ASSERT(kt_wait_until(flag0_set, 100));
    struct l4_exregs before = { .control = 1 };
    KT_EQ(l4_lthread_ex_regs(&before), L4_OK);
    const uint64_t bad[] = { 0x0000800000000000ULL, 0x8000000000000000ULL,
                             0xffffffff80100000ULL, 0x00ff000000000000ULL };
    const uint64_t what[] = { L4_EXREGS_SET_IP, L4_EXREGS_SET_SP, L4_EXREGS_SET_FS, L4_EXREGS_SET_GS };
    for (unsigned i = 0; i < 4; i++)
        for (unsigned j = 0; j < 4; j++) {
            struct l4_exregs x = { .control = 1 | what[j], .ip = bad[i], .sp = bad[i],
                                   .fs_base = bad[i], .gs_base = bad[i] };
            KT_EQ(l4_lthread_ex_regs(&x), L4_ERR_INVALID);
        }
    struct l4_exregs after = { .control = 1 };
    KT_EQ(l4_lthread_ex_regs(&after), L4_OK);
    KT_EQ(after.control, t);
    KT_EQ(after.ip, before.ip);
    KT_EQ(after.sp, before.sp);
    KT_EQ(after.fs_base, before.fs_base);
    KT_EQ(after.gs_base, before.gs_base);
    return 0;
}

KTEST("threads", "privileged_flag_bits_are_masked", thr_flags)
{
    flag[0] = 0;
    kt_spawn(1, set_flag0);
    KT_ASSERT(kt_wait_until(flag0_set, 100));
    /* IOPL=3, NT, RF, VM, VIF, VIP, and IF cleared: only the user's bits may stick. */
    struct l4_exregs x = { .control = 1 | L4_EXREGS_SET_FLAGS, .flags = 0x1b7000ULL | 0x1 };
    KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
    struct l4_exregs y = { .control = 1 };
    KT_EQ(l4_lthread_ex_regs(&y), L4_OK);
    KT_EQ(y.flags & 0x1b7000ULL, 0);
    KT_EQ(y.flags & 0x201, 0x201);                  /* CF kept, IF forced on */
    return 0;
}

KTEST("threads", "pager_and_exception_handler_round_trip", thr_pager)
{
    kt_spawn(1, set_flag0);
    struct l4_exregs x = { .control = 1 | L4_EXREGS_SET_PAGER | L4_EXREGS_SET_EXCH,
                           .pager = 0x1234567, .exc_handler = 0x89abcde };
    KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
    struct l4_exregs y = { .control = 1 };
    KT_EQ(l4_lthread_ex_regs(&y), L4_OK);
    KT_EQ(y.pager, 0x1234567);
    KT_EQ(y.exc_handler, 0x89abcde);
    return 0;
}

static uint64_t fs_cells[2][2] = { { 0x1111 }, { 0x2222 } };

static uint64_t read_fs0(void)
{
    uint64_t v;
    __asm__ volatile("movq %%fs:0, %0" : "=r"(v));
    return v;
}

static void fs_reader(void)
{
    unsigned me = l4_tid_lthread(l4_myself());
    for (int i = 0; i < 50; i++) {
        if (read_fs0() != fs_cells[me - 1][0])
            flag[me] = 2;
        l4_thread_switch(L4_NILTHREAD);
    }
    if (flag[me] != 2)
        flag[me] = 1;
    kt_park();
}

static int readers_done(void) { return flag[1] && flag[2]; }

KTEST("threads", "fs_base_is_per_thread", thr_fs)
{
    flag[1] = flag[2] = 0;
    for (unsigned s = 1; s <= 2; s++) {
        struct l4_exregs x = { .control = s | L4_EXREGS_SET_IP | L4_EXREGS_SET_SP | L4_EXREGS_HALT,
                               .ip = 0x1000, .sp = 0x1000 };
        l4_lthread_ex_regs(&x);                         /* make sure the slot exists, halted */
        x = (struct l4_exregs){ .control = s | L4_EXREGS_SET_FS, .fs_base = (uint64_t)fs_cells[s - 1] };
        KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
        kt_spawn(s, fs_reader);
    }
    KT_ASSERT(kt_wait_until(readers_done, 500));
    KT_EQ(flag[1], 1);
    KT_EQ(flag[2], 1);
    return 0;
}

static void fpu_worker(void)
{
    unsigned me = l4_tid_lthread(l4_myself());
    uint64_t mine = 0x1234567890abcdefULL * me, got = 0;
    __asm__ volatile("movq %0, %%xmm7" : : "r"(mine) : "xmm7");
    for (int i = 0; i < 50; i++) {
        l4_thread_switch(L4_NILTHREAD);
        __asm__ volatile("movq %%xmm7, %0" : "=r"(got));
        if (got != mine)
            break;
    }
    flag[me] = got == mine ? 1 : 2;
    kt_park();
}

KTEST("threads", "sse_registers_survive_switches", thr_fpu)
{
    flag[1] = flag[2] = 0;
    kt_spawn(1, fpu_worker);
    kt_spawn(2, fpu_worker);
    KT_ASSERT(kt_wait_until(readers_done, 500));
    KT_EQ(flag[1], 1);
    KT_EQ(flag[2], 1);
    return 0;
}

static void spin_forever(void)
{
    for (;;)
        flag[3]++;
}

KTEST("threads", "halt_stops_and_set_ip_sp_restarts", thr_halt_restart)
{
    flag[0] = 0;
    l4_threadid_t t = kt_spawn(1, spin_forever);
    l4_thread_switch(t);
    struct l4_exregs x = { .control = 1 | L4_EXREGS_HALT };
    KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
    uint64_t v = flag[3];
    for (int i = 0; i < 5; i++)
        l4_thread_switch(L4_NILTHREAD);
    KT_EQ(flag[3], v);                                   /* it no longer runs */
    KT_EQ(kt_state(t) & 0xff, L4_TSTATE_STOPPED);
    KT_EQ(kt_spawn(1, set_flag0), t);                    /* same slot, same id */
    KT_ASSERT(kt_wait_until(flag0_set, 100));
    return 0;
}
