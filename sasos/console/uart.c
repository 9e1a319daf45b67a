/*
 * uart.c — the 16550 at COM1: 115200 8N1, output polled, input by interrupt.
 *
 * The FIFOs stay off on purpose: QEMU flushes the receive buffer whenever the FIFO enable
 * bit changes, which would lose what was typed (or piped in) before the driver started.
 * Without them QEMU holds further input back until the one received byte is read, so no
 * byte is ever dropped, at the cost of one interrupt per byte.
 */
#include "console.h"
#include <l4/syscalls.h>

enum { RBR = 0, THR = 0, IER = 1, DLL = 0, DLM = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5 };
#define LSR_DR    0x01
#define LSR_THRE  0x20
#define LCR_DLAB  0x80
#define LCR_8N1   0x03
#define MCR_DTR_RTS_OUT2 0x0b    /* OUT2 gates the UART's interrupt onto the ISA line */
#define IER_RX    0x01

static inline void outb(unsigned reg, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"((uint16_t)(COM1_PORT + reg)));
}
static inline uint8_t inb(unsigned reg)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"((uint16_t)(COM1_PORT + reg)));
    return v;
}

void uart_init(void)
{
    outb(IER, 0);
    outb(LCR, LCR_DLAB);
    outb(DLL, 1);                /* 115200 baud */
    outb(DLM, 0);
    outb(LCR, LCR_8N1);
    outb(FCR, 0);                /* FIFOs off: see above (no change from reset: no flush) */
    outb(MCR, MCR_DTR_RTS_OUT2);
}

void uart_enable_rx_irq(void) { outb(IER, IER_RX); }

void uart_putc(uint8_t c)
{
    /* The host may be slow to take output (a full pipe): give the CPU away meanwhile. */
    while (!(inb(LSR) & LSR_THRE))
        l4_thread_switch(L4_NILTHREAD);
    outb(THR, c);
}

int uart_getc(void)
{
    return (inb(LSR) & LSR_DR) ? inb(RBR) : -1;
}
