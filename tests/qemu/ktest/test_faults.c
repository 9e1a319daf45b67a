/* test_faults.c — a user thread's exception or foreign call stops that thread only. */
#include "ktest.h"


static void divide_by_zero(void)
{
    volatile int zero = 0;
    kt_survived = 10 / zero;
    kt_survived = 1;
    kt_park();
}
static void touch_kernel(void)
{
    kt_survived = *(volatile uint64_t *)0xffffffff80100000ULL;
    kt_survived = 1;
    kt_park();
}
static void write_kernel(void)
{
    *(volatile uint64_t *)0xffff800000001000ULL = 5;
    kt_survived = 1;
    kt_park();
}
static void privileged_cli(void)
{
    __asm__ volatile("cli");
    kt_survived = 1;
    kt_park();
}
static void privileged_cr3(void)
{
    __asm__ volatile("mov %%rax, %%cr3" : : "a"(0));
    kt_survived = 1;
    kt_park();
}
static void io_port(void)
{
    __asm__ volatile("outb %%al, $0xf4" : : "a"(1));
    kt_survived = 1;
    kt_park();
}
static void unmapped_user(void)
{
    uint64_t *volatile p = (uint64_t *)0x8;
    kt_survived = *(volatile uint64_t *)p;
    kt_survived = 1;
    kt_park();
}
static void plain_breakpoint(void)
{
    __asm__ volatile("int3; nop");
    kt_survived = 1;
    kt_park();
}
static void linux_getpid(void)
{
    register uint64_t rax __asm__("rax") = 39;
    __asm__ volatile("syscall" : "+r"(rax) : : "rcx", "r11", "memory");
    kt_survived = 1;
    kt_park();
}
static void x32_syscall(void)
{
    register uint64_t rax __asm__("rax") = 0x40000000ULL + 39;
    __asm__ volatile("syscall" : "+r"(rax) : : "rcx", "r11", "memory");
    kt_survived = 1;
    kt_park();
}
static void int80(void)
{
    __asm__ volatile("int $0x80");
    kt_survived = 1;
    kt_park();
}
static void below_l4_range(void)
{
    register uint64_t rax __asm__("rax") = 0x4c340000ULL - 1;
    __asm__ volatile("syscall" : "+r"(rax) : : "rcx", "r11", "memory");
    kt_survived = 1;
    kt_park();
}
static void above_l4_range(void)
{
    register uint64_t rax __asm__("rax") = 0x4c340000ULL + 7;
    __asm__ volatile("syscall" : "+r"(rax) : : "rcx", "r11", "memory");
    kt_survived = 1;
    kt_park();
}

KTEST("faults", "divide_by_zero_stops_the_thread", f_div0) { return kt_expect_stop(divide_by_zero, 0, 0); }
KTEST("faults", "reading_kernel_memory_stops_the_thread", f_kread)
{
    return kt_expect_stop(touch_kernel, 14, 0xffffffff80100000ULL);
}
KTEST("faults", "writing_the_direct_map_stops_the_thread", f_kwrite)
{
    return kt_expect_stop(write_kernel, 14, 0xffff800000001000ULL);
}
KTEST("faults", "cli_stops_the_thread", f_cli) { return kt_expect_stop(privileged_cli, 13, 0); }
KTEST("faults", "mov_to_cr3_stops_the_thread", f_cr3) { return kt_expect_stop(privileged_cr3, 13, 0); }
/* Root holds every port when there is no sigma0: it gives up the exit port first. */
KTEST("faults", "io_port_without_permission_stops_the_thread", f_io)
{
    KT_EQ(l4_fpage_unmap(l4_iofpage(0xf4, 2), L4_UNMAP_SELF, 0, 0), L4_OK);
    return kt_expect_stop(io_port, 13, 0);
}
KTEST("faults", "unmapped_user_address_stops_the_thread", f_null) { return kt_expect_stop(unmapped_user, 14, 8); }
KTEST("faults", "plain_int3_is_a_breakpoint_not_kdebug", f_int3) { return kt_expect_stop(plain_breakpoint, 3, 0); }
KTEST("faults", "int_0x80_is_not_a_system_call", f_int80) { return kt_expect_stop(int80, 13, 0); }
KTEST("faults", "linux_syscall_number_is_foreign", f_linux)
{
    return kt_expect_stop(linux_getpid, L4_FAULT_BAD_SYSCALL, 0);
}
KTEST("faults", "x32_syscall_number_is_foreign", f_x32)
{
    return kt_expect_stop(x32_syscall, L4_FAULT_BAD_SYSCALL, 0x40000000ULL + 39);
}
KTEST("faults", "numbers_next_to_the_l4_range_are_foreign", f_edges)
{
    if (kt_expect_stop(below_l4_range, L4_FAULT_BAD_SYSCALL, 0x4c340000ULL - 1))
        return 1;
    return kt_expect_stop(above_l4_range, L4_FAULT_BAD_SYSCALL, 0x4c340000ULL + 7);
}
/* Issue 16, bug 5: r15 of lthread_ex_regs was 0 for a stopped foreign call. */
KTEST("faults", "a_stopped_foreign_call_leaves_its_number_in_r15", f_linux_nr)
{
    return kt_expect_stop(linux_getpid, L4_FAULT_BAD_SYSCALL, 39);
}

/* ---- Handlers that can never answer (issue 16, bug 7) ----
 * A helper first makes itself (or `other_handler`, if set) its pager or exception
 * handler, as `own_set` says; slot 1 gets the main thread's handlers back after each test. */
static volatile uint64_t own_set;
static volatile l4_threadid_t other_handler;
static volatile uint64_t handler_got;

