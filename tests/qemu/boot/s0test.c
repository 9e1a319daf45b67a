/*
 * s0test.c — sigma0's protocol tested from the root task's seat (it boots as "root",
 * with sigma0 as its pager). "suite=sigma0" runs the checks that hold today;
 * "suite=sigma0_revoke" the one that needs fpage_unmap to reach mappings derived from
 * sigma0's window. Output and exit code follow tests/qemu/run-qemu-test.
 */
#include <native/rt.h>
#include <l4/irq.h>
#include <l4/errors.h>
#include <l4/kdebug.h>
#include <sas/proto/sigma0_client.h>

#define WIN_BASE 0x0000000600000000ULL     /* test windows: one 4 MiB slot each */
#define FAULT_VA 0x0000000700000000ULL     /* nothing mapped here: sigma0 must fill it */

static l4_threadid_t s0;
static unsigned n, failed;

static void check(int ok, const char *name)
{
    printf("%s %u - sigma0.%s\n", ok ? "ok" : "not ok", ++n, name);
    failed += !ok;
}

static l4_fpage_t win(unsigned i, unsigned log2)
{
    return l4_fpage(WIN_BASE + (uint64_t)i * 0x400000, log2, L4_FPAGE_RWX);
}
static volatile uint64_t *winp(unsigned i) { return (volatile uint64_t *)(WIN_BASE + (uint64_t)i * 0x400000); }

static uint64_t free_now(void)
{
    struct sigma0_info in = { 0 };
    sigma0_info(s0, &in);
    return in.free_pages;
}

static uint64_t kip_range(uint32_t type)
{
    for (uint32_t i = 0; i < rt_kip->mem_count; i++)
        if (rt_kip->mem[i].type == type)
            return rt_kip->mem[i].base;
    return 0;
}

static void test_any(void)
{
    uint64_t pa = 0, before = free_now();
    enum sas_error e = sigma0_alloc(s0, 12, win(0, 12), &pa);
    check(!e && pa && !(pa & 0xfff) && *winp(0) == 0 && free_now() == before - 1, "any_page");
    *winp(0) = 0x1234;
    check(*winp(0) == 0x1234, "any_page_writable");
    uint64_t big = 0;
    e = sigma0_alloc(s0, 16, win(1, 16), &big);
    check(!e && !(big & 0xffff) && winp(1)[8191] == 0 && free_now() == before - 17, "any_64k_aligned");
    check(!sigma0_free(s0, big, 16) && free_now() == before - 1, "return_64k");
    check(!sigma0_free(s0, pa, 12) && free_now() == before, "return_page");
    /* Return and re-request: the very page, now by address. */
    check(!sigma0_alloc_phys(s0, pa, 12, win(2, 12)) && free_now() == before - 1, "rerequest_given_page");
    check(sigma0_alloc_phys(s0, pa, 12, win(3, 12)) == SAS_EPAGE_OWNED, "second_owner_refused");
    check(sigma0_alloc(s0, 12, win(3, 12), &big) == SAS_OK && big != pa, "any_skips_owned");
    check(!sigma0_free(s0, big, 12) && !sigma0_free(s0, pa, 12), "return_both");
    check(sigma0_free(s0, pa, 12) == SAS_EPAGE_DENIED, "free_twice_denied");
    check(free_now() == before, "free_count_restored");
}

static void test_special(void)
{
    uint64_t kern = kip_range(L4_MEM_KERNEL), boot = rt_kip->boot_archive_base;
    check(kern && sigma0_alloc_phys(s0, kern & ~0xfffULL, 12, win(4, 12)) == SAS_EPAGE_KERNEL,
          "kernel_range_refused");
    check(sigma0_alloc_phys(s0, SIGMA0_LAPIC_PAGE, 12, win(4, 12)) == SAS_EPAGE_KERNEL,
          "local_apic_refused");
    check(sigma0_free(s0, kern & ~0xfffULL, 12) == SAS_EPAGE_DENIED, "kernel_free_denied");
    /* Device memory: the VGA hole below RAM's top, the I/O APIC above it. */
    check(!sigma0_alloc_phys(s0, 0xa0000, 12, win(5, 12)), "device_page_in_hole");
    check(sigma0_alloc_phys(s0, 0xa0000, 12, win(6, 12)) == SAS_EPAGE_OWNED, "device_second_owner");
    check(!sigma0_alloc_phys(s0, 0xfec00000, 12, win(7, 12)), "device_page_above_ram");
    check(sigma0_alloc_phys(s0, 0xfec00000, 12, win(7, 12)) == SAS_EPAGE_OWNED, "device_above_owned");
    check(!sigma0_free(s0, 0xa0000, 12) && !sigma0_free(s0, 0xfec00000, 12), "device_return");
    check(!sigma0_alloc_phys(s0, boot & ~0xfffULL, 12, win(8, 12)) &&
          !memcmp((const void *)(WIN_BASE + 8 * 0x400000ULL + (boot & 0xfff)), "070701", 6),
          "boot_archive_to_root");
}

