/* test_io.c — I/O ports as flexpages and device interrupts as IPC, with real devices: the
 * PIT (line 0) and the RTC (line 8). Without sigma0 the root task holds every port and line. */
#include "space.h"
#include <l4/irq.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static volatile uint64_t exc_count, exc_vector;

/* Records the exception and resumes past the one-byte `outb %al, (%dx)`. */
static void skip_handler(void)
{
    for (;;) {
        l4_threadid_t from = L4_NILTHREAD;
        l4_msg_t m;
        uint64_t r = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
        if (l4_ipc_error(r) || l4_msgtag_label(l4_ipc_tag(r)) != L4_LABEL_EXCEPTION)
            continue;
        exc_count++;
        exc_vector = m.w[L4_EXC_VECTOR];
        m.w[L4_EXC_RIP] += 1;                          /* words 0..7 are the registers */
        l4_send(from, l4_msgtag(0, L4_EXC_WORDS, 0), &m, L4_TIMEOUT_ZERO);
    }
}

static unsigned give_item(l4_threadid_t c, uint64_t item)
{
    l4_msg_t m = { { CMD_RECV_MAP, l4_fpage(0x0000500000000000ULL, 12, 0), kt_main } };
    l4_send(c, l4_msgtag(0, 4, 0), &m, L4_TIMEOUT_NEVER);
    m = (l4_msg_t){ { item, 0 } };
    unsigned e = l4_ipc_error(l4_send(c, l4_msgtag(0, 0, 2), &m, l4_timeout_from_us(300000)));
    l4_threadid_t f = c;
    l4_receive(&f, &m, l4_timeout_from_us(300000));
    return e;
}

KTEST("io", "a_port_faults_without_its_mapping_and_works_with_it", io_ports)
{
    l4_threadid_t pager = pager_start();
    exc_count = 0;
    l4_threadid_t h = kt_spawn(EXC_SLOT, skip_handler);
    l4_threadid_t c = child_start(0, pager, h);
    KT_EQ(child_cmd(c, CMD_OUTB, 0x80, 1, 0, 300000, 0), L4_OK);
    KT_EQ(exc_count, 1);                               /* no port: #GP to the handler */
    KT_EQ(exc_vector, 13);
    KT_EQ(give_item(c, l4_iofpage(0x80, 0)), L4_OK);
    KT_EQ(child_cmd(c, CMD_OUTB, 0x80, 2, 0, 300000, 0), L4_OK);
    KT_EQ(exc_count, 1);                               /* mapped: no fault */
    KT_EQ(child_cmd(c, CMD_OUTB, 0x81, 2, 0, 300000, 0), L4_OK);
    KT_EQ(exc_count, 2);                               /* only the port it was given */
    KT_EQ(l4_fpage_unmap(l4_iofpage(0x80, 0), 0, 0, 0), L4_OK);
    KT_EQ(child_cmd(c, CMD_OUTB, 0x80, 3, 0, 300000, 0), L4_OK);
    KT_EQ(exc_count, 3);                               /* revoked */
    /* A task cannot give ports it does not hold. */
    KT_EQ(give_item(c, l4_iofpage(0x100, 4)), L4_OK);  /* root holds them: fine */
    child_delete(c);
    return 0;
}

/* The whole I/O space is one flexpage of log2 size 16 (port 0): it can be given and taken. */
KTEST("io", "all_65536_ports_as_one_flexpage_are_given_and_revoked", io_all_ports)
{
    l4_threadid_t pager = pager_start();
    exc_count = 0;
    l4_threadid_t h = kt_spawn(EXC_SLOT, skip_handler);
    l4_threadid_t c = child_start(0, pager, h);
    KT_EQ(give_item(c, l4_iofpage(0, 16)), L4_OK);
    KT_EQ(child_cmd(c, CMD_OUTB, 0x80, 1, 0, 300000, 0), L4_OK);
    KT_EQ(child_cmd(c, CMD_OUTB, 0xffff, 1, 0, 300000, 0), L4_OK);
    KT_EQ(exc_count, 0);                               /* both ends of the space are its */
    KT_EQ(l4_fpage_unmap(l4_iofpage(0, 16), 0, 0, 0), L4_OK);
    KT_EQ(child_cmd(c, CMD_OUTB, 0x80, 2, 0, 300000, 0), L4_OK);
    KT_EQ(exc_count, 1);                               /* all revoked */
    KT_EQ(exc_vector, 13);
    outb(0x80, 3);                                     /* root kept its own */
    child_delete(c);
    return 0;
}

