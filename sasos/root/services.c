/*
 * services.c — the services root starts before any program (today: the console driver),
 * finds for its children (ROOT_SERVICE, sas/proto/root.h) and equips with devices.
 *
 * A service is a boot program named in the table below; root starts it if the archive
 * holds it, and hands out the id of its first thread (the server thread by convention).
 * Children ask root, their pager, for I/O ports and interrupt lines with sigma0's own
 * requests (SIGMA0_IO, SIGMA0_IRQ: the sigma0 client stubs work unchanged, since a child
 * finds root where sigma0's clients find sigma0). Root gives a service exactly the
 * devices the table lists for it and nothing to anyone else: it takes them from sigma0
 * once, keeps the ports (so it could hand them to a restarted service) and maps them on.
 * A service that drives DMA asks root for memory with SIGMA0_ALLOC (up to the size the
 * table allows): root takes it from sigma0 into its DMA window, maps it on with the same
 * reply sigma0 gives (the physical address and the map item) and frees it at shutdown.
 * A service whose device is found at boot (PCI) has a probe: root starts it only if the
 * device is there, and gives it exactly the I/O BAR and interrupt line the probe read.
 *
 * The servers of the single address space (persist, capstore, objmgr: musl programs with
 * no devices) are services too, started one at a time after the drivers (main.c:
 * services_spawn, then serving until services_settled). Each tells root when it serves
 * (ROOT_SERVICE_READY); its server thread is then what ROOT_SERVICE names, persist's task
 * owns the disk (ROOT_DISK_OWNER, for the driver), and objmgr may ask which program runs
 * in which domain (ROOT_TASK_DOMAIN). Each request is checked against the task root
 * started as that service, and a task that ended is forgotten (services_task_ended), so a
 * later task with its number inherits nothing.
 */
#include "root.h"
#include <l4/irq.h>
#include <sas/proto/root.h>
#include <sas/layout.h>
#include <sas/proto/sigma0_client.h>
#include <pci/pci.h>

#define SERVICE_IO  2u                 /* I/O port ranges per service */
#define ROOT_DMA_MAX 16u               /* DMA ranges held for services */

struct ports {
    unsigned port, log2ports;          /* I/O ports (log2ports 0 with port 0: none) */
};
struct service {
    const char *name;
    unsigned id;                       /* ROOT_SERVICE_* */
    int sas;                           /* a server of the single address space: started
                                        * by services_spawn, ready once it says so */
    struct ports io[SERVICE_IO];       /* its I/O ports */
    unsigned irq;                      /* its interrupt line, or L4_IRQ_LINES for none */
    unsigned dma_log2;                 /* the largest SIGMA0_ALLOC it may ask; 0: none */
    int (*probe)(struct service *s, int *held);   /* 0 if its device is there */
};

static int probe_virtio_blk(struct service *s, int *held);

/* services_stop stops them from the last to the first: objmgr before capstore before
 * persist, every one of them before the drivers they use. */
static struct service table[] = {
    { "console", ROOT_SERVICE_CONSOLE, 0, { { 0x3f8, 3 } }, 4, 0, 0 },   /* COM1 whole */
    { "virtio_blk", ROOT_SERVICE_BLK, 0, { { PCI_CONFIG_PORT, 3 } }, L4_IRQ_LINES, 22,
      probe_virtio_blk },              /* PCI configuration; BAR 0 and line from probe */
    { "persist", ROOT_SERVICE_PERSIST, 1, { { 0, 0 } }, L4_IRQ_LINES, 0, 0 },
    { "capstore", ROOT_SERVICE_CAPSTORE, 1, { { 0, 0 } }, L4_IRQ_LINES, 0, 0 },
    { "objmgr", ROOT_SERVICE_OBJMGR, 1, { { 0, 0 } }, L4_IRQ_LINES, 0, 0 },
};
#define NSERVICES (sizeof(table) / sizeof(table[0]))

struct dma {
    uint64_t phys;                     /* 0: free */
    unsigned log2;
};

static l4_threadid_t running[NSERVICES];     /* its first thread; nil: not running */
static l4_threadid_t server[NSERVICES];      /* SAS: its server thread, once ready */
static int have_ports[NSERVICES][SERVICE_IO];
static struct dma dma[ROOT_DMA_MAX];
static uint64_t dma_next = SAS_ROOT_DMA_BASE;
static l4_threadid_t sigma0;

/* The configuration ports for root, then the first legacy virtio-blk device. */
static int probe_virtio_blk(struct service *s, int *held)
{
    struct pci_dev d;
    if (!held[0] && sigma0_io(sigma0, s->io[0].port, s->io[0].log2ports))
        return -1;
    held[0] = 1;
    if (pci_find(PCI_VENDOR_VIRTIO, PCI_DEVICE_VBLK, &d) || d.irq >= 16)
        return -1;
    s->io[1] = (struct ports){ d.io_base, d.io_log2 };
    s->irq = d.irq;
    return 0;
}

