/*
 * victim.S — the victim's spinner (lthread 1 of the victim task): it puts known values in
 * every general register but rsp and rax (its scratch), in xmm0..15 (and the ymm upper
 * halves when the CPU has AVX), MXCSR, the x87 control word and st(0), and then loops:
 * check them all, %fs:0 and %gs:0 (its FS base points at victim_fs_cell, its GS base at
 * the victim's first UTCB, both set by the auditor), the segment selectors it set or found
 * and its flags; yield. Each pass of the loop counts a round. The prober switches to it after every probe, so
 * it runs on the CPU state the probe left. A wrong value is recorded in victim_share
 * (a count, and what and the value seen of the latest) and everything is set again.
 *
 * thread_switch is a system call: it clobbers rcx and r11 (reloaded after it), returns
 * L4_OK in rax and must leave rdi (0, nil) as it was.
 */
#include "cpu.h"

#define SWITCH_NR  0x4c340003           /* L4_SYS_THREAD_SWITCH (static-asserted in cpu.c) */
#define UTCB_BASE  0x7fffff000000       /* L4_UTCB_BASE */
#define PAT(k)     (0x5e00000000000000 + (k) * 0x0001010101010101)
#define SHARE(off) victim_share + (off)(%rip)

.macro CHECK_GPR reg, k
    movabs $PAT(\k), %rax
    cmp %rax, %\reg
    je 1f
    mov %\reg, %rax
    mov $(VW_GPR + \k), %ecx
    jmp victim_fail
1:
.endm

/* Compares the 16 bytes at SHARE(VS_SPILL) with \ref; on a difference fails with \what. */
.macro CHECK_SPILL ref, what
    mov SHARE(VS_SPILL), %rax
    cmp \ref(%rip), %rax
    jne 2f
    mov SHARE(VS_SPILL + 8), %rax
    cmp \ref + 8(%rip), %rax
    je 1f
2:  mov $(\what), %ecx
    jmp victim_fail
1:
.endm

.macro CHECK_EAX value, what
    cmp $(\value), %eax
    je 1f
    mov $(\what), %ecx
    jmp victim_fail
1:
.endm

    .text
    .globl victim_spin
victim_spin:
victim_reinit:
    /* DS and ES are set here; FS and GS are kept as found (loading them moves the bases).
     * After a failure they are taken as they are now: the next change is news again. */
    mov $0x23, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %ds, %eax
    and $0xffff, %eax
    mov %rax, SHARE(VS_SEL)
    mov %es, %eax
    and $0xffff, %eax
    mov %rax, SHARE(VS_SEL + 8)
    mov %fs, %eax
    and $0xffff, %eax
    mov %rax, SHARE(VS_SEL + 16)
    mov %gs, %eax
    and $0xffff, %eax
    mov %rax, SHARE(VS_SEL + 24)
    fninit
    fldcw victim_fcw(%rip)
    fldl victim_st0(%rip)
    ldmxcsr victim_mxcsr(%rip)
    .irp k, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    movdqa victim_xmm + 16 * \k(%rip), %xmm\k
    .endr
    cmpq $0, SHARE(VS_AVX)
    je 1f
    .irp k, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    vinsertf128 $1, victim_ymm + 16 * \k(%rip), %ymm\k, %ymm\k
    .endr
1:  movabs $PAT(1), %rbx
    movabs $PAT(2), %rcx
    movabs $PAT(3), %rdx
    movabs $PAT(4), %rsi
    movabs $PAT(5), %rdi
    movabs $PAT(6), %rbp
    movabs $PAT(7), %r8
    movabs $PAT(8), %r9
    movabs $PAT(9), %r10
    movabs $PAT(10), %r11
    movabs $PAT(11), %r12
    movabs $PAT(12), %r13
    movabs $PAT(13), %r14
    movabs $PAT(14), %r15