static volatile uint64_t irq_seen, irq_bad;

static void pit_handler(void)
{
    for (unsigned i = 0; i < 10; i++) {
        l4_threadid_t f = l4_irq_id(0);
        l4_msg_t m;
        uint64_t r = l4_receive(&f, &m, l4_timeout_from_us(2000000));
        if (l4_ipc_error(r) || f != l4_irq_id(0) || l4_msgtag_label(l4_ipc_tag(r)) != L4_LABEL_IRQ)
            irq_bad++;
        else
            irq_seen++;
    }
    l4_msg_t m = { { 0 } };
    l4_send(l4_irq_id(0), l4_msgtag(0, 0, 0), &m, L4_TIMEOUT_ZERO);   /* detach */
    kt_park();
}

static int ten_irqs(void) { return irq_seen + irq_bad >= 10; }

KTEST("io", "pit_interrupts_arrive_as_ipc", io_pit)
{
    irq_seen = irq_bad = 0;
    kt_spawn(1, pit_handler);
    l4_thread_switch(kt_slot_id(1));                   /* it attaches and waits */
    outb(0x43, 0x34);                                  /* channel 0, lo/hi, rate generator */
    outb(0x40, 11932 & 0xff);                          /* 100 Hz */
    outb(0x40, 11932 >> 8);
    KT_ASSERT(kt_wait_until(ten_irqs, 3000));
    outb(0x43, 0x30);                                  /* one-shot, then silence */
    outb(0x40, 0);
    outb(0x40, 0);
    KT_EQ(irq_bad, 0);
    KT_EQ(irq_seen, 10);
    return 0;
}

static uint8_t cmos_read(uint8_t r) { outb(0x70, r); return inb(0x71); }
static void cmos_write(uint8_t r, uint8_t v) { outb(0x70, r); outb(0x71, v); }

static void rtc_handler(void)
{
    for (unsigned i = 0; i < 5; i++) {
        l4_threadid_t f = l4_irq_id(8);
        l4_msg_t m;
        uint64_t r = l4_receive(&f, &m, l4_timeout_from_us(2000000));
        if (l4_ipc_error(r))
            irq_bad++;
        else
            irq_seen++;
        cmos_read(0x0c);                               /* acknowledge at the device */
    }
    l4_msg_t m = { { 0 } };
    l4_send(l4_irq_id(8), l4_msgtag(0, 0, 0), &m, L4_TIMEOUT_ZERO);   /* detach */
    kt_park();
}

static int five_irqs(void) { return irq_seen + irq_bad >= 5; }

KTEST("io", "rtc_periodic_interrupts_arrive_as_ipc", io_rtc)
{
    irq_seen = irq_bad = 0;
    kt_spawn(1, rtc_handler);
    l4_thread_switch(kt_slot_id(1));
    cmos_write(0x0a, (cmos_read(0x0a) & 0xf0) | 0x06);   /* 1024 Hz */
    cmos_write(0x0b, cmos_read(0x0b) | 0x40);            /* periodic interrupt on */
    KT_ASSERT(kt_wait_until(five_irqs, 3000));
    cmos_write(0x0b, cmos_read(0x0b) & ~0x40);
    cmos_read(0x0c);
    KT_EQ(irq_bad, 0);
    KT_EQ(irq_seen, 5);
    l4_msg_t m = { { 0 } };
    KT_EQ(l4_ipc_error(l4_send(l4_irq_id(8), l4_msgtag(0, 0, 0), &m, L4_TIMEOUT_ZERO)),
          L4_ERR_PERMISSION);                          /* main is not the handler */
    return 0;
}

