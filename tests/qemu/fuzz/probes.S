/*
 * probes.S — every probe of the CPU suite: one stub and one table entry (struct cpu_probe,
 * cpu.h) each, in the order the prober runs them. A stub is
 *
 *     1: push %rbp; mov %rsp, %rbp; SETUP
 *     2: INSN                      the instruction under test
 *     3: mov %rbp, %rsp; pop %rbp; cld; ret
 *
 * The supervisor resumes a faulting prober at 3 with rsp = rbp, so a probe may leave its
 * stack (or rsp itself) in any state. Labels 1..4 belong to the macro; SETUP and INSN use
 * 5..9. A probe that must also check what it did ends INSN with "...; je 5f; ud2; 5:": a
 * failed check is a #UD, which no such probe expects.
 *
 * Expected outcomes are those of the Intel SDM and AMD APM for CPL 3 in 64-bit mode with
 * IOPL 0, this kernel's GDT (null, kernel code 0x08, kernel data 0x10, an all-zero slot
 * 0x18 where SYSRET would find 32-bit code, user data 0x20, user code 0x28, TSS 0x30/0x38,
 * limit 0x3f), a null LDT, an IDT whose gates are all DPL 0 but vector 3's, CR4.PCE,
 * CR4.TSD and CR4.UMIP clear, CR4.OSXMMEXCPT set. Selector faults are #GP(selector & ~3);
 * `int $n` through a DPL-0 gate is #GP(n * 8 + 2).
 *
 * A compatibility-mode `syscall` cannot be reached: no 32-bit code descriptor exists to run
 * 32-bit code with (0x18 is all zero, the LDT is null); the far transfers to 0x18|3 and to
 * an LDT "32-bit code" selector below are the attempts, and each must be #GP.
 */
#include "cpu.h"

/* Assembler symbols, not cpp macros: the probes' code is quoted, and cpp leaves quotes
 * alone. The L4 numbers are static-asserted in cpu.c. */
    .equ SWITCH_NR,  0x4c340003         /* L4_SYS_THREAD_SWITCH */
    .equ KIP_ADDR,   0x7ffffff00000     /* L4_KIP_ADDR */
    .equ UTCB_LAST,  0x7fffff07f000     /* L4_UTCB_BASE + 127 pages: no such thread here */
    .equ KERNEL_IMG, 0xffffffff80100000 /* the kernel's image: present, supervisor-only */
    .equ KERNEL_MAP, 0xffff800000000000 /* the kernel's direct map */
    .equ NONCANON,   0x0000800000000000

/* The selector classes: null, kernel code/data, the empty 32-bit code slot, user data and
 * code, TSS (both halves), past the GDT limit (two), and LDT selectors (TI set) of a data
 * segment, a call gate, 32-bit code and 64-bit code, as a task would forge them in a page
 * at address 0 (the prober has such a page: cpu_forged_ldt). */
#define SELECTORS 0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x40, 0xfff8, 0x04, 0x0c, 0x1c, 0x24

.macro PROBE name, arg, cls, vec, err, flags, setup, insn
    .text
    .balign 16
1:  push %rbp
    mov %rsp, %rbp
    \setup
2:  \insn
3:  mov %rbp, %rsp
    pop %rbp
    cld
    ret
    .section .rodata.cpu_names, "a", @progbits
4:  .asciz "\name"
    .section cpu_probes, "a", @progbits
    .balign 8
    .quad 1b, 2b, 3b, 4b, \arg
    .short \cls, \vec
    .long \err
    .quad \flags
    .text
.endm

/* An instruction that must fault with #GP(0), or #UD, and nothing else. */
.macro GP0 cls, name, setup, insn
    PROBE "\name", 0, \cls, 13, 0, 0, "\setup", "\insn"
.endm
.macro UD cls, name, setup, insn
    PROBE "\name", 0, \cls, 6, 0, 0, "\setup", "\insn"
.endm
.macro NONE cls, name, setup, insn
    PROBE "\name", 0, \cls, CPU_V_NONE, 0, 0, "\setup", "\insn"
.endm

/* ---- Segment registers. DS ES FS GS take null and DPL-3 data or readable code; SS only
 * 0x23 (RPL = DPL = CPL, writable data). */
.macro SEG_DATA reg, cls, s
  .if (((\s) & 0xfffc) == 0) || (((\s) & 0xfffc) == 0x20) || (((\s) & 0xfffc) == 0x28)
    PROBE "mov to %\reg", \s, \cls, CPU_V_NONE, 0, 0, "mov $\s, %eax", "mov %eax, %\reg"
  .else
    PROBE "mov to %\reg", \s, \cls, 13, ((\s) & 0xfffc), 0, "mov $\s, %eax", "mov %eax, %\reg"
  .endif
