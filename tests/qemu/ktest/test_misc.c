/* test_misc.c — id_nearest, the calls not yet provided, kdebug's pointer checks, the KIP. */
#include "ktest.h"

static void park_now(void) { kt_park(); }

KTEST("misc", "id_nearest_of_nil_is_myself", misc_myself)
{
    uint64_t type = 99, err = 99;
    l4_threadid_t me = l4_id_nearest(L4_NILTHREAD, &type, &err);
    KT_EQ(err, L4_OK);
    KT_EQ(type, L4_NEAREST_SAME_CLAN);
    KT_EQ(me, kt_main);
    KT_EQ(l4_tid_task(me), L4_TASK_ROOT);
    KT_EQ(l4_tid_lthread(me), 0);
    KT_ASSERT(l4_tid_version(me) != 0);
    return 0;
}

KTEST("misc", "id_nearest_of_a_thread_and_of_a_stale_id", misc_nearest)
{
    l4_threadid_t t = kt_spawn(1, park_now);
    uint64_t type = 99, err = 99;
    KT_EQ(l4_id_nearest(t, &type, &err), t);
    KT_EQ(err, L4_OK);
    KT_EQ(type, L4_NEAREST_SAME_CLAN);
    l4_threadid_t stale = l4_tid_make(l4_tid_task(t), 1, l4_tid_version(t) + 1);
    l4_id_nearest(stale, &type, &err);
    KT_EQ(err, L4_ERR_NO_PARTNER);
    return 0;
}

KTEST("misc", "fpage_unmap_and_task_new_refuse_malformed_arguments", misc_bad_args)
{
    KT_EQ(l4_fpage_unmap(0, 0, 0, 0), L4_ERR_INVALID);                        /* size 0 */
    KT_EQ(l4_fpage_unmap(l4_fpage(0x1000, 13, 7), 0, 0, 0), L4_ERR_INVALID);  /* misaligned */
    KT_EQ(l4_fpage_unmap(l4_fpage(0, 48, 7), 0, 0, 0), L4_ERR_INVALID);       /* too big */
    KT_EQ(l4_fpage_unmap(l4_fpage(0x100000, 12, 0), 0x80, 0, 0), L4_ERR_INVALID);
    KT_EQ(l4_fpage_unmap(l4_fpage(0x100000, 12, 0), L4_UNMAP_ONE_TASK, 999, 0), L4_ERR_INVALID);
    KT_EQ(l4_task_new(5000, 0x1000, 0x1000, 0, 0, 0, 0), L4_ERR_INVALID);
    KT_EQ(l4_task_new(L4_TASK_ROOT, 0x1000, 0x1000, 0, 0, 0, 0), L4_ERR_INVALID);
    KT_EQ(l4_task_new(L4_TASK_ANY, 0xffffffff80000000ULL, 0x1000, 0, 0, 0, 0), L4_ERR_INVALID);
    KT_EQ(l4_task_delete(700), L4_ERR_NO_PARTNER);
    return 0;
}

/* Bad pointers are reported in the kernel log, never followed; the caller carries on. */
KTEST("misc", "kdebug_checks_user_pointers", misc_kdebug)
{
    l4_kdb_puts((const char *)0xffffffff80100000ULL, 16);
    l4_kdb_puts((const char *)0x10, 16);
    l4_kdb_puts((const char *)0x00007ffffffff000ULL, ~0ULL);
    l4_kdb_puts("kdebug survives\n", 16);
    l4_kdb_putc('\n');
    return 0;
}

KTEST("misc", "kernel_info_page_describes_the_machine", misc_kip)
{
    const volatile struct l4_kip *k = rt_kip;
    KT_EQ(k->magic, L4_KIP_MAGIC);
    KT_EQ(k->api_version, L4_KIP_API_VERSION);
    KT_EQ(k->timer_hz, 1000);
    KT_ASSERT(k->tsc_hz > 1000000);
    KT_ASSERT(k->boot_time > 1577836800ULL);               /* after 2020-01-01 */
    KT_ASSERT(k->boot_archive_size > 0);
    KT_ASSERT(k->kpool_free <= k->kpool_total && k->kpool_total > 0);
    int free_ram = 0, kernel = 0, boot = 0;
    for (unsigned i = 0; i < k->mem_count; i++) {
        free_ram |= k->mem[i].type == L4_MEM_FREE;
        kernel |= k->mem[i].type == L4_MEM_KERNEL;
        boot |= k->mem[i].type == L4_MEM_BOOT && k->mem[i].base == k->boot_archive_base;
    }
    KT_ASSERT(free_ram && kernel && boot);
    uint64_t t0 = k->ticks;
    l4_msg_t m;
    l4_threadid_t f = L4_NILTHREAD;
    l4_receive(&f, &m, l4_timeout_from_us(3000));
    KT_ASSERT(k->ticks > t0);
    KT_ASSERT(k->idle_tsc > 0);                /* we slept: the idle loop ran */
    return 0;
}

KTEST("misc", "kip_is_read_only", misc_kip_ro)
{
    /* A write to the KIP must fault (and stop only the writer). */
    extern void kip_writer(void);
    l4_threadid_t t = kt_spawn(1, kip_writer);
    l4_thread_switch(t);
    KT_EQ(kt_state(t) & 0xff, L4_TSTATE_STOPPED);
    KT_EQ((kt_state(t) >> 8) & 0xff, 14);
    KT_EQ(rt_kip->magic, L4_KIP_MAGIC);
    return 0;
}

void kip_writer(void)
{
    *(volatile uint32_t *)&rt_kip->magic = 0;
    kt_park();
}

KTEST("misc", "thread_creation_takes_and_keeps_kernel_pool_pages", misc_kpool)
{
    uint64_t before = rt_kip->kpool_free;
    l4_threadid_t t = kt_spawn(9, park_now);     /* a slot no earlier test used */
    KT_ASSERT(!l4_tid_is_nil(t));
    uint64_t after = rt_kip->kpool_free;
    KT_ASSERT(after < before || kt_spawn(9, park_now) == t);  /* new TCB, or slot reused */
    KT_EQ(rt_kip->kpool_free, after);                        /* restarting costs nothing */
    return 0;
}