static volatile uint64_t attach_result[2], detach_result;

/* Attaches to line 8 without waiting; the first to do so detaches when main says so. */
static void attach_8(void)
{
    unsigned me = l4_tid_lthread(l4_myself());
    l4_threadid_t f = l4_irq_id(8);
    l4_msg_t m = { { 0 } };
    attach_result[me - 1] = l4_ipc_error(l4_receive(&f, &m, L4_TIMEOUT_ZERO));
    if (attach_result[me - 1] == L4_ERR_TIMEOUT) {
        f = kt_main;
        l4_receive(&f, &m, L4_TIMEOUT_NEVER);
        detach_result = l4_ipc_error(l4_send(l4_irq_id(8), l4_msgtag(0, 0, 0), &m, L4_TIMEOUT_ZERO));
    }
    kt_park();
}

KTEST("io", "one_handler_per_line_detach_and_reattach", io_attach)
{
    attach_result[0] = attach_result[1] = detach_result = 99;
    l4_threadid_t a = kt_spawn(1, attach_8);
    l4_thread_switch(a);
    KT_EQ(attach_result[0], L4_ERR_TIMEOUT);           /* attached, nothing pending */
    l4_thread_switch(kt_spawn(2, attach_8));
    KT_EQ(attach_result[1], L4_ERR_PERMISSION);        /* the line has its handler */
    l4_msg_t m = { { 0 } };
    KT_EQ(l4_ipc_error(l4_send(a, l4_msgtag(0, 0, 0), &m, L4_TIMEOUT_NEVER)), L4_OK);
    l4_thread_switch(a);
    KT_EQ(detach_result, L4_OK);
    l4_thread_switch(kt_spawn(2, attach_8));
    KT_EQ(attach_result[1], L4_ERR_TIMEOUT);           /* free again: thread 2 has it */
    l4_thread_switch(kt_slot_id(2));
    KT_EQ(l4_ipc_error(l4_send(kt_slot_id(2), l4_msgtag(0, 0, 0), &m, L4_TIMEOUT_NEVER)), L4_OK);
    l4_thread_switch(kt_slot_id(2));                   /* and gives it back */
    return 0;
}

KTEST("io", "a_task_without_the_line_cannot_attach_until_given_it", io_line_owner)
{
    l4_threadid_t pager = pager_start();
    l4_threadid_t c = child_start(0, pager, L4_NILTHREAD);
    uint64_t r = 0;
    KT_EQ(child_cmd(c, CMD_IRQ, 3, 0, 0, 300000, &r), L4_OK);
    KT_EQ(r, L4_ERR_PERMISSION);
    KT_EQ(give_item(c, l4_irqfpage(3)), L4_OK);
    KT_EQ(child_cmd(c, CMD_IRQ, 3, 0, 0, 300000, &r), L4_OK);
    KT_EQ(r, L4_ERR_TIMEOUT);                          /* now it may, and is attached */
    /* Root gave it away: its own threads may not attach any more. */
    l4_threadid_t f = l4_irq_id(3);
    l4_msg_t m;
    KT_EQ(l4_ipc_error(l4_receive(&f, &m, L4_TIMEOUT_ZERO)), L4_ERR_PERMISSION);
    child_delete(c);                                   /* the line comes back to root */
    f = l4_irq_id(3);
    KT_EQ(l4_ipc_error(l4_receive(&f, &m, L4_TIMEOUT_ZERO)), L4_ERR_TIMEOUT);
    KT_EQ(l4_ipc_error(l4_send(l4_irq_id(3), l4_msgtag(0, 0, 0), &m, L4_TIMEOUT_ZERO)), L4_OK);
    return 0;
}