.endm
.macro SEG_SS s
  .if (\s) == 0x23
    PROBE "mov to %ss", \s, CPU_C_SEG_SS, CPU_V_NONE, 0, 0, "mov $\s, %eax", "mov %eax, %ss"
  .else
    PROBE "mov to %ss", \s, CPU_C_SEG_SS, 13, ((\s) & 0xfffc), 0, "mov $\s, %eax", "mov %eax, %ss"
  .endif
.endm

.irp sel, SELECTORS
.irp rpl, 0, 1, 2, 3
    SEG_DATA ds, CPU_C_SEG_DS, (\sel|\rpl)
    SEG_DATA es, CPU_C_SEG_ES, (\sel|\rpl)
    SEG_DATA fs, CPU_C_SEG_FS, (\sel|\rpl)
    SEG_DATA gs, CPU_C_SEG_GS, (\sel|\rpl)
    SEG_SS (\sel|\rpl)
.endr
.endr

/* Far-pointer loads (m16:32, the form Intel and AMD share) and pop fs/gs: the same
 * checks as mov, with RPL 3. */
.macro SEG_FAR op, s, ok
  .if \ok
    PROBE "\op", \s, CPU_C_SEG_MISC, CPU_V_NONE, 0, 0, "sub $16, %rsp; movl %esp, (%rsp); movw $\s, 4(%rsp)", "\op (%rsp), %eax"
  .else
    PROBE "\op", \s, CPU_C_SEG_MISC, 13, ((\s) & 0xfffc), 0, "sub $16, %rsp; movl %esp, (%rsp); movw $\s, 4(%rsp)", "\op (%rsp), %eax"
  .endif
.endm
.macro SEG_POP reg, s, ok
  .if \ok
    PROBE "pop %\reg", \s, CPU_C_SEG_MISC, CPU_V_NONE, 0, 0, "pushq $\s", "pop %\reg"
  .else
    PROBE "pop %\reg", \s, CPU_C_SEG_MISC, 13, ((\s) & 0xfffc), 0, "pushq $\s", "pop %\reg"
  .endif
.endm
.irp sel, SELECTORS
    SEG_FAR lfs, (\sel|3), ((\sel == 0) || (\sel == 0x20) || (\sel == 0x28))
    SEG_FAR lgs, (\sel|3), ((\sel == 0) || (\sel == 0x20) || (\sel == 0x28))
    SEG_FAR lss, (\sel|3), (\sel == 0x20)
    SEG_POP fs, (\sel|3), ((\sel == 0) || (\sel == 0x20) || (\sel == 0x28))
    SEG_POP gs, (\sel|3), ((\sel == 0) || (\sel == 0x20) || (\sel == 0x28))
.endr
    UD CPU_C_SEG_MISC, "mov to %cs", "mov $0x2b, %eax", ".byte 0x8e, 0xc8"
    UD CPU_C_SEG_MISC, "pop %ds (invalid in 64-bit mode)", "pushq $0x23", ".byte 0x1f"
    UD CPU_C_SEG_MISC, "pop %es (invalid in 64-bit mode)", "pushq $0x23", ".byte 0x07"
    UD CPU_C_SEG_MISC, "pop %ss (invalid in 64-bit mode)", "pushq $0x23", ".byte 0x17"
    UD CPU_C_SEG_MISC, "push %cs (invalid in 64-bit mode)", "", ".byte 0x0e"

/* ---- Far call and jump through m16:32 on the stack, to the resume label: only the
 * user code segment (any RPL: the CPU makes it 3) may be entered. */
.macro FAR op, cls, s
  .if ((\s) & 0xfffc) == 0x28
    PROBE "\op", \s, \cls, CPU_V_NONE, 0, CPU_F_QSMAP, "sub $16, %rsp; movl $3f, (%rsp); movw $\s, 4(%rsp)", "\op *(%rsp)"
  .else
    PROBE "\op", \s, \cls, 13, ((\s) & 0xfffc), 0, "sub $16, %rsp; movl $3f, (%rsp); movw $\s, 4(%rsp)", "\op *(%rsp)"
  .endif
.endm
/* lretq to a forged frame: only 0x2b itself (a return never raises privilege). */
.macro LRET s
  .if (\s) == 0x2b
    PROBE "lretq", \s, CPU_C_LRET, CPU_V_NONE, 0, CPU_F_QSMAP, "pushq $\s; lea 3f(%rip), %rax; push %rax", "lretq"
  .else
    PROBE "lretq", \s, CPU_C_LRET, 13, ((\s) & 0xfffc), CPU_F_QSMAP, "pushq $\s; lea 3f(%rip), %rax; push %rax", "lretq"
  .endif
