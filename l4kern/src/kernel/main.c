/*
 * main.c — boot: from the PVH entry to the first user thread.
 *
 * Order matters: the boot information is copied into the KIP before any memory is handed
 * out; the kernel pool is carved from free RAM before the page tables that need it; the
 * timer starts last, just before the root task is made runnable.
 */
#include <k/boot.h>
#include <k/cpu.h>
#include <k/kip.h>
#include <k/lib.h>
#include <k/mem.h>
#include <k/sched.h>
#include <l4/layout.h>

static void set_log_level(void)
{
    char v[8];
    if (!cmdline_get("loglevel", v, sizeof(v)) && v[0] >= '0' && v[0] <= '4')
        log_level = v[0] - '0';
}

/* Loads the boot program named by "root=" (default "root") as the root task. */
static void start_root_task(void)
{
    char name[64] = "root";
    cmdline_get("root", name, sizeof(name));
    struct boot_file f;
    int r = bootar_find(phys_to_virt(kip->boot_archive_base), kip->boot_archive_size, name, &f);
    if (r)
        panic("boot archive: %s '%s'", r == -1 ? "no program named" : "malformed, looking for", name);
    struct task *task = task_create(L4_TASK_ROOT, ROOT_MCP);
    if (!task)
        panic("no memory for the root task");
    uint64_t entry = elf_load(task, f.data, f.size);
    if (!entry)
        panic("boot program '%s' is not a loadable x86-64 executable", name);
    struct tcb *t = thread_create(task, 0, entry, 0);
    if (!t)
        panic("no memory for the root thread");
    t->tf->rdi = L4_KIP_ADDR;          /* crt0 receives the KIP's address */
    klog(LOG_INFO, "root task '%s': %lu bytes, entry %lx, thread %lx", name, f.size, entry, t->id);
    sched_ready(t);
}

void kmain(uint64_t start_info_phys)
{
    kprintf("\nEll Four L4 kernel (x86-64, API V2 rev %x)\n", L4_KIP_API_VERSION);
    kip_init();
    pvh_parse(start_info_phys);
    set_log_level();
    cpu_init();
    uint64_t pool;
    if (boot_find_pool(KPOOL_PAGES, &pool))
        panic("not enough RAM for a %u-page kernel pool", KPOOL_PAGES);
    paging_init(boot_phys_top());
    kpool_init(pool, KPOOL_PAGES);
    kip->boot_time = rtc_read_unix_time();
    klog(LOG_INFO, "memory: %lu MiB RAM, kernel pool %u KiB at %lx, boot archive %lu bytes",
         boot_phys_top() >> 20, KPOOL_PAGES * 4, pool, kip->boot_archive_size);
    klog(LOG_INFO, "command line: '%s'", kip->cmdline);
    sched_init();
    start_root_task();
    apic_init();
    sched_start();
}
