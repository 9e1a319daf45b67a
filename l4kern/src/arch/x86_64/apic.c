/*
 * apic.c — the local APIC timer: the kernel's only clock. Calibrated once at boot against
 * PIT channel 2 (polled, no interrupt), which, like the rest of the PIT, then belongs to
 * user-level drivers. The legacy PIC is masked: device interrupts are user-level business.
 */
#include <k/cpu.h>
#include <k/kip.h>
#include <k/param.h>
#include <k/x86.h>

#define LAPIC_EOI      0xb0
#define LAPIC_SVR      0xf0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR  0x390
#define LAPIC_TIMER_DIV  0x3e0
#define LVT_MASKED     (1u << 16)
#define LVT_PERIODIC   (1u << 17)
#define PIT_HZ         1193182u
#define CALIBRATE_MS   10u

uint64_t tsc_hz;

static volatile uint32_t *reg(uint32_t off) { return (volatile uint32_t *)(LAPIC_VIRT + off); }

void apic_eoi(void) { *reg(LAPIC_EOI) = 0; }

/* Busy-waits CALIBRATE_MS on PIT channel 2 in one-shot mode. */
static void pit_wait(void)
{
    uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);   /* gate on, speaker off */
    outb(0x43, 0xb0);                         /* channel 2, lo/hi byte, mode 0 */
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    uint8_t v = inb(0x61) & ~0x01;            /* pulse the gate to start counting */
    outb(0x61, v);
    outb(0x61, v | 0x01);
    while (!(inb(0x61) & 0x20))
        cpu_relax();
}

void apic_init(void)
{
    outb(0x21, 0xff);                          /* mask both 8259s */
    outb(0xa1, 0xff);
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));
    *reg(LAPIC_SVR) = 0x100 | 0xff;            /* enable; spurious vector 0xff */
    *reg(LAPIC_TIMER_DIV) = 0x3;               /* divide by 16 */
    *reg(LAPIC_LVT_TIMER) = LVT_MASKED;
    *reg(LAPIC_TIMER_INIT) = 0xffffffffu;
    uint64_t t0 = rdtsc();
    pit_wait();
    uint64_t t1 = rdtsc();
    uint32_t elapsed = 0xffffffffu - *reg(LAPIC_TIMER_CUR);
    tsc_hz = (t1 - t0) * (1000 / CALIBRATE_MS);
    uint64_t apic_hz = (uint64_t)elapsed * (1000 / CALIBRATE_MS);
    kip->tsc_hz = tsc_hz;
    kip->timer_hz = TIMER_HZ;
    *reg(LAPIC_LVT_TIMER) = 32 | LVT_PERIODIC;
    *reg(LAPIC_TIMER_INIT) = (uint32_t)(apic_hz / TIMER_HZ);
    klog(LOG_INFO, "timer: TSC %lu kHz, APIC timer %lu kHz, tick %u Hz", tsc_hz / 1000,
         apic_hz / 1000, TIMER_HZ);
}
