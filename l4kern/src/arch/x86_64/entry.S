/*
 * entry.S — every way into and out of the kernel, and the context switch.
 *
 * All entries build the same struct trapframe (k/trapframe.h) at the top of the current
 * thread's kernel stack, so a thread's user registers are always in one place. The kernel
 * runs with interrupts off (SFMASK clears IF on syscall; interrupt gates clear it too); it
 * is entered from user mode only, except for faults in the kernel itself (which panic)
 * and the idle loop's interrupts. Per-CPU data is at %gs while in the kernel (swapgs on
 * every user/kernel crossing).
 */
#include <k/config.h>

/* The TSS's rsp[0] (arch/tss.h; fastpath.c asserts the address): the kernel stack top of
 * the running thread, which every entry from user mode starts at. */
#define TSS_RSP0 0xffffffffc0002f9c
#define PERCPU_USER_RSP   8
#define USER_CS 0x2b
#define USER_DS 0x23
#define VECTOR_SYSCALL 0x100
#define SYS_IPC 0x4c340000          /* L4_SYS_IPC: fastpath.c asserts it */

.macro SAVE_GPRS
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

.macro RESTORE_GPRS
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
.endm

    .text
/* syscall: rcx = user rip, r11 = user rflags, rsp still the user's. */
/* Builds the trapframe a `syscall` leaves no hardware frame for; rdi points at it. */
.macro SYSCALL_FRAME vector
    swapgs
    movq %rsp, %gs:PERCPU_USER_RSP
    movq TSS_RSP0, %rsp
    pushq $USER_DS
    pushq %gs:PERCPU_USER_RSP
    pushq %r11
    pushq $USER_CS
    pushq %rcx
    pushq $0
    pushq $\vector
    SAVE_GPRS
    xorl %ebp, %ebp
    movq %rsp, %rdi
.endm

/* An ipc goes to the fastpath first (fastpath.c): it returns only to hand the call,
 * untouched, to the dispatcher. */
    .globl syscall_entry
syscall_entry:
    SYSCALL_FRAME VECTOR_SYSCALL
#if L4_CONFIG_FASTPATH
    cmpq $SYS_IPC, %rax
    jne 1f
    call fastpath_ipc
    movq %rsp, %rdi
1:
#endif
    call syscall_dispatch
    jmp return_to_user

/*
 * fastpath_exit(self_tf, next_ksp): the fastpath's way out. The caller keeps nothing on
 * its stack, so it is parked as a new thread is: a switch_context frame just below its
 * trapframe (fastpath.c set its ksp there) that resumes into fastpath_resume. Then, with
 * next_ksp 0, leave to the user frame of the kernel stack now current (the receiver was
 * parked the same way, its result written); else resume the receiver's kernel context.
 */
    .globl fastpath_exit
fastpath_exit:
    leaq fastpath_resume(%rip), %rax
    movq %rax, -8(%rdi)
    testq %rsi, %rsi
    jz return_to_user
    movq %rsi, %rsp
    jmp resume_context

/* Compatibility-mode syscall: no 32-bit user code exists, so treat it as a fault. */
    .globl syscall_compat_entry
syscall_compat_entry:
    SYSCALL_FRAME 6                 /* reported as #UD */
    call trap_dispatch
    jmp return_to_user

/* Leave the kernel to the user frame at the top of the current kernel stack. */
    .globl return_to_user
return_to_user:
    movq TSS_RSP0, %rsp
    subq $(22 * 8), %rsp
    RESTORE_GPRS
    addq $16, %rsp                  /* vector, error */
    swapgs
    iretq

/* Interrupt and exception stubs: push a dummy error code where the CPU pushes none. */
.macro STUB vec
    .balign 16
stub_\vec:
    .if (\vec == 8) || (\vec == 10) || (\vec == 11) || (\vec == 12) || (\vec == 13) || (\vec == 14) || (\vec == 17) || (\vec == 21)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp trap_common
.endm

trap_common:
    pushq $2                        /* the user may have left DF or AC set: the C code */
    popfq                           /* assumes DF clear, and AC would open SMAP */
    SAVE_GPRS
    testb $3, 18 * 8(%rsp)          /* cs of the interrupted context */
    jz 1f
    swapgs
1:  movq %rsp, %rdi
    xorl %ebp, %ebp
    call trap_dispatch
    testb $3, 18 * 8(%rsp)
    jz 2f
    jmp return_to_user
2:  RESTORE_GPRS                    /* back into the kernel (idle loop) */
    addq $16, %rsp
    iretq

    .altmacro
.macro STUB_AT n
    STUB \n
.endm
.macro QUAD_STUB n
    .quad stub_\n
.endm
    .set v, 0
    .rept 256
    STUB_AT %v
    .set v, v + 1
    .endr

    .section .rodata
    .balign 8
    .globl trap_stubs
trap_stubs:
    .set v, 0
    .rept 256
    QUAD_STUB %v
    .set v, v + 1
    .endr
    .noaltmacro

    .text
/*
 * switch_context(uint64_t *save_sp, uint64_t next_sp): save the callee-saved registers
 * on this stack, store its pointer, load the next thread's, and return on its stack.
 */
    .globl switch_context
switch_context:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
resume_context:                     /* fastpath_exit joins here */
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

/* A thread the fastpath parked, resumed by switch_context: rsp is its trapframe. */
fastpath_resume:
    movq %rsp, %rdi
    call fastpath_resumed
    jmp return_to_user

/*
 * switch_to_user(save_sp): as switch_context, for a thread that keeps its kernel context
 * (a fault's kernel-made call), to a next thread parked by the fastpath, whose result is
 * written: straight to next's user frame.
 */
    .globl switch_to_user
switch_to_user:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    jmp return_to_user

/* First kernel-side code of a new thread: its user frame is ready; go to user mode. */
    .globl thread_first_entry
thread_first_entry:
    jmp return_to_user
    .section .note.GNU-stack, "", @progbits
