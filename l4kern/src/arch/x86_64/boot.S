/*
 * boot.S — PVH entry. QEMU's -kernel finds the XEN_ELFNOTE_PHYS32_ENTRY note and enters
 * pvh_start in 32-bit protected mode, paging off, %ebx = physical address of the
 * hvm_start_info. We build boot page tables that map the first GiB three ways (identity,
 * so this code keeps running; the direct map; the kernel's -2 GiB window), enter long
 * mode and jump to kmain in the upper half. kmain drops the identity map.
 */
#define KERNEL_VMA 0xffffffff80000000
#define PHYS(x) ((x) - KERNEL_VMA)

    .section .note.Xen, "a", @note
    .balign 4
    .long 4                         /* name size: "Xen\0" */
    .long 4                         /* descriptor size */
    .long 18                        /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .long PHYS(pvh_start)

    .section .boot.text, "ax"
    .code32
    .globl pvh_start
pvh_start:
    cli
    cld
    movl %ebx, %esi                 /* hvm_start_info, kept for kmain */
    movl $PHYS(boot_stack_top), %esp

    /* PD: 512 x 2 MiB pages covering physical [0, 1 GiB). */
    movl $PHYS(boot_pd), %edi
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax                 /* present, writable, 2 MiB */
    movl %eax, (%edi,%ecx,8)
    movl $0, 4(%edi,%ecx,8)
    incl %ecx
    cmpl $512, %ecx
    jne 1b

    movl $PHYS(boot_pd) + 3, %eax
    movl %eax, PHYS(boot_pdpt_lo)               /* pdpt_lo[0]   -> pd */
    movl %eax, PHYS(boot_pdpt_hi) + 510 * 8     /* pdpt_hi[510] -> pd (-2 GiB) */
    movl $PHYS(boot_pdpt_lo) + 3, %eax
    movl %eax, PHYS(boot_pml4)                  /* pml4[0]   identity */
    movl %eax, PHYS(boot_pml4) + 256 * 8        /* pml4[256] direct map */
    movl $PHYS(boot_pdpt_hi) + 3, %eax
    movl %eax, PHYS(boot_pml4) + 511 * 8        /* pml4[511] kernel image */

    movl %cr4, %eax
    orl $(1 << 5), %eax             /* PAE */
    movl %eax, %cr4
    movl $PHYS(boot_pml4), %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx          /* EFER: long mode, NX, syscall */
    rdmsr
    orl $((1 << 8) | (1 << 11) | (1 << 0)), %eax
    wrmsr
    movl %cr0, %eax
    orl $((1 << 31) | (1 << 0) | (1 << 16)), %eax   /* paging, protection, write-protect */
    movl %eax, %cr0

    lgdt PHYS(boot_gdt_desc)
    ljmp $0x08, $PHYS(long_entry)

    .code64
long_entry:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movabs $upper_entry, %rax
    jmp *%rax

    .text
upper_entry:
    movabs $boot_stack_top, %rsp
    xorl %ebp, %ebp
    movl %esi, %edi                 /* kmain(phys address of hvm_start_info) */
    call kmain
2:  hlt
    jmp 2b

    .section .boot.data, "aw"
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff        /* 0x10: data */
boot_gdt_desc:
    .word boot_gdt_desc - boot_gdt - 1
    .long PHYS(boot_gdt)

    .section .bss
    .balign 4096
    .globl boot_pml4
boot_pml4:    .skip 4096
boot_pdpt_lo: .skip 4096
    .globl boot_pdpt_hi
boot_pdpt_hi: .skip 4096
boot_pd:      .skip 4096
    .globl boot_stack_top
boot_stack:   .skip 16384
boot_stack_top:
    .section .note.GNU-stack, "", @progbits
