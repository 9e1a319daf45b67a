/*
 * ioapic.c — the I/O APIC, through which device interrupts reach the CPU. Every line starts
 * masked; irq.c unmasks a line only while a user handler waits for it. The layout is QEMU's
 * pc machine as its ACPI MADT describes it (the table is not parsed): one I/O APIC at
 * 0xfec00000 with 24 inputs, ISA IRQ 0 (the PIT) on input 2, ISA IRQs 5, 9, 10, 11 routed
 * from PCI links (level, active high), other ISA IRQs edge-triggered active high on their
 * own input, inputs 16..23 PCI (level, active low).
 */
#include <k/irq.h>
#include <k/param.h>

#define REDTBL(gsi) (0x10 + 2 * (gsi))
#define RTE_MASKED  (1u << 16)
#define RTE_LEVEL   (1u << 15)
#define RTE_LOW     (1u << 13)

static void write_reg(uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)IOAPIC_VIRT = reg;
    *(volatile uint32_t *)(IOAPIC_VIRT + 0x10) = v;
}

static unsigned gsi_of(unsigned line) { return line == 0 ? 2 : line; }

static uint32_t rte(unsigned line, int masked)
{
    uint32_t v = IRQ_VECTOR_BASE + line;
    if (line >= 16)
        v |= RTE_LEVEL | RTE_LOW;
    else if (line == 5 || line == 9 || line == 10 || line == 11)
        v |= RTE_LEVEL;
    return v | (masked ? RTE_MASKED : 0);
}

void ioapic_mask(unsigned line, int masked)
{
    if (line == 2 || line >= L4_IRQ_LINES)
        return;                              /* input 2 carries line 0 */
    write_reg(REDTBL(gsi_of(line)), rte(line, masked));
}

void ioapic_init(void)
{
    for (unsigned gsi = 0; gsi < L4_IRQ_LINES; gsi++) {
        write_reg(REDTBL(gsi) + 1, 0);       /* destination: APIC id 0 */
        write_reg(REDTBL(gsi), RTE_MASKED);
    }
    for (unsigned line = 0; line < L4_IRQ_LINES; line++)
        ioapic_mask(line, 1);
}
