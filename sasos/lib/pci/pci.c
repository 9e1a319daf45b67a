/*
 * pci.c — PCI configuration space through mechanism #1 (ports 0xcf8 address, 0xcfc data),
 * and a scan of bus 0..255 for one device. QEMU's pc machine has everything on bus 0, but
 * the scan costs little and does not assume it.
 */
#include <pci/pci.h>

#define PCI_ENABLE   0x80000000u
#define PCI_ID       0x00u
#define PCI_COMMAND  0x04u
#define PCI_HEADER   0x0cu          /* byte 2: header type, bit 7 multi-function */
#define PCI_BAR0     0x10u
#define PCI_INTLINE  0x3cu          /* byte 0: the ISA IRQ firmware routed INTx to */
#define CMD_IO       0x1u
#define CMD_MASTER   0x4u

static uint32_t addr(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    return PCI_ENABLE | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc);
}

uint32_t pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    outl(PCI_CONFIG_PORT, addr(bus, dev, fn, reg));
    return inl(PCI_CONFIG_PORT + 4);
}

void pci_write32(unsigned bus, unsigned dev, unsigned fn, unsigned reg, uint32_t v)
{
    outl(PCI_CONFIG_PORT, addr(bus, dev, fn, reg));
    outl(PCI_CONFIG_PORT + 4, v);
}

/* BAR 0's I/O range: its base and log2 size (sized by writing ones, then restored). */
static int io_bar(struct pci_dev *d)
{
    uint32_t bar = pci_read32(d->bus, d->dev, d->fn, PCI_BAR0);
    if (!(bar & 1))
        return -1;
    pci_write32(d->bus, d->dev, d->fn, PCI_BAR0, 0xffffffffu);
    uint32_t mask = pci_read32(d->bus, d->dev, d->fn, PCI_BAR0) & 0xfffcu;
    pci_write32(d->bus, d->dev, d->fn, PCI_BAR0, bar);
    uint32_t size = (~mask + 1) & 0xffffu;
    d->io_base = bar & 0xfffcu;
    d->io_log2 = 0;
    while ((1u << d->io_log2) < size)
        d->io_log2++;
    return size && d->io_base ? 0 : -1;
}

static int match(unsigned bus, unsigned dev, unsigned fn, uint32_t id, struct pci_dev *out)
{
    if (pci_read32(bus, dev, fn, PCI_ID) != id)
        return -1;
    *out = (struct pci_dev){ .bus = bus, .dev = dev, .fn = fn };
    out->irq = pci_read32(bus, dev, fn, PCI_INTLINE) & 0xff;
    return io_bar(out);
}

int pci_find(unsigned vendor, unsigned device, struct pci_dev *out)
{
    uint32_t id = device << 16 | vendor;
    for (unsigned bus = 0; bus < 256; bus++)
        for (unsigned dev = 0; dev < 32; dev++) {
            if ((pci_read32(bus, dev, 0, PCI_ID) & 0xffff) == 0xffff)
                continue;
            unsigned fns = pci_read32(bus, dev, 0, PCI_HEADER) & 0x800000 ? 8 : 1;
            for (unsigned fn = 0; fn < fns; fn++)
                if (!match(bus, dev, fn, id, out))
                    return 0;
        }
    return -1;
}

void pci_enable(const struct pci_dev *d)
{
    uint32_t c = pci_read32(d->bus, d->dev, d->fn, PCI_COMMAND);
    pci_write32(d->bus, d->dev, d->fn, PCI_COMMAND, (c & 0xffff) | CMD_IO | CMD_MASTER);
}