.endm
.irp sel, SELECTORS
.irp rpl, 0, 1, 2, 3
    FAR lcall, CPU_C_LCALL, (\sel|\rpl)
    FAR ljmp, CPU_C_LJMP, (\sel|\rpl)
    LRET (\sel|\rpl)
.endr
.endr
    PROBE "lretq to a non-canonical rip", 0x2b, CPU_C_LRET, 13, CPU_E_ANY, CPU_F_ANYRIP | CPU_F_QSMAP, "pushq $0x2b; movabs $NONCANON, %rax; push %rax", "lretq"
    PROBE "lretq to kernel cs at a kernel address", 0x08, CPU_C_LRET, 13, 0x08, CPU_F_QSMAP, "pushq $0x08; movabs $KERNEL_IMG, %rax; push %rax", "lretq"

/* ---- iretq with forged frames: push ss, rsp, rflags, cs, rip (to the resume label). */
.macro IRET name, arg, vec, err, ss, cs
    PROBE "\name", \arg, CPU_C_IRET, \vec, \err, CPU_F_QSMAP, "pushq $\ss; pushq %rbp; pushfq; pushq $\cs; lea 3f(%rip), %rax; push %rax", "iretq"
.endm
    IRET "iretq to 0x2b/0x23", 0x2b, CPU_V_NONE, 0, 0x23, 0x2b
    IRET "iretq to kernel cs 0x08, ss 0x10", 0x08, 13, 0x08, 0x10, 0x08
    IRET "iretq to kernel cs with rpl 3", 0x0b, 13, 0x08, 0x13, 0x0b
    IRET "iretq to the 32-bit code slot", 0x1b, 13, 0x18, 0x23, 0x1b
    IRET "iretq to an ldt call gate", 0x0f, 13, 0x0c, 0x23, 0x0f
    IRET "iretq to ldt 32-bit code", 0x1f, 13, 0x1c, 0x07, 0x1f
    IRET "iretq to a data segment as cs", 0x23, 13, 0x20, 0x23, 0x23
    IRET "iretq to the tss as cs", 0x33, 13, 0x30, 0x23, 0x33
    IRET "iretq to cs past the gdt", 0x43, 13, 0x40, 0x23, 0x43
    IRET "iretq with kernel ss 0x10", 0x10, 13, 0x10, 0x10, 0x2b
    IRET "iretq with kernel ss rpl 3", 0x13, 13, 0x10, 0x13, 0x2b
    IRET "iretq with null ss", 0x00, 13, 0, 0x00, 0x2b
    IRET "iretq with null ss rpl 3", 0x03, 13, 0, 0x03, 0x2b
    IRET "iretq with code as ss", 0x2b, 13, 0x28, 0x2b, 0x2b
    IRET "iretq with an ldt ss", 0x07, 13, 0x04, 0x07, 0x2b
    IRET "iretq with ss past the gdt", 0x43, 13, 0x40, 0x43, 0x2b
    PROBE "iretq to a non-canonical rip", 0, CPU_C_IRET, 13, CPU_E_ANY, CPU_F_ANYRIP | CPU_F_QSMAP, "pushq $0x23; pushq %rbp; pushfq; pushq $0x2b; movabs $NONCANON, %rax; push %rax", "iretq"
    PROBE "iretq to kernel cs at a kernel address", 0x08, CPU_C_IRET, 13, 0x08, CPU_F_QSMAP, "pushq $0x10; pushq %rbp; pushfq; pushq $0x08; movabs $KERNEL_IMG, %rax; push %rax", "iretq"
    /* IOPL 3, IF 0, VM and NT in the popped flags: a CPL-3 iretq changes none of them. */
    PROBE "iretq with iopl 3, vm, nt, if 0, then cli", 0, CPU_C_IRET, 13, 0, CPU_F_QSMAP, "pushq $0x23; pushq %rbp; pushfq; orq $0x27000, (%rsp); andq $~0x200, (%rsp); pushq $0x2b; lea 5f(%rip), %rax; push %rax; iretq; 5:", "cli"
    PROBE "iretq with iopl 3, vm, if 0: flags unchanged", 0, CPU_C_IRET, CPU_V_NONE, 0, CPU_F_QSMAP, "pushq $0x23; pushq %rbp; pushfq; orq $0x23000, (%rsp); andq $~0x200, (%rsp); pushq $0x2b; lea 5f(%rip), %rax; push %rax; iretq; 5:", "pushfq; pop %rax; test $0x23000, %eax; jnz 6f; test $0x200, %eax; jnz 5f; 6: ud2; 5:"
    PROBE "iretq with nt set (a task return)", 0, CPU_C_IRET, 13, 0, CPU_F_QSMAP, "pushq $0x23; pushq %rbp; pushfq; pushq $0x2b; lea 3f(%rip), %rax; push %rax; pushfq; orq $0x4000, (%rsp); popfq", "iretq"

