/*
 * crt0.S — entry of a native program. The kernel starts the first thread with rsp = 0
 * and rdi = the KIP's address; we give it our own stack and call native_main(kip).
 * If it returns, the thread halts itself.
 */
    .text
    .globl _start
_start:
    leaq main_stack_top(%rip), %rsp
    xorl %ebp, %ebp
    call native_start
1:  int3
    cmpb $2, %al                    /* kdebug enter: main returned */
    jmp 1b

    .bss
    .balign 16
main_stack: .skip 65536
main_stack_top:
    .section .note.GNU-stack, "", @progbits