static void test_bad(void)
{
    uint64_t pa, before = free_now();
    l4_msg_t m = { { 0 } };
    check(sigma0_call_(s0, 0x12345, 3, &m, L4_FPAGE_NIL) == SAS_ENOTSUP, "unknown_label");
    check(sigma0_alloc(s0, 11, win(9, 12), &pa) == SAS_EINVAL, "size_too_small");
    check(sigma0_alloc(s0, 99, win(9, 12), &pa) == SAS_EINVAL, "size_too_large");
    check(sigma0_alloc_phys(s0, 0x123, 12, win(9, 12)) == SAS_EINVAL, "misaligned");
    check(sigma0_alloc_phys(s0, L4_SIGMA0_PHYS_SIZE, 12, win(9, 12)) == SAS_EINVAL, "beyond_window");
    check(sigma0_call_(s0, SIGMA0_ALLOC, 0, &m, win(9, 12)) == SAS_EINVAL, "missing_words");
    check(sigma0_alloc(s0, 12, L4_FPAGE_NIL, &pa) == SAS_EPAGE_NOWINDOW && free_now() == before,
          "no_window_taken_back");
    /* A map item sent to sigma0 is refused by its nil window; sigma0 lives on. */
    l4_msg_t item = { { l4_fpage(0x1000000, 12, L4_FPAGE_R), 0 } };
    uint64_t res = l4_send(s0, l4_msgtag(SIGMA0_INFO, 0, 2), &item, L4_TIMEOUT_NEVER);
    check(l4_ipc_error(res) == L4_ERR_MAP_FAILED && free_now() == before, "item_to_sigma0_refused");
}

static void test_fault(void)
{
    uint64_t before = free_now();
    volatile uint64_t *p = (volatile uint64_t *)FAULT_VA;
    uint64_t v = *p;
    *p = 77;
    check(v == 0 && *p == 77 && free_now() == before - 1, "fault_maps_zeroed_page");
}

static void test_revoke(void)
{
    uint64_t pa;
    check(!sigma0_alloc(s0, 12, win(10, 12), &pa), "revoke_alloc");
    *winp(10) = 0xdead;
    sigma0_free(s0, pa, 12);
    /* Revoked, the address faults and sigma0 fills it with a fresh zeroed page. */
    check(*winp(10) == 0, "returned_page_revoked");
}

static inline void outb80(uint8_t v) { __asm__ volatile("outb %0, $0x80" : : "a"(v)); }

/* Ports and interrupt lines come from sigma0 too, once each. */
static void test_devices(void)
{
    check(sigma0_io(s0, 0x80, 0) == SAS_OK, "io_port_given");
    outb80(1);                                  /* would stop this task without the port */
    check(1, "io_port_usable");
    check(sigma0_io(s0, 0x80, 0) == SAS_EPAGE_OWNED, "io_second_owner_refused");
    check(sigma0_io(s0, 0x81, 1) == SAS_EINVAL, "io_misaligned_refused");
    check(sigma0_irq(s0, 8) == SAS_OK, "irq_line_given");
    l4_threadid_t f = l4_irq_id(8);
    l4_msg_t m;
    check(l4_ipc_error(l4_receive(&f, &m, L4_TIMEOUT_ZERO)) == L4_ERR_TIMEOUT, "irq_attach_after_grant");
    l4_send(l4_irq_id(8), l4_msgtag(0, 0, 0), &m, L4_TIMEOUT_ZERO);
    f = l4_irq_id(9);
    check(l4_ipc_error(l4_receive(&f, &m, L4_TIMEOUT_ZERO)) == L4_ERR_PERMISSION, "irq_not_given_refused");
    check(sigma0_irq(s0, 8) == SAS_EPAGE_OWNED, "irq_second_owner_refused");
    check(sigma0_irq(s0, 2) == SAS_EINVAL, "irq_cascade_refused");
}

int main(void)
{
    char suite[32] = "";
    rt_cmdline_get("suite", suite, sizeof(suite));
    s0 = sigma0_find();
    check(!l4_tid_is_nil(s0) && free_now() > 0, "present");
    if (!strncmp(suite, "sigma0_revoke", 14)) {
        test_revoke();
    } else {
        test_any();
        test_special();
        test_bad();
        test_fault();
        test_devices();
    }
    printf("ELLFOUR-KTEST-DONE tests=%u failed=%u\n", n, failed);
    l4_kdb_exit(failed ? 0x11 : 0x10);
    return 0;
}
