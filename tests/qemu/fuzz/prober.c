/*
 * prober.c — the prober task of the CPU suite. Its first thread faults in every page of
 * this image and the forged LDT page at address 0 through its pager (the supervisor),
 * then drops the pager, so that every later fault is an exception the supervisor sees,
 * and says "ready". Then it runs the probes of probes.S from cpu_shared.first_probe on:
 * each one, a switch to the victim's spinner (which then runs on whatever CPU state the
 * probe left), and a "done" system call the supervisor judges the probe on.
 */
#include "task.h"
#include "cpu.h"
#include <ell/elf64.h>
#include <l4/thread.h>

extern char __executable_start[];

/* The image's loaded segments, from its own program headers (the first loaded page
 * holds them): the gaps between segments are mapped nowhere, not even in the supervisor. */
static const struct elf64_phdr *loads(unsigned *n)
{
    const struct elf64_ehdr *e = (const struct elf64_ehdr *)__executable_start;
    *n = e->phnum;
    return (const struct elf64_phdr *)(__executable_start + e->phoff);
}

int cpu_image_page(uint64_t page)
{
    unsigned n;
    const struct elf64_phdr *p = loads(&n);
    for (unsigned i = 0; i < n; i++)
        if (p[i].type == ELF64_PT_LOAD && page >= (p[i].vaddr & ~0xfffULL) &&
            page < p[i].vaddr + p[i].memsz)
            return 1;
    return 0;
}

void cpu_touch_image(void)
{
    unsigned n;
    const struct elf64_phdr *p = loads(&n);
    for (unsigned i = 0; i < n; i++)
        for (uint64_t a = p[i].vaddr & ~0xfffULL;
             p[i].type == ELF64_PT_LOAD && a < p[i].vaddr + p[i].memsz; a += 4096)
            (void)*(volatile char *)a;
}

/* A foreign system call the supervisor, as exception handler, takes as "probe done". */
static void done(uint64_t index)
{
    register uint64_t rax __asm__("rax") = CPU_DONE_NR;
    register uint64_t rdi __asm__("rdi") = index;
    __asm__ volatile("syscall" : "+r"(rax), "+r"(rdi) : : "rcx", "r11", "memory");
}

void prober_entry(void)
{
    cpu_touch_image();
    __asm__ volatile("movb 0, %%al" : : : "rax", "memory");     /* the forged LDT page */
    struct l4_exregs x = { .control = 0 | L4_EXREGS_SET_PAGER, .pager = L4_NILTHREAD };
    l4_lthread_ex_regs(&x);
    done(CPU_READY);
    uint64_t n = (uint64_t)(__stop_cpu_probes - __start_cpu_probes);
    for (uint64_t i = cpu_shared.first_probe; i < n; i++) {
        cpu_probe_call(__start_cpu_probes[i].start);
        l4_thread_switch(cpu_shared.spinner);
        done(i);
    }
    for (;;)
        done(CPU_END);
}
