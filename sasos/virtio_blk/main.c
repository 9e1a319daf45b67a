/*
 * virtio_blk/main.c — the virtio-blk driver (protocol: sas/proto/blk.h), started by root
 * as a service when the machine has a virtio-blk device. It scans PCI through the
 * configuration ports, asks root (its pager, which takes them from sigma0) for those
 * ports, the device's I/O BAR and its interrupt line, and for 1 MiB of DMA memory whose
 * physical address it is told; then sets the device up (virtio.c) and serves requests
 * (ops.c, through sas/server.h's loop) one at a time. One thread: while the device has
 * requests of ours in flight (a write-back may have several) it waits for the device's
 * interrupt (server_wait_irq, a closed receive from the line), so callers queue in the
 * kernel; no reply goes out while one is in flight.
 */
#include "virtio_blk.h"
#include <native/rt.h>
#include <l4/errors.h>
#include <l4/kip.h>
#include <sas/layout.h>
#include <sas/proto/root.h>
#include <sas/proto/sigma0_client.h>

#define IRQ_WAIT_US 20000u

static struct blk_server srv;
static unsigned irq_line;
static l4_threadid_t root_thread;      /* the driver's pager: root */

/* Requests that come meanwhile queue in the kernel for the loop's next receive. */
void vblk_wait_irq(void)
{
    server_wait_irq(irq_line, l4_timeout_from_us(IRQ_WAIT_US));
}

void vblk_unmap_frame(uint64_t va)
{
    l4_fpage_unmap(l4_fpage(va, 12, L4_FPAGE_RWX), 0, 0, 0);
}

int vblk_frame_accessed(uint64_t va)
{
    uint64_t covered;
    if (l4_fpage_unmap(l4_fpage(va, 12, 0), 0, 0, &covered) != L4_OK || !covered)
        return 0;
    return l4_unmap_accessed(l4_utcb()->mr, 0);
}

void vblk_unmap_buffer(uint64_t va)
{
    l4_fpage_unmap(l4_fpage(va, BLK_BUF_LOG2, L4_FPAGE_RWX), 0, 0, 0);
}

/* Root answers at once and never calls the driver's thread, so this cannot deadlock. */
enum sas_error vblk_disk_owner(unsigned *task)
{
    return root_disk_owner(root_thread, task);
}

int vblk_thread_alive(l4_threadid_t t)
{
    uint64_t err;
    l4_id_nearest(t, 0, &err);
    return err != L4_ERR_NO_PARTNER;
}

/* The device's ports, line and DMA memory, from root; 0, or -1 with a log line. */
static int claim(l4_threadid_t root, const struct pci_dev *d, uint64_t *dma_phys)
{
    const char *what = "its I/O ports";
    enum sas_error e = sigma0_io(root, d->io_base, d->io_log2);
    if (!e) {
        what = "its interrupt line";
        e = sigma0_irq(root, d->irq);
    }
    if (!e) {
        what = "DMA memory";
        e = sigma0_alloc(root, BLK_WINDOW_LOG2,
                         l4_fpage(SAS_BLK_DMA_ADDR, BLK_WINDOW_LOG2, L4_FPAGE_RW), dma_phys);
    }
    if (e)
        printf("virtio_blk: root gave no %s: %s\n", what, sas_strerror(e));
    return e ? -1 : 0;
}

/* The cache's frames come from root in pieces of this size (sigma0's largest run). */
#define CACHE_PIECE_LOG2 22u
#define CACHE_PIECE      (1ULL << CACHE_PIECE_LOG2)
_Static_assert(SAS_BLK_CACHE_SIZE / CACHE_PIECE <= VBLK_MORE_DMA, "a DMA range per piece");
_Static_assert(SAS_BLK_CACHE_ADDR % CACHE_PIECE == 0, "pieces are mapped as flexpages");

/* Pages of cache by default: an eighth of the machine's memory (the end of the highest
 * range in the KIP's memory map that is not a hole), in whole pieces, one at least:
 * 32 MiB with 256 MiB, 16 MiB with 128 MiB. */
