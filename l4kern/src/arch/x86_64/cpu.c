/*
 * cpu.c — descriptor tables, system-call MSRs, FPU/XSAVE and protection features.
 *
 * GDT: null, kernel code/data, a never-present slot where SYSRET would look for 32-bit
 * user code (so no task can enter compatibility mode), user data/code, TSS. The TSS
 * supplies the kernel stack for interrupts from user mode and IST stacks for #DF and NMI.
 */
#include <k/cpu.h>
#include <k/lib.h>
#include <k/log.h>
#include <k/mem.h>
#include <k/param.h>
#include <k/thread.h>
#include <k/trapframe.h>
#include <k/x86.h>
#include <arch/fpu.h>
#include <arch/tss.h>

struct percpu cpu0;
int cpu_smap;
uint64_t xsave_mask;
uint32_t xsave_size;
int xinuse_tracked;
uint8_t fpu_init_state[TCB_FPU_AREA] __attribute__((aligned(64)));


struct idt_gate {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, zero;
} __attribute__((packed));

static uint64_t gdt[8] __attribute__((aligned(16)));
/*
 * The TSS sits at the end of its page in the TSS window, so the I/O bitmap right behind it
 * starts on a page boundary: switching tasks remaps those two pages to the next task's own
 * bitmap instead of copying 8 KiB (ioport.c). Tasks without ports get io_deny, all ones;
 * the page after the bitmap is all ones too (the CPU may read one byte past the last port).
 */
static uint8_t tss_page[4096] __attribute__((aligned(4096)));
uint8_t io_deny[2][4096] __attribute__((aligned(4096)));
#define TSS_LIMIT (sizeof(struct tss) + 65536 / 8)     /* bitmap + the all-ones byte */
static struct idt_gate idt[256] __attribute__((aligned(16)));
static uint8_t ist_stacks[2][4096] __attribute__((aligned(16)));
extern const uint64_t trap_stubs[256];
extern char syscall_entry[], syscall_compat_entry[];

/* Loads the GDT, the TSS and a null LDT: the CPU's reset-state LDT (base 0, limit 0xffff)
 * would otherwise stay live, and a task could load segment descriptors, call gates
 * included, from a page of its own at address 0. With a null LDT every LDT selector is
 * #GP. */
static void load_gdt(void)
{
    gdt[GDT_KCODE / 8] = 0x00af9a000000ffffULL;
    gdt[GDT_KDATA / 8] = 0x00cf92000000ffffULL;
    gdt[GDT_UCODE32 / 8] = 0;
    gdt[GDT_UDATA / 8] = 0x00cff2000000ffffULL;
    gdt[GDT_UCODE / 8] = 0x00affa000000ffffULL;
    uint64_t base = TSS_WINDOW + TSS_OFFSET, limit = TSS_LIMIT;
    gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
                       (((base >> 24) & 0xff) << 56);
    gdt[GDT_TSS / 8 + 1] = base >> 32;
    memset(io_deny, 0xff, sizeof(io_deny));
    kmap_window(TSS_WINDOW, virt_to_phys(tss_page), 1);
    kmap_window(TSS_WINDOW + 0x1000, virt_to_phys(io_deny[0]), 0);
    kmap_window(TSS_WINDOW + 0x2000, virt_to_phys(io_deny[1]), 0);
    kmap_window(TSS_WINDOW + 0x3000, virt_to_phys(io_deny[0]), 0);
    the_tss.iomap_base = sizeof(struct tss);
    the_tss.ist[0] = (uint64_t)ist_stacks[0] + sizeof(ist_stacks[0]);
    the_tss.ist[1] = (uint64_t)ist_stacks[1] + sizeof(ist_stacks[1]);
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) d = { sizeof(gdt) - 1, (uint64_t)gdt };
    __asm__ volatile("lgdt %0\n\t"
                     "mov %1, %%ds\n\tmov %1, %%es\n\tmov %1, %%ss\n\t"
                     "pushq %2\n\tleaq 1f(%%rip), %%rax\n\tpushq %%rax\n\tlretq\n1:\n\t"
                     "ltr %w3\n\t"
                     "lldt %w4"
                     : : "m"(d), "r"((uint64_t)GDT_KDATA), "i"(GDT_KCODE), "r"(GDT_TSS),
                         "r"(0)
                     : "rax", "memory");
}

static void set_gate(int vec, uint64_t handler, int dpl, int ist)
{
    idt[vec] = (struct idt_gate){
        .off_lo = handler & 0xffff, .sel = GDT_KCODE, .ist = (uint8_t)ist,
        .type = (uint8_t)(0x8e | (dpl << 5)), .off_mid = (handler >> 16) & 0xffff,
        .off_hi = (uint32_t)(handler >> 32), .zero = 0 };
}

