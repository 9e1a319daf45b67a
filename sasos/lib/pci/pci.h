/*
 * pci/pci.h — PCI configuration space through ports 0xcf8/0xcfc, and port I/O: the
 * native_pci library (sasos/lib/pci). Shared by the virtio-blk driver (which scans for its
 * device) and root (which starts the driver only when the device is there, and gives it
 * exactly the device's ports and line).
 */
#ifndef SAS_PCI_H
#define SAS_PCI_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* pci.c — configuration mechanism #1. */
#define PCI_CONFIG_PORT   0xcf8u        /* 0xcf8 address, 0xcfc data: 8 ports */
#define PCI_VENDOR_VIRTIO 0x1af4u
#define PCI_DEVICE_VBLK   0x1001u       /* transitional virtio-blk (legacy I/O BAR 0) */
struct pci_dev {
    unsigned bus, dev, fn;
    unsigned io_base, io_log2;          /* BAR 0: I/O ports */
    unsigned irq;                       /* the interrupt line register (ISA IRQ) */
};
uint32_t pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned reg);
void pci_write32(unsigned bus, unsigned dev, unsigned fn, unsigned reg, uint32_t v);
/* Finds the first vendor:device function with an I/O BAR 0; 0, or -1 if none. */
int pci_find(unsigned vendor, unsigned device, struct pci_dev *out);
void pci_enable(const struct pci_dev *d);   /* I/O decoding and bus mastering on */

#endif
