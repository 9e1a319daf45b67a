/*
 * k/trapframe.h — the user register image saved at the top of every thread's kernel
 * stack, by the syscall entry and by every interrupt and exception entry alike. It is
 * the only record of a thread's user registers while it is in the kernel.
 */
#ifndef K_TRAPFRAME_H
#define K_TRAPFRAME_H

#include <stdint.h>

struct trapframe {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

#define TF_VECTOR_SYSCALL 0x100

#define GDT_KCODE  0x08
#define GDT_KDATA  0x10
#define GDT_UCODE32 0x18   /* never present: no compatibility-mode user code */
#define GDT_UDATA  0x20
#define GDT_UCODE  0x28
#define GDT_TSS    0x30
#define USER_CS    (GDT_UCODE | 3)
#define USER_DS    (GDT_UDATA | 3)

_Static_assert(sizeof(struct trapframe) == 22 * 8, "entry.S pushes 22 words");

static inline int tf_from_user(const struct trapframe *tf) { return (tf->cs & 3) == 3; }

/* arch/x86_64/frame.c: every register of a frame on the log (panics, kdebug ENTER), and
 * the frame pointer a backtrace starts from. */
void arch_dump_frame(const struct trapframe *tf);
static inline uint64_t arch_frame_pointer(const struct trapframe *tf) { return tf->rbp; }

#endif