static const struct service *by_name(const char *name)
{
    for (unsigned i = 0; i < NSERVICES; i++)
        if (!strncmp(table[i].name, name, ROOT_NAME_LEN))
            return &table[i];
    return 0;
}

static int by_id(uint64_t id)
{
    for (unsigned i = 0; i < NSERVICES; i++)
        if (table[i].id == id)
            return (int)i;
    return -1;
}

int services_is(const char *name) { return by_name(name) != 0; }

/* The servers of the single address space draw their kernel memory from root's like
 * programs, but their needs are known: persist maps the store (LMDB's view of the disk),
 * objmgr its frame pool and every object page it maps on, capstore little. So programs
 * started after them keep a full quota. */
unsigned services_kmem(const char *name)
{
    static const struct { const char *name; unsigned pages; } kmem[] = {
        { "persist", 512 }, { "capstore", 128 }, { "objmgr", 512 },
    };
    for (unsigned i = 0; i < sizeof(kmem) / sizeof(kmem[0]); i++)
        if (!strncmp(kmem[i].name, name, ROOT_NAME_LEN))
            return kmem[i].pages;
    return ROOT_PROGRAM_QUOTA;
}

/* The drivers; the servers of the single address space come later (services_spawn). */
void services_start(l4_threadid_t s0)
{
    struct cpio_member f;
    sigma0 = s0;
    for (unsigned i = 0; i < NSERVICES; i++)
        if (!table[i].sas && !bootfs_find(table[i].name, &f) &&
            (!table[i].probe || !table[i].probe(&table[i], have_ports[i])))
            tasks_spawn(table[i].name, 0, 1, &running[i]);
}

int services_spawn(unsigned id)
{
    struct cpio_member f;
    int i = by_id(id);
    if (i < 0 || !table[i].sas || !l4_tid_is_nil(running[i]) ||
        bootfs_find(table[i].name, &f))
        return -1;
    server[i] = L4_NILTHREAD;
    return tasks_spawn(table[i].name, 0, 1, &running[i]) < 0 ? -1 : 0;
}

int services_settled(unsigned id)
{
    int i = by_id(id);
    return i < 0 || l4_tid_is_nil(running[i]) || !l4_tid_is_nil(server[i]);
}

void services_task_ended(unsigned task)
{
    for (unsigned i = 0; i < NSERVICES; i++)
        if (!l4_tid_is_nil(running[i]) && l4_tid_task(running[i]) == task)
            running[i] = server[i] = L4_NILTHREAD;
}

l4_threadid_t services_id(uint64_t id)
{
    int i = by_id(id);
    if (i < 0 || l4_tid_is_nil(running[i]))
        return L4_NILTHREAD;
    return table[i].sas ? server[i] : running[i];
}

unsigned services_disk_owner(void)
{
    int i = by_id(ROOT_SERVICE_PERSIST);
    return l4_tid_is_nil(services_id(ROOT_SERVICE_PERSIST)) ? 0 : l4_tid_task(running[i]);
}

/* Whether `task` is the one root started as service `id` (and it still runs). */
static int task_is(unsigned task, unsigned id)
{
    int i = by_id(id);
    return i >= 0 && !l4_tid_is_nil(running[i]) && l4_tid_task(running[i]) == task;
}

void services_stop(void)
{
    for (unsigned i = NSERVICES; i-- > 0;)
        if (!l4_tid_is_nil(running[i]))
            tasks_kill(l4_tid_task(running[i]), 0);
    for (unsigned i = 0; i < ROOT_DMA_MAX; i++)
        if (dma[i].phys && !sigma0_free(sigma0, dma[i].phys, dma[i].log2))
            dma[i].phys = 0;
}

/* SIGMA0_IO for service s: exactly one of its port ranges, as a map item. */
static enum sas_error give_ports(const struct service *s, const l4_msg_t *m, l4_msg_t *out)
{
    unsigned i = (unsigned)(s - table), r = 0;
    while (r < SERVICE_IO && (m->w[0] != s->io[r].port || m->w[1] != s->io[r].log2ports))
        r++;
    if (r == SERVICE_IO || (!s->io[r].port && !s->io[r].log2ports))
        return SAS_EPAGE_DENIED;
    if (!have_ports[i][r]) {
        enum sas_error e = sigma0_io(sigma0, s->io[r].port, s->io[r].log2ports);
        if (e)
            return e;
        have_ports[i][r] = 1;
    }
    *out = (l4_msg_t){ { l4_iofpage(s->io[r].port, s->io[r].log2ports), 0 } };
    return SAS_OK;
}

/* SIGMA0_ALLOC for service s: RAM from sigma0 into root's DMA window, mapped on with its
 * physical address, as sigma0 replies. */
