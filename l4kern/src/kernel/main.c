/*
 * main.c — boot: from the PVH entry to the first user thread.
 *
 * Order matters: the boot information is copied into the KIP before any memory is handed
 * out; the kernel pool is carved from free RAM before the page tables that need it; the
 * timer starts last, just before the root task is made runnable.
 */
#include <ell/cpio.h>
#include <k/boot.h>
#include <k/cpu.h>
#include <k/kdebug.h>
#include <k/kip.h>
#include <k/lib.h>
#include <k/mem.h>
#include <k/sched.h>
#include <k/syscall.h>
#include <k/irq.h>
#include <arch/sysregs.h>
#include <l4/layout.h>

static void set_log_level(void)
{
    char v[8];
    if (!cmdline_get("loglevel", v, sizeof(v)) && v[0] >= '0' && v[0] <= '4')
        log_level = v[0] - '0';
}

/* 1 if the boot archive holds a program called name. */
static int boot_has(const char *name)
{
    struct cpio_member f;
    return cpio_find(phys_to_virt(kip->boot_archive_base), kip->boot_archive_size, name, &f) == CPIO_OK;
}

/* Loads boot program `name` as task `num` with maximum controlled priority `mcp` and a
 * kernel-memory quota of 1/quota_div of the pool, and makes its first thread runnable
 * (its start argument = the KIP's address, stack pointer 0: crt0 sets its own). */
static struct tcb *start_boot_task(const char *name, unsigned num, uint8_t mcp, unsigned quota_div)
{
    struct cpio_member f;
    enum cpio_status r = cpio_find(phys_to_virt(kip->boot_archive_base), kip->boot_archive_size, name, &f);
    if (r != CPIO_OK)
        panic("boot archive: %s '%s'", r == CPIO_END ? "no program named" : "malformed, looking for", name);
    struct task *task = task_create(num, mcp, NULL, kip->kpool_total * PAGE_SIZE / quota_div);
    if (!task)
        panic("no memory for boot task '%s'", name);
    uint64_t entry = elf_load(task, f.data, f.size);
    if (!entry)
        panic("boot program '%s' is not a loadable x86-64 executable", name);
    struct tcb *t = thread_create(task, 0, entry, 0);
    if (!t)
        panic("no memory for the first thread of '%s'", name);
    sysregs_set_start_arg(t->tf, L4_KIP_ADDR);
    if (mcp < t->prio)
        t->prio = mcp;
    klog(LOG_INFO, "task %u '%s': %lu bytes, entry %lx, thread %lx, mcp %u", num, name,
         f.size, entry, t->id, mcp);
    sched_ready(t);
    return t;
}

/* "tasks=a,b@50": extra boot tasks 3, 4, ... (b with MCP 50). Until task_new exists
 * (the address-space issue) this is how a second address space comes to be. */
static void start_extra_tasks(void)
{
    char list[128], name[32];
    if (cmdline_get("tasks", list, sizeof(list)))
        return;
    const char *p = list;
    for (unsigned i = 0; *p && i < ARRAY_SIZE(kip->boot_tasks); i++) {
        unsigned n = 0, mcp = ROOT_MCP;
        while (*p && *p != ',' && *p != '@' && n + 1 < sizeof(name))
            name[n++] = *p++;
        name[n] = 0;
        if (*p == '@')
            for (mcp = 0, p++; *p >= '0' && *p <= '9'; p++)
                mcp = mcp * 10 + (unsigned)(*p - '0');
        while (*p && *p != ',')
            p++;
        if (*p == ',')
            p++;
        kip->boot_tasks[i] = start_boot_task(name, L4_TASK_ROOT + 1 + i, (uint8_t)MIN(mcp, 255u),
                                             QUOTA_EXTRA_DIV)->id;
    }
}

void kmain(uint64_t start_info_phys)
{
    kprintf("\nEll Four L4 kernel (x86-64, API V2 rev %x)\n", L4_KIP_API_VERSION);
    kip_init();
    paging_early();
    pvh_parse(start_info_phys);
    set_log_level();
    syscall_trace_init();
    kdebug_init();
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
    char root[32] = "root";
    cmdline_get("root", root, sizeof(root));
    /* sigma0, if the archive has one, is task 1 and the root task's pager. */
    struct tcb *sigma0 = boot_has("sigma0") ? start_boot_task("sigma0", L4_TASK_SIGMA0, ROOT_MCP, QUOTA_SIGMA0_DIV) : NULL;
    struct tcb *r = start_boot_task(root, L4_TASK_ROOT, ROOT_MCP, QUOTA_ROOT_DIV);
    if (sigma0)
        r->pager = sigma0->id;
    /* Every I/O port and interrupt line starts with sigma0 (root when there is none). */
    struct task *owner = sigma0 ? sigma0->task : r->task;
    if (io_give_all(owner))
        panic("no memory for the boot task's I/O bitmap");
    irq_init(owner->num);
    start_extra_tasks();
    apic_init();
    sched_start();
}
