/*
 * arch/tss.h — the one 64-bit TSS: the kernel stack of the next entry from user mode
 * (rsp[0]), the interrupt stacks, and where the I/O bitmap starts. It sits at the end of
 * its page in the TSS window, so the bitmap right behind it starts on a page boundary
 * (cpu.c sets it up, ioport.c maps a task's bitmap there, arch/switch.h writes it on
 * every switch).
 */
#ifndef ARCH_TSS_H
#define ARCH_TSS_H

#include <stdint.h>
#include <k/param.h>

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

#define TSS_OFFSET (4096 - sizeof(struct tss))
#define the_tss (*(struct tss *)(TSS_WINDOW + TSS_OFFSET))
#define TSS_IOMAP_NONE 0xffff      /* past the limit: no bitmap, every port faults */

#endif