victim_loop:
    lock incq SHARE(VS_ROUNDS)
    CHECK_GPR rbx, 1
    CHECK_GPR rcx, 2
    CHECK_GPR rdx, 3
    CHECK_GPR rsi, 4
    CHECK_GPR rdi, 5
    CHECK_GPR rbp, 6
    CHECK_GPR r8, 7
    CHECK_GPR r9, 8
    CHECK_GPR r10, 9
    CHECK_GPR r11, 10
    CHECK_GPR r12, 11
    CHECK_GPR r13, 12
    CHECK_GPR r14, 13
    CHECK_GPR r15, 14
    .irp k, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    movdqu %xmm\k, SHARE(VS_SPILL)
    CHECK_SPILL (victim_xmm+16*\k), (VW_XMM+\k)
    .endr
    cmpq $0, SHARE(VS_AVX)
    je 3f
    .irp k, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    vextractf128 $1, %ymm\k, SHARE(VS_SPILL)
    CHECK_SPILL (victim_ymm+16*\k), (VW_YMM+\k)
    .endr
3:  stmxcsr SHARE(VS_SPILL)
    mov SHARE(VS_SPILL), %eax
    CHECK_EAX VICTIM_MXCSR, VW_MXCSR
    fnstcw SHARE(VS_SPILL)
    movzwl SHARE(VS_SPILL), %eax
    CHECK_EAX VICTIM_FCW, VW_FCW
    xor %eax, %eax
    fnstsw %ax
    and $0x38ff, %eax           /* TOP and the exception flags; C0..C3 are undefined */
    CHECK_EAX VICTIM_FSW, VW_FSW
    fstl SHARE(VS_SPILL)
    mov SHARE(VS_SPILL), %rax
    cmp victim_st0(%rip), %rax
    je 1f
    mov $VW_ST0, %ecx
    jmp victim_fail
1:  mov %fs:0, %rax
    cmp victim_fs_expect(%rip), %rax
    je 1f
    mov $VW_FS0, %ecx
    jmp victim_fail
1:  mov %gs:0, %rax
    cmp victim_gs_expect(%rip), %rax
    je 1f
    mov $VW_GS0, %ecx
    jmp victim_fail
1:
.irp n, 0, 1, 2, 3
    .if \n == 0
    mov %ds, %eax
    .elseif \n == 1
    mov %es, %eax
    .elseif \n == 2
    mov %fs, %eax
    .else
    mov %gs, %eax
    .endif
    and $0xffff, %eax
    cmp SHARE(VS_SEL + 8 * \n), %rax
    je 1f
    mov $(VW_SEL + \n), %ecx
    jmp victim_fail
1:
.endr
    pushfq
    pop %rax
    and $0x47700, %eax          /* TF IF DF IOPL NT AC: only IF set */
    CHECK_EAX 0x200, VW_FLAGS
    push %rdi
    xor %edi, %edi
    mov $SWITCH_NR, %eax
    syscall
    test %rdi, %rdi
    pop %rdi
    jnz 2f
    test %rax, %rax
    jz 1f
2:  mov $VW_YIELD, %ecx
    jmp victim_fail
1:  movabs $PAT(2), %rcx
    movabs $PAT(10), %r11
    jmp victim_loop

/* rax = the value seen, ecx = what: keep the latest, count all, set everything again. */
victim_fail:
    mov %rax, SHARE(VS_BAD_VALUE)
    mov %rcx, SHARE(VS_BAD_WHAT)
    lock incq SHARE(VS_BAD)
    jmp victim_reinit

    .section .rodata
    .balign 16
victim_xmm:
    .irp k, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    .quad 0x786d6d0000000000 + \k, 0x786d6d1000000000 + \k
    .endr
victim_ymm:
    .irp k, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    .quad 0x796d6d0000000000 + \k, 0x796d6d1000000000 + \k
    .endr
victim_st0:
    .double 3.14159265358979
victim_fs_expect:
    .quad VICTIM_FS_MAGIC
victim_gs_expect:
    .quad UTCB_BASE
victim_mxcsr:
    .long VICTIM_MXCSR
victim_fcw:
    .short VICTIM_FCW

    .section .note.GNU-stack, "", @progbits