static void load_idt(void)
{
    for (int v = 0; v < 256; v++)
        set_gate(v, trap_stubs[v], 0, 0);
    set_gate(3, trap_stubs[3], 3, 0);   /* int3 from user: breakpoints and kdebug */
    set_gate(8, trap_stubs[8], 0, 1);   /* #DF on its own stack */
    set_gate(2, trap_stubs[2], 0, 2);   /* NMI on its own stack */
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) d = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" : : "m"(d));
}

static void init_syscall_msrs(void)
{
    wrmsr(MSR_STAR, ((uint64_t)(GDT_UCODE32 | 3) << 48) | ((uint64_t)GDT_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_CSTAR, (uint64_t)syscall_compat_entry);
    /* Entry clears IF, TF, DF, NT and AC: the kernel runs with interrupts off. */
    wrmsr(MSR_SFMASK, 0x44700);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | EFER_NXE);
}

/* A CPU without something the kernel needs: one line saying what, and the run ends (it is
 * the machine, not a bug: no panic, no register dump). */
static void __attribute__((noreturn)) refuse(const char *what)
{
    kprintf("[l4kern] this CPU lacks %s, which Ell Four needs (QEMU: -cpu max); "
            "not booting\n", what);
    machine_exit(REFUSE_EXIT_CODE);
}

/* SSE always; XSAVE with AVX when the CPU has it, so gcc's and libsodium's AVX code
 * keeps its registers across switches. */
static void init_fpu(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    /* NE: an unmasked x87 error is #MF for the task that caused it, not FERR# on an
     * interrupt line (IRQ 13, which another task may own). */
    WRITE_CR(0, (READ_CR(0) & ~(uint64_t)(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
    uint64_t cr4 = READ_CR(4) | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_PGE;
    if (!(r[2] & (1u << 26)))
        refuse("XSAVE");
    WRITE_CR(4, cr4 | CR4_OSXSAVE);
    xsave_mask = 0x3 | ((r[2] & (1u << 28)) ? 0x4 : 0);
    xsetbv(0, xsave_mask);
    cpuid(0xd, 0, r);
    xsave_size = r[1];
    if (xsave_size > TCB_FPU_AREA)
        refuse("an XSAVE area for x87, SSE and AVX within the TCB's room");
    arch_fpu_init_area(fpu_init_state);
    cpuid(0xd, 1, r);
    if (r[0] & (1u << 2)) {                 /* XGETBV with ECX = 1 */
        xrstor_all(fpu_init_state);
        xinuse_tracked = (xgetbv(1) & xsave_mask) == 0;
    }
}

static void init_protection(void)
{
    uint32_t r[4];
    cpuid(7, 0, r);
    uint64_t cr4 = READ_CR(4);
    if (r[1] & (1u << 7))
        cr4 |= CR4_SMEP;
    if (r[1] & (1u << 20)) {
        cr4 |= CR4_SMAP;
        cpu_smap = 1;
    }
    WRITE_CR(4, cr4);
}

void cpu_init(void)
{
    cpu0.self = &cpu0;
    load_gdt();
    load_idt();
    wrmsr(MSR_GS_BASE, (uint64_t)&cpu0);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
    init_syscall_msrs();
    init_fpu();
    init_protection();
}

/* on: the bitmap pages behind the TSS apply; off: the base lies past the limit, so every
 * port faults (a task without ports costs one store, and leaves the pages mapped). */
void tss_set_iomap(int on)
{
    the_tss.iomap_base = on ? (uint16_t)sizeof(struct tss) : TSS_IOMAP_NONE;
}

void arch_fpu_init_area(void *area)
{
    memset(area, 0, xsave_size);
    *(uint32_t *)((char *)area + 24) = 0x1f80;   /* MXCSR: all exceptions masked */
}

/* Loads the user data selectors packed in `want` (arch/segs.h); gs is the one in use. */
void arch_segs_load(uint64_t want, uint16_t gs)
{
    __asm__ volatile("mov %0, %%ds; mov %1, %%es; mov %2, %%fs"
                     : : "r"((uint16_t)want), "r"((uint16_t)(want >> 16)),
                         "r"((uint16_t)(want >> 32)));
    if ((uint16_t)(want >> 48) != gs)
        __asm__ volatile("swapgs; mov %0, %%gs; swapgs" : : "r"((uint16_t)(want >> 48)));
}