static void take_handlers(void)
{
    l4_threadid_t me = l4_myself();
    l4_threadid_t h = other_handler != L4_NILTHREAD ? other_handler : me;
    struct l4_exregs x = { .control = l4_tid_lthread(me) | own_set, .pager = h, .exc_handler = h };
    l4_lthread_ex_regs(&x);
}
static void pager_touches_unmapped(void)
{
    take_handlers();
    uint64_t *volatile p = (uint64_t *)0x18;
    kt_survived = *(volatile uint64_t *)p;
    kt_survived = 1;
    kt_park();
}
static void handler_runs_ud2(void)
{
    take_handlers();
    __asm__ volatile("ud2");
    kt_survived = 1;
    kt_park();
}
static void handler_runs_linux_call(void)
{
    take_handlers();
    linux_getpid();
}

static void restore_slot1_handlers(void)
{
    kt_main_handlers(1);
    own_set = 0;
    other_handler = L4_NILTHREAD;
}

/* Runs fn in slot 1 with the handlers own_set and h ask for, as expect_stop does. */
static int expect_stop_with(void (*fn)(void), uint64_t set, l4_threadid_t h, unsigned vector,
                            uint64_t fault_addr)
{
    own_set = set;
    other_handler = h;
    int r = kt_expect_stop(fn, vector, fault_addr);
    restore_slot1_handlers();
    return r;
}

KTEST("faults", "a_thread_that_is_its_own_pager_stops_on_a_page_fault", f_own_pager)
{
    return expect_stop_with(pager_touches_unmapped, L4_EXREGS_SET_PAGER, L4_NILTHREAD, 14, 0x18);
}
KTEST("faults", "a_thread_that_is_its_own_exception_handler_stops_on_ud2", f_own_exch)
{
    return expect_stop_with(handler_runs_ud2, L4_EXREGS_SET_EXCH, L4_NILTHREAD, 6, 0);
}
KTEST("faults", "its_own_pager_and_exception_handler_stops_on_a_page_fault", f_own_both)
{
    return expect_stop_with(pager_touches_unmapped, L4_EXREGS_SET_PAGER | L4_EXREGS_SET_EXCH,
                            L4_NILTHREAD, 14, 0x18);
}

/* An exception handler that takes at most 8 words: the 23-word message never fits. */
static void narrow_handler(void)
{
    l4_utcb()->rcv_max_words = 8;
    for (;;) {
        l4_threadid_t from = L4_NILTHREAD;
        l4_msg_t m;
        if (!l4_ipc_error(l4_receive(&from, &m, L4_TIMEOUT_NEVER)))
            handler_got++;
    }
}

KTEST("faults", "a_handler_that_refuses_the_exception_message_stops_the_thread", f_narrow)
{
    handler_got = 0;
    l4_threadid_t h = kt_spawn(2, narrow_handler);
    l4_thread_switch(h);
    if (expect_stop_with(handler_runs_ud2, L4_EXREGS_SET_EXCH, h, 6, 0))
        return 1;
    KT_EQ(handler_got, 0);
    return 0;
}

/* A handler that records a foreign call's short message, asks for the full set, records
 * that too, and never answers. */
static volatile uint64_t seen_vector, seen_nr, seen_rip, seen_addr, seen_rax, seen_tags[2];
static void recording_handler(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    uint64_t r = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    if (!l4_ipc_error(r)) {
        seen_tags[0] = l4_ipc_tag(r);
        seen_vector = m.w[L4_EXS_VECTOR];
        seen_nr = m.w[L4_EXS_NR];
        seen_rip = m.w[L4_EXS_RIP];
        r = l4_call(from, l4_msgtag(L4_LABEL_EXC_FULL, 0, 0), &m, L4_TIMEOUT_NEVER,
                    L4_TIMEOUT_NEVER);
        seen_tags[1] = l4_ipc_error(r) ? r : l4_ipc_tag(r);
        seen_addr = m.w[L4_EXC_ADDR];
        seen_rax = m.w[L4_EXC_RAX];
        handler_got = seen_rip == m.w[L4_EXC_RIP] ? 1 : 2;
    }
    kt_park();
}
static int handler_saw_it(void) { return handler_got != 0; }

KTEST("faults", "a_foreign_call_names_its_number_in_the_short_message_and_the_full_set", f_exc_addr)
{
    handler_got = seen_vector = seen_nr = seen_rip = seen_addr = seen_rax = 0;
    l4_threadid_t h = kt_spawn(2, recording_handler);
    own_set = L4_EXREGS_SET_EXCH;
    other_handler = h;
    kt_spawn(1, handler_runs_linux_call);
    int saw = kt_wait_until(handler_saw_it, 100);
    restore_slot1_handlers();
    KT_ASSERT(saw);
    KT_EQ(seen_tags[0], l4_msgtag(L4_LABEL_EXCEPTION, L4_EXS_WORDS, 0));
    KT_EQ(seen_vector, L4_EXC_SYSCALL);
    KT_EQ(seen_nr, 39);
    KT_EQ(seen_tags[1], l4_msgtag(L4_LABEL_EXCEPTION, L4_EXC_WORDS, 0));
    KT_EQ(seen_addr, 39);
    KT_EQ(seen_rax, 39);
    KT_EQ(handler_got, 1);                  /* RIP alike in both messages */
    return 0;
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
    if (kt_expect_stop(divide_by_zero, 0, 0))
        return 1;
    l4_threadid_t t = kt_spawn(2, echo_once);
    l4_msg_t m = { { 41 } };
    KT_EQ(l4_ipc_error(l4_call(t, l4_msgtag(0, 1, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER)), L4_OK);
    KT_EQ(m.w[0], 42);
    /* And the faulted slot can be restarted. */
    KT_EQ(kt_spawn(1, echo_once), kt_slot_id(1));
    return 0;
}
