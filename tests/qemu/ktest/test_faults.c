/* test_faults.c — a user thread's exception or foreign call stops that thread only. */
#include "ktest.h"

static volatile uint64_t survived;

static void divide_by_zero(void)
{
    volatile int zero = 0;
    survived = 10 / zero;
    survived = 1;
    kt_park();
}
static void touch_kernel(void)
{
    survived = *(volatile uint64_t *)0xffffffff80100000ULL;
    survived = 1;
    kt_park();
}
static void write_kernel(void)
{
    *(volatile uint64_t *)0xffff800000001000ULL = 5;
    survived = 1;
    kt_park();
}
static void privileged_cli(void)
{
    __asm__ volatile("cli");
    survived = 1;
    kt_park();
}
static void privileged_cr3(void)
{
    __asm__ volatile("mov %%rax, %%cr3" : : "a"(0));
    survived = 1;
    kt_park();
}
static void io_port(void)
{
    __asm__ volatile("outb %%al, $0xf4" : : "a"(1));
    survived = 1;
    kt_park();
}
static void unmapped_user(void)
{
    uint64_t *volatile p = (uint64_t *)0x8;
    survived = *(volatile uint64_t *)p;
    survived = 1;
    kt_park();
}
static void plain_breakpoint(void)
{
    __asm__ volatile("int3; nop");
    survived = 1;
    kt_park();
}
static void linux_getpid(void)
{
    register uint64_t rax __asm__("rax") = 39;
    __asm__ volatile("syscall" : "+r"(rax) : : "rcx", "r11", "memory");
    survived = 1;
    kt_park();
}
static void x32_syscall(void)
{
    register uint64_t rax __asm__("rax") = 0x40000000ULL + 39;
    __asm__ volatile("syscall" : "+r"(rax) : : "rcx", "r11", "memory");
    survived = 1;
    kt_park();
}
static void int80(void)
{
    __asm__ volatile("int $0x80");
    survived = 1;
    kt_park();
}
static void below_l4_range(void)
{
    register uint64_t rax __asm__("rax") = 0x4c340000ULL - 1;
    __asm__ volatile("syscall" : "+r"(rax) : : "rcx", "r11", "memory");
    survived = 1;
    kt_park();
}
static void above_l4_range(void)
{
    register uint64_t rax __asm__("rax") = 0x4c340000ULL + 7;
    __asm__ volatile("syscall" : "+r"(rax) : : "rcx", "r11", "memory");
    survived = 1;
    kt_park();
}

/* Runs fn in slot 1 and checks it stopped with `vector` without reaching its next line. */
static int expect_stop(void (*fn)(void), unsigned vector, uint64_t fault_addr)
{
    survived = 0;
    l4_threadid_t t = kt_spawn(1, fn);
    for (int i = 0; i < 3; i++)
        l4_thread_switch(t);
    struct l4_exregs x = { .control = 1 };
    KT_EQ(l4_lthread_ex_regs(&x), L4_OK);
    KT_EQ(x.state & 0xff, L4_TSTATE_STOPPED);
    KT_ASSERT(x.state & L4_STATE_FAULTED);
    KT_EQ((x.state >> 8) & 0xff, vector);
    if (fault_addr)
        KT_EQ(x.fault_addr, fault_addr);
    KT_EQ(survived, 0);
    return 0;
}

KTEST("faults", "divide_by_zero_stops_the_thread", f_div0) { return expect_stop(divide_by_zero, 0, 0); }
KTEST("faults", "reading_kernel_memory_stops_the_thread", f_kread)
{
    return expect_stop(touch_kernel, 14, 0xffffffff80100000ULL);
}
KTEST("faults", "writing_the_direct_map_stops_the_thread", f_kwrite)
{
    return expect_stop(write_kernel, 14, 0xffff800000001000ULL);
}
KTEST("faults", "cli_stops_the_thread", f_cli) { return expect_stop(privileged_cli, 13, 0); }
KTEST("faults", "mov_to_cr3_stops_the_thread", f_cr3) { return expect_stop(privileged_cr3, 13, 0); }
/* Root holds every port when there is no sigma0: it gives up the exit port first. */
KTEST("faults", "io_port_without_permission_stops_the_thread", f_io)
{
    KT_EQ(l4_fpage_unmap(l4_iofpage(0xf4, 2), L4_UNMAP_SELF, 0, 0), L4_OK);
    return expect_stop(io_port, 13, 0);
}
KTEST("faults", "unmapped_user_address_stops_the_thread", f_null) { return expect_stop(unmapped_user, 14, 8); }
KTEST("faults", "plain_int3_is_a_breakpoint_not_kdebug", f_int3) { return expect_stop(plain_breakpoint, 3, 0); }
KTEST("faults", "int_0x80_is_not_a_system_call", f_int80) { return expect_stop(int80, 13, 0); }
KTEST("faults", "linux_syscall_number_is_foreign", f_linux)
{
    return expect_stop(linux_getpid, L4_FAULT_BAD_SYSCALL, 0);
}
KTEST("faults", "x32_syscall_number_is_foreign", f_x32)
{
    return expect_stop(x32_syscall, L4_FAULT_BAD_SYSCALL, 0);
}
KTEST("faults", "numbers_next_to_the_l4_range_are_foreign", f_edges)
{
    if (expect_stop(below_l4_range, L4_FAULT_BAD_SYSCALL, 0))
        return 1;
    return expect_stop(above_l4_range, L4_FAULT_BAD_SYSCALL, 0);
}

static void echo_once(void)
{
    l4_msg_t m;
    l4_threadid_t f = L4_NILTHREAD;
    uint64_t r = l4_receive(&f, &m, L4_TIMEOUT_NEVER);
    m.w[0]++;
    l4_reply_wait(&f, l4_msgtag(0, l4_msgtag_u(l4_ipc_tag(r)), 0), &m, L4_TIMEOUT_NEVER);
    kt_park();
}

KTEST("faults", "the_system_runs_on_after_faults", f_alive)
{
    if (expect_stop(divide_by_zero, 0, 0))
        return 1;
    l4_threadid_t t = kt_spawn(2, echo_once);
    l4_msg_t m = { { 41 } };
    KT_EQ(l4_ipc_error(l4_call(t, l4_msgtag(0, 1, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER)), L4_OK);
    KT_EQ(m.w[0], 42);
    /* And the faulted slot can be restarted. */
    KT_EQ(kt_spawn(1, echo_once), kt_slot_id(1));
    return 0;
}