static enum sas_error give_dma(const struct service *s, l4_msg_t *m)
{
    unsigned log2 = (unsigned)m->w[0], i = 0;
    if (log2 < 12 || log2 > s->dma_log2)
        return SAS_EPAGE_DENIED;
    while (i < ROOT_DMA_MAX && dma[i].phys)
        i++;
    uint64_t va = (dma_next + (1ULL << log2) - 1) & ~((1ULL << log2) - 1), phys;
    if (i == ROOT_DMA_MAX || va + (1ULL << log2) > SAS_ROOT_DMA_BASE + SAS_ROOT_DMA_SIZE)
        return SAS_ENOMEM;
    enum sas_error e = sigma0_alloc(sigma0, log2, l4_fpage(va, log2, L4_FPAGE_RW), &phys);
    if (e)
        return e;
    dma[i] = (struct dma){ phys, log2 };
    dma_next = va + (1ULL << log2);
    *m = (l4_msg_t){ { phys, l4_fpage(va, log2, L4_FPAGE_RW), 0 } };
    return SAS_OK;
}

/* SIGMA0_IRQ for service s: its line's ownership, moved to it. */
static enum sas_error give_irq(const struct service *s, const l4_msg_t *m, l4_msg_t *out)
{
    if (m->w[0] != s->irq || s->irq >= L4_IRQ_LINES)
        return SAS_EPAGE_DENIED;
    enum sas_error e = sigma0_irq(sigma0, s->irq);
    if (e)
        return e;
    *out = (l4_msg_t){ { l4_irqfpage(s->irq), 0 } };
    return SAS_OK;
}

/* ROOT_SERVICE_READY from `from`: the server thread of the SAS service MR0 names, if
 * `from` is of the task root started as that service. */
static enum sas_error service_ready(l4_threadid_t from, unsigned u, const l4_msg_t *m)
{
    if (u < 1)
        return SAS_EINVAL;
    int i = by_id(m->w[0]);
    if (i < 0 || !table[i].sas || !task_is(l4_tid_task(from), table[i].id))
        return SAS_EPERM;
    server[i] = from;
    printf("root: task %u '%s' serves (thread %lx)\n", l4_tid_task(from), table[i].name, from);
    return SAS_OK;
}

_Static_assert(ROOT_NAME_LEN == ROOT_DOMAIN_LEN, "root's domain names are the protocol's");

/* ROOT_TASK_DOMAIN from objmgr's task: a program's lthread 0 and domain. */
static enum sas_error task_domain(l4_threadid_t from, unsigned u, l4_msg_t *m)
{
    if (!task_is(l4_tid_task(from), ROOT_SERVICE_OBJMGR))
        return SAS_EPERM;
    if (u < 1)
        return SAS_EINVAL;
    char name[ROOT_DOMAIN_LEN];
    l4_threadid_t first;
    if (m->w[0] > UINT32_MAX || tasks_domain((unsigned)m->w[0], &first, name))
        return SAS_ENOTFOUND;
    m->w[0] = first;
    memcpy(&m->w[1], name, ROOT_DOMAIN_LEN);
    return SAS_OK;
}

/* The requests of services and programs about services: 1, with the reply in *tag and
 * *m, if `label` is one of them. */
static int about_services(l4_threadid_t from, l4_msgtag_t in, l4_msg_t *m, l4_msgtag_t *tag)
{
    uint32_t label = l4_msgtag_label(in);
    enum sas_error e;
    unsigned u = 0;
    if (label == ROOT_SERVICE) {
        l4_threadid_t id = services_id(l4_msgtag_u(in) ? m->w[0] : 0);
        m->w[0] = id;
        e = l4_tid_is_nil(id) ? SAS_ENOTFOUND : SAS_OK, u = 1;
    } else if (label == ROOT_SERVICE_READY) {
        e = service_ready(from, l4_msgtag_u(in), m);
    } else if (label == ROOT_DISK_OWNER) {
        e = task_is(l4_tid_task(from), ROOT_SERVICE_BLK) ? SAS_OK : SAS_EPERM, u = 1;
        m->w[0] = services_disk_owner();
    } else if (label == ROOT_TASK_DOMAIN) {
        e = task_domain(from, l4_msgtag_u(in), m), u = 5;
    } else {
        return 0;
    }
    *tag = l4_msgtag(e, e ? 0 : u, 0);
    return 1;
}

int services_handle(l4_threadid_t from, const char *name, l4_msgtag_t in, l4_msg_t *m,
                    l4_msgtag_t *tag)
{
    const struct service *s = by_name(name);
    uint32_t label = l4_msgtag_label(in);
    enum sas_error e = SAS_EPAGE_DENIED;
    if (about_services(from, in, m, tag))
        return 1;
    if (s && label == SIGMA0_IO)
        e = give_ports(s, m, m);
    else if (s && label == SIGMA0_IRQ)
        e = give_irq(s, m, m);
    else if (s && label == SIGMA0_ALLOC && !(e = give_dma(s, m))) {
        *tag = l4_msgtag(SAS_OK, 1, 2);
        return 1;
    }
    if (e)
        printf("root: '%s' asked for a device that is not its own: %s\n", name, sas_strerror(e));
    *tag = e ? l4_msgtag(e, 0, 0) : l4_msgtag(SAS_OK, 0, 2);
    return 1;
}