/* ---- int $n for every n: vector 3's gate is the only DPL-3 one. Encoded as CD n (GAS
 * would write int $3 as the one-byte int3, a probe of its own below). */
.set n, 0
.rept 256
  .if n == 3
    PROBE "int $n", n, CPU_C_INT, 3, 0, 0, "", ".byte 0xcd, n"
  .else
    PROBE "int $n", n, CPU_C_INT, 13, (n*8+2), CPU_F_QIDT, "", ".byte 0xcd, n"
  .endif
  .set n, n + 1
.endr

/* ---- Traps and invalid opcodes. */
    PROBE "int3", 0, CPU_C_TRAP, 3, 0, 0, "", "int3"
    NONE CPU_C_TRAP, "int3 + kdebug encoding, unknown op 0x7f (the kernel ignores it)", "", "int3; cmpb $0x7f, %al"
    PROBE "icebp (int1)", 0, CPU_C_TRAP, 1, 0, CPU_F_QUD, "", ".byte 0xf1"
    UD CPU_C_TRAP, "into (invalid in 64-bit mode)", "", ".byte 0xce"
    UD CPU_C_TRAP, "ud2", "", "ud2"
    UD CPU_C_TRAP, "ud1", "", ".byte 0x0f, 0xb9, 0xc0"
    UD CPU_C_TRAP, "ud0", "", ".byte 0x0f, 0xff, 0xc0"
    UD CPU_C_TRAP, "lock nop", "", ".byte 0xf0, 0x90"
    UD CPU_C_TRAP, "aaa (invalid in 64-bit mode)", "", ".byte 0x37"
    PROBE "div by zero", 0, CPU_C_TRAP, 0, 0, 0, "xor %ecx, %ecx; mov $1, %eax; xor %edx, %edx", "div %ecx"
    PROBE "idiv overflow", 0, CPU_C_TRAP, 0, 0, 0, "movabs $0x8000000000000000, %rax; cqo; mov $-1, %rcx", "idiv %rcx"
    PROBE "single step (popf tf)", 0, CPU_C_TRAP, 1, 0, 0, "pushfq; orq $0x100, (%rsp); popfq", "nop"

/* ---- Ways into a kernel. */
    PROBE "syscall with a linux number (39)", 39, CPU_C_ENTRY, CPU_V_SYSCALL, 0, CPU_F_ADDR, "mov $39, %eax", "syscall"
    PROBE "sysenter", 0, CPU_C_ENTRY, CPU_V_VENDOR, 0, 0, "", "sysenter"
    PROBE "sysexit", 0, CPU_C_ENTRY, CPU_V_VENDOR, 0, 0, "", "sysexitl"
    GP0 CPU_C_ENTRY, "sysretq", "", "sysretq"
    GP0 CPU_C_ENTRY, "sysretl", "", "sysretl"
    GP0 CPU_C_ENTRY, "swapgs", "", "swapgs"
    PROBE "int $0x80", 0x80, CPU_C_ENTRY, 13, 0x402, CPU_F_QIDT, "", "int $0x80"
    UD CPU_C_ENTRY, "vmcall", "", "vmcall"