static uint64_t cache_default_pages(void)
{
    uint64_t top = l4_kip_ram_top(rt_kip);
    uint64_t bytes = (top + 8 * CACHE_PIECE - 1) / 8 / CACHE_PIECE * CACHE_PIECE;  /* firmware
                                                   * takes the last KiBs: round up */
    bytes = bytes < CACHE_PIECE ? CACHE_PIECE : bytes;
    return bytes / BLK_PAGE < BLK_CACHE_MAX_PAGES ? bytes / BLK_PAGE : BLK_CACHE_MAX_PAGES;
}

/* The cache's frames: DMA memory from root in 4 MiB pieces, an eighth of the memory up to
 * SAS_BLK_CACHE_SIZE ("blk_cache_pages=N" on the command line asks for N pages instead,
 * to test pressure). Fewer if root has no more to give. */
static void cache_setup(l4_threadid_t root, struct blk_cache *c, struct vblk *dev)
{
    char v[16];
    uint64_t want = cache_default_pages(), phys;
    unsigned got_pages = 0;
    if (!rt_cmdline_get("blk_cache_pages", v, sizeof(v))) {
        want = 0;
        for (unsigned i = 0; v[i] >= '0' && v[i] <= '9'; i++)
            want = want * 10 + (uint64_t)(v[i] - '0');
        want = want < 1 ? 1 : want > BLK_CACHE_MAX_PAGES ? BLK_CACHE_MAX_PAGES : want;
    }
    c->frames = (uint8_t *)SAS_BLK_CACHE_ADDR;
    for (uint64_t got = 0; got < want * BLK_PAGE; got += CACHE_PIECE) {
        enum sas_error e = sigma0_alloc(root, CACHE_PIECE_LOG2,
                                        l4_fpage(SAS_BLK_CACHE_ADDR + got, CACHE_PIECE_LOG2,
                                                 L4_FPAGE_RW), &phys);
        if (!e && vblk_add_dma(dev, c->frames + got, phys, CACHE_PIECE))
            e = SAS_ENOMEM;
        if (e) {
            printf("virtio_blk: cache memory: %s\n", sas_strerror(e));
            break;
        }
        got_pages = (unsigned)((got + CACHE_PIECE) / BLK_PAGE);
    }
    cache_init(c, got_pages < want ? got_pages : (unsigned)want);
}

int main(void)
{
    rt_kip = (const volatile struct l4_kip *)L4_KIP_ADDR;   /* task_new passes none */
    l4_threadid_t root = root_thread = root_find();
    srv.root_task = l4_tid_task(root);
    struct pci_dev d;
    uint64_t dma_phys = 0;
    enum sas_error e = sigma0_io(root, PCI_CONFIG_PORT, 3);
    if (e) {
        printf("virtio_blk: no PCI configuration ports: %s\n", sas_strerror(e));
        root_exit(1);
    }
    if (pci_find(PCI_VENDOR_VIRTIO, PCI_DEVICE_VBLK, &d)) {
        printf("virtio_blk: no legacy virtio-blk device on PCI\n");
        root_exit(1);
    }
    if (d.irq >= 16 || claim(root, &d, &dma_phys))
        root_exit(1);
    pci_enable(&d);
    irq_line = d.irq;
    server_irq_attach(irq_line);
    if (vblk_init(&srv.dev, (uint16_t)d.io_base, (uint8_t *)SAS_BLK_DMA_ADDR, dma_phys))
        root_exit(1);
    cache_setup(root, &srv.cache, &srv.dev);
    printf("virtio_blk: PCI %u:%u.%u, ports %x+%u, IRQ %u, %lu sectors%s, %u cache pages\n",
           d.bus, d.dev, d.fn, d.io_base, 1u << d.io_log2, d.irq, srv.dev.sectors,
           srv.dev.flags & BLK_INFO_FLUSH ? ", write cache (flush)" : "", srv.cache.npages);
    struct server loop = { .ops = blk_ops, .nops = blk_nops, .state = &srv,
                           .reply_failed = blk_reply_failed };
    server_run(&loop);
    return 0;
}