/* ---- Privileged instructions. */
    GP0 CPU_C_PRIV, "cli", "", "cli"
    GP0 CPU_C_PRIV, "sti", "", "sti"
    GP0 CPU_C_PRIV, "hlt", "", "hlt"
    GP0 CPU_C_PRIV, "lgdt", "sub $16, %rsp", "lgdt (%rsp)"
    GP0 CPU_C_PRIV, "lidt", "sub $16, %rsp", "lidt (%rsp)"
    GP0 CPU_C_PRIV, "lldt (null)", "xor %eax, %eax", "lldt %ax"
    GP0 CPU_C_PRIV, "lldt (forged ldt at 0 as 0x0c)", "mov $0x0c, %eax", "lldt %ax"
    GP0 CPU_C_PRIV, "ltr", "mov $0x30, %eax", "ltr %ax"
    GP0 CPU_C_PRIV, "invlpg", "", "invlpg (%rsp)"
    GP0 CPU_C_PRIV, "wbinvd", "", "wbinvd"
    GP0 CPU_C_PRIV, "invd", "", "invd"
    GP0 CPU_C_PRIV, "clts", "", "clts"
    GP0 CPU_C_PRIV, "lmsw", "xor %eax, %eax", "lmsw %ax"
    GP0 CPU_C_PRIV, "xsetbv", "xor %ecx, %ecx; mov $3, %eax; xor %edx, %edx", "xsetbv"
    GP0 CPU_C_PRIV, "rdpmc", "xor %ecx, %ecx", "rdpmc"
    UD CPU_C_PRIV, "monitor", "mov %rsp, %rax; xor %ecx, %ecx; xor %edx, %edx", "monitor"
    UD CPU_C_PRIV, "mwait", "xor %eax, %eax; xor %ecx, %ecx", "mwait"
    NONE CPU_C_PRIV, "rdtsc (allowed)", "", "rdtsc"
    NONE CPU_C_PRIV, "cpuid (allowed)", "xor %eax, %eax; xor %ecx, %ecx", "cpuid"
    NONE CPU_C_PRIV, "xgetbv 0 (allowed)", "xor %ecx, %ecx", "xgetbv"
    NONE CPU_C_PRIV, "popf iopl 3, if 0: silently ignored", "pushfq; orq $0x3000, (%rsp); andq $~0x200, (%rsp); popfq", "pushfq; pop %rax; test $0x3000, %eax; jnz 6f; test $0x200, %eax; jnz 5f; 6: ud2; 5:"
    GP0 CPU_C_PRIV, "popf iopl 3, then cli", "pushfq; orq $0x3000, (%rsp); popfq", "cli"

/* ---- Ports: the prober task holds none (its parent holds 0x80). */
.irp port, 0x80, 0x60, 0xe9, 0xf4, 0x3f8, 0xcf8, 0xffff
    PROBE "in %dx, %al", \port, CPU_C_IO, 13, 0, 0, "mov $\port, %edx", "in %dx, %al"
    PROBE "out %al, %dx", \port, CPU_C_IO, 13, 0, 0, "mov $\port, %edx; xor %eax, %eax", "out %al, %dx"
.endr
    PROBE "in $0x80, %al", 0x80, CPU_C_IO, 13, 0, 0, "", "in $0x80, %al"
    PROBE "out %al, $0xf4 (isa-debug-exit)", 0xf4, CPU_C_IO, 13, 0, 0, "mov $0x11, %eax", "out %al, $0xf4"
    PROBE "in %dx, %ax", 0xcfc, CPU_C_IO, 13, 0, 0, "mov $0xcfc, %edx", "in %dx, %ax"
    PROBE "in %dx, %eax", 0xcfc, CPU_C_IO, 13, 0, 0, "mov $0xcfc, %edx", "in %dx, %eax"
    PROBE "outl %eax, %dx", 0xcf8, CPU_C_IO, 13, 0, 0, "mov $0xcf8, %edx; mov $0x80000000, %eax", "out %eax, %dx"
    PROBE "insb", 0x60, CPU_C_IO, 13, 0, 0, "sub $16, %rsp; mov %rsp, %rdi; mov $0x60, %edx", "insb"
    PROBE "rep outsb", 0xe9, CPU_C_IO, 13, 0, 0, "sub $16, %rsp; mov %rsp, %rsi; mov $0xe9, %edx; mov $4, %ecx", "rep outsb"

/* ---- Control and debug registers, MSRs. */
.irp cr, 0, 2, 3, 4, 8
    GP0 CPU_C_CR, "mov from %cr\cr", "", "mov %cr\cr, %rax"
    GP0 CPU_C_CR, "mov to %cr\cr", "xor %eax, %eax", "mov %rax, %cr\cr"
.endr
.irp dr, 0, 1, 2, 3, 4, 5, 6, 7
    GP0 CPU_C_DR, "mov from %dr\dr", "", "mov %dr\dr, %rax"
    GP0 CPU_C_DR, "mov to %dr\dr", "xor %eax, %eax", "mov %rax, %dr\dr"
.endr
.irp msr, 0x10, 0x1b, 0x174, 0xc0000080, 0xc0000082, 0xc0000100, 0xc0000101, 0xc0000102, 0, 0xffffffff
    PROBE "rdmsr", \msr, CPU_C_MSR, 13, 0, 0, "mov $\msr, %ecx", "rdmsr"
    PROBE "wrmsr", \msr, CPU_C_MSR, 13, 0, 0, "mov $\msr, %ecx; xor %eax, %eax; xor %edx, %edx", "wrmsr"
.endr

/* ---- Memory the task does not have. The prober has no pager: every fault is an
 * exception, with CR2 in the address word (checked against the argument). */
    PROBE "read non-canonical", 0, CPU_C_MEM, 13, 0, 0, "movabs $0x8000000000000000, %rax", "mov (%rax), %rax"
    PROBE "read the first non-canonical address", 0, CPU_C_MEM, 13, 0, 0, "movabs $NONCANON, %rax", "mov (%rax), %rax"
    PROBE "push to a non-canonical address", 0, CPU_C_MEM, 12, 0, CPU_F_QGP, "movabs $NONCANON+8, %rsp", "push %rax"
    PROBE "read with a non-canonical rsp", 0, CPU_C_MEM, 12, 0, CPU_F_QGP, "movabs $NONCANON, %rsp", "mov (%rsp), %rax"
    PROBE "push below the top of the user half", 0x7ffffffffff8, CPU_C_MEM, 14, 6, CPU_F_ADDR, "movabs $NONCANON, %rsp", "push %rax"
    PROBE "read the kernel image", KERNEL_IMG, CPU_C_MEM, 14, 5, CPU_F_ADDR, "movabs $KERNEL_IMG, %rax", "mov (%rax), %rax"
    PROBE "write the kernel image", KERNEL_IMG, CPU_C_MEM, 14, 7, CPU_F_ADDR, "movabs $KERNEL_IMG, %rax", "movq $0, (%rax)"
    PROBE "read the kernel direct map", KERNEL_MAP, CPU_C_MEM, 14, 5, CPU_F_ADDR, "movabs $KERNEL_MAP, %rax", "mov (%rax), %rax"
    PROBE "call into the kernel image", KERNEL_IMG, CPU_C_MEM, 14, 0x15, CPU_F_ADDR | CPU_F_ANYRIP, "movabs $KERNEL_IMG, %rax", "call *%rax"
    PROBE "write the kip", KIP_ADDR, CPU_C_MEM, 14, 7, CPU_F_ADDR, "movabs $KIP_ADDR, %rax", "movq $0, (%rax)"
    PROBE "execute the kip (nx)", KIP_ADDR, CPU_C_MEM, 14, 0x15, CPU_F_ADDR | CPU_F_ANYRIP, "movabs $KIP_ADDR, %rax", "call *%rax"
    PROBE "read a utcb with no thread", UTCB_LAST, CPU_C_MEM, 14, 4, CPU_F_ADDR, "movabs $UTCB_LAST, %rax", "mov (%rax), %rax"
    PROBE "read unmapped 0x1000", 0x1000, CPU_C_MEM, 14, 4, CPU_F_ADDR, "mov $0x1000, %eax", "mov (%rax), %rax"
    PROBE "write unmapped 0x1000", 0x1000, CPU_C_MEM, 14, 6, CPU_F_ADDR, "mov $0x1000, %eax", "movq $0, (%rax)"
    PROBE "write own code (read-only)", 1b, CPU_C_MEM, 14, 7, CPU_F_ADDR, "lea 1b(%rip), %rax", "movb $0, (%rax)"
    PROBE "execute own data (nx)", cpu_nx_target, CPU_C_MEM, 14, 0x15, CPU_F_ADDR | CPU_F_ANYRIP, "lea cpu_nx_target(%rip), %rax", "call *%rax"
    PROBE "xsave to a read-only page", 0, CPU_C_MEM, 14, 7, 0, "lea cpu_ro_area(%rip), %rcx; mov $-1, %eax; mov $-1, %edx", "xsave (%rcx)"

/* ---- Flags left for the kernel and the victim: the kernel must clear DF, AC, TF and NT
 * for itself, and the victim must never see them. */
    NONE CPU_C_FLAGS, "std, then switch to the victim", "std; mov $SWITCH_NR, %eax; mov cpu_shared+8(%rip), %rdi", "syscall"
    NONE CPU_C_FLAGS, "ac set, then switch to the victim", "pushfq; orq $0x40000, (%rsp); popfq; mov $SWITCH_NR, %eax; mov cpu_shared+8(%rip), %rdi", "syscall"
    NONE CPU_C_FLAGS, "nt set, then switch to the victim", "pushfq; orq $0x4000, (%rsp); popfq; mov $SWITCH_NR, %eax; mov cpu_shared+8(%rip), %rdi", "syscall"
    PROBE "std, then int3", 0, CPU_C_FLAGS, 3, 0, 0, "std", "int3"
    PROBE "ac set, then a page fault", 0x1000, CPU_C_FLAGS, 14, 4, CPU_F_ADDR, "pushfq; orq $0x40000, (%rsp); popfq; mov $0x1000, %eax", "mov (%rax), %rax"
    PROBE "std and ac, then #GP", 0, CPU_C_FLAGS, 13, 0, 0, "std; pushfq; orq $0x40000, (%rsp); popfq", "cli"

/* ---- SSE: MXCSR poisoning. Each poison is followed by the reset that must work. */
    PROBE "ldmxcsr with reserved bit 16", 0, CPU_C_SSE, 13, 0, CPU_F_QNONE, "pushq $0x11f80", "ldmxcsr (%rsp)"
    PROBE "ldmxcsr 0xffffffff", 0, CPU_C_SSE, 13, 0, CPU_F_QNONE, "pushq $-1", "ldmxcsr (%rsp)"
    NONE CPU_C_SSE, "ldmxcsr 0x1f80 after them", "pushq $0x1f80", "ldmxcsr (%rsp)"
    NONE CPU_C_SSE, "ldmxcsr 0: every exception unmasked", "pushq $0", "ldmxcsr (%rsp)"
    PROBE "divss 0/0 unmasked", 0, CPU_C_SSE, 19, 0, CPU_F_QNONE, "xorps %xmm0, %xmm0", "divss %xmm0, %xmm0"
    NONE CPU_C_SSE, "ldmxcsr 0x1f80 resets it: 0/0 masked", "pushq $0x1f80; ldmxcsr (%rsp); xorps %xmm0, %xmm0", "divss %xmm0, %xmm0; stmxcsr (%rsp); cmpl $0x1f81, (%rsp); je 5f; ud2; 5:"
    NONE CPU_C_SSE, "mxcsr flags set and unmasked, then a clean add", "pushq $0x3f; ldmxcsr (%rsp); xorps %xmm1, %xmm1", "addps %xmm1, %xmm1"
    PROBE "mxcsr 0x7f80, then int3", 0, CPU_C_SSE, 3, 0, 0, "pushq $0x7f80", "ldmxcsr (%rsp); int3"
    NONE CPU_C_SSE, "mxcsr kept across the exception", "sub $8, %rsp", "stmxcsr (%rsp); cmpl $0x7f80, (%rsp); je 5f; ud2; 5:"
    NONE CPU_C_SSE, "ldmxcsr 0x1f80", "pushq $0x1f80", "ldmxcsr (%rsp); stmxcsr 4(%rsp); cmpl $0x1f80, 4(%rsp); je 5f; ud2; 5:"

/* ---- x87 (GAS writes Intel's fdivrp as fdivp: st(1) = st(0) / st(1) here): control
 * word poisoning; a pending exception is #MF at the next waiting
 * instruction (QEMU raises it at fwait only: each probe ends with one). That needs CR0.NE:
 * without it the CPU signals FERR# to the interrupt controller instead, and the task never
 * learns of it. fninit (no wait) must reset it. */
    NONE CPU_C_X87, "fldcw all unmasked, 0/0 pending", "fninit; pushq $0x340; fldcw (%rsp); fldz; fldz", "fdivp"
    PROBE "fwait with the exception pending", 0, CPU_C_X87, 16, 0, 0, "", "fwait"
    NONE CPU_C_X87, "fninit resets it", "fninit; sub $8, %rsp", "fld1; fld1; faddp; fwait; fnstcw (%rsp); cmpw $0x37f, (%rsp); je 5f; ud2; 5: fninit"
    PROBE "1/0 unmasked, then fld1 and fwait", 0, CPU_C_X87, 16, 0, 0, "fninit; pushq $0x340; fldcw (%rsp); fldz; fld1; fdivp", "fld1; fwait"
    NONE CPU_C_X87, "fninit, fld1", "fninit", "fld1; fwait; fninit"
    PROBE "stack overflow unmasked", 0, CPU_C_X87, 16, 0, CPU_F_QX87, "fninit; pushq $0x340; fldcw (%rsp); fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1", "fld1; fwait"
    NONE CPU_C_X87, "fninit after the overflow", "", "fninit; fld1; fwait; fninit"
    PROBE "fcw 0x0e7f, then int3", 0, CPU_C_X87, 3, 0, 0, "fninit; pushq $0x0e7f", "fldcw (%rsp); int3"
    NONE CPU_C_X87, "fcw kept across the exception", "sub $8, %rsp", "fnstcw (%rsp); cmpw $0x0e7f, (%rsp); je 5f; ud2; 5: fninit"

/* ---- FPU state images: fxrstor/xrstor of bad areas are #GP and load nothing; the init
 * image resets everything; ymm upper halves left dirty for the victim to not see. */
    PROBE "fxrstor with reserved mxcsr bits", 0, CPU_C_XSAVE, 13, 0, CPU_F_QNONE, "lea cpu_fx_bad(%rip), %rax", "fxrstor (%rax)"
    GP0 CPU_C_XSAVE, "fxrstor misaligned", "lea cpu_fx_good+8(%rip), %rax", "fxrstor (%rax)"
    GP0 CPU_C_XSAVE, "xrstor with xcomp_bv set", "lea cpu_xs_comp(%rip), %rcx; mov $-1, %eax; mov $-1, %edx", "xrstor (%rcx)"
    GP0 CPU_C_XSAVE, "xrstor with xstate_bv beyond xcr0", "lea cpu_xs_bv(%rip), %rcx; mov $-1, %eax; mov $-1, %edx", "xrstor (%rcx)"
    PROBE "xrstor with reserved mxcsr bits", 0, CPU_C_XSAVE, 13, 0, CPU_F_QNONE, "lea cpu_xs_mx(%rip), %rcx; mov $-1, %eax; mov $-1, %edx", "xrstor (%rcx)"
    GP0 CPU_C_XSAVE, "xrstor misaligned", "lea cpu_xs_init+16(%rip), %rcx; mov $-1, %eax; mov $-1, %edx", "xrstor (%rcx)"
    NONE CPU_C_XSAVE, "fxrstor of a clean image", "lea cpu_fx_good(%rip), %rax; sub $8, %rsp", "fxrstor (%rax); stmxcsr (%rsp); cmpl $0x1f80, (%rsp); je 5f; ud2; 5:"
    PROBE "dirty every ymm upper half", 0, CPU_C_XSAVE, CPU_V_AVX, 0, 0, "", "vcmptrueps %ymm0, %ymm0, %ymm0; vcmptrueps %ymm0, %ymm0, %ymm1; vcmptrueps %ymm0, %ymm0, %ymm2; vcmptrueps %ymm0, %ymm0, %ymm3; vcmptrueps %ymm0, %ymm0, %ymm4; vcmptrueps %ymm0, %ymm0, %ymm5; vcmptrueps %ymm0, %ymm0, %ymm6; vcmptrueps %ymm0, %ymm0, %ymm7; vcmptrueps %ymm0, %ymm0, %ymm8; vcmptrueps %ymm0, %ymm0, %ymm9; vcmptrueps %ymm0, %ymm0, %ymm10; vcmptrueps %ymm0, %ymm0, %ymm11; vcmptrueps %ymm0, %ymm0, %ymm12; vcmptrueps %ymm0, %ymm0, %ymm13; vcmptrueps %ymm0, %ymm0, %ymm14; vcmptrueps %ymm0, %ymm0, %ymm15"
    NONE CPU_C_XSAVE, "xrstor of the init image resets x87 and sse", "lea cpu_xs_init(%rip), %rcx; mov $-1, %eax; mov $-1, %edx; sub $8, %rsp", "xrstor (%rcx); fnstcw (%rsp); cmpw $0x37f, (%rsp); jne 6f; stmxcsr (%rsp); cmpl $0x1f80, (%rsp); je 5f; 6: ud2; 5:"

/* Calls a stub, keeping the registers the C caller relies on (stubs clobber freely). */
    .text
    .globl cpu_probe_call
cpu_probe_call:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    call *%rdi
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

/* Where the forged call gate of cpu_forged_ldt points: reached only if the CPU used it. */
    .globl cpu_gate_target
cpu_gate_target:
    ud2
    jmp cpu_gate_target

/* FXSAVE/XSAVE images: legacy area (FCW @0, MXCSR @24), XSAVE header (XSTATE_BV @512,
 * XCOMP_BV @520). */
.macro FXAREA fcw, mxcsr
    .short \fcw
    .fill 22, 1, 0
    .long \mxcsr
    .fill 512 - 28, 1, 0
.endm
    .data
    .balign 64
cpu_fx_bad:  FXAREA 0x37f, 0xffffffff
cpu_fx_good: FXAREA 0x37f, 0x1f80
cpu_xs_comp: FXAREA 0x37f, 0x1f80
    .quad 3, 0x8000000000000003
    .fill 48, 1, 0
cpu_xs_bv:   FXAREA 0x37f, 0x1f80
    .quad 0x203, 0
    .fill 48, 1, 0
cpu_xs_mx:   FXAREA 0x37f, 0xffffffff
    .quad 2, 0
    .fill 48, 1, 0
cpu_xs_init: FXAREA 0x37f, 0x1f80
    .quad 0, 0
    .fill 48, 1, 0
    .globl cpu_nx_target
cpu_nx_target:
    ret
    .section .rodata
    .balign 4096
cpu_ro_area:
    .fill 4096, 1, 0

    .section .note.GNU-stack, "", @progbits
