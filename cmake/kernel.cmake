# Flags for the kernel: freestanding, no SSE (user FPU state is the kernel's to save, so
# the kernel itself must never touch it), no red zone (interrupts push onto the kernel
# stack), frame pointers kept for panic backtraces, linked at -2 GiB.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
                OUTPUT_VARIABLE GCC_INCLUDE_DIR OUTPUT_STRIP_TRAILING_WHITESPACE)
set(L4_KERNEL_CFLAGS
    -ffreestanding -fno-pie -fno-pic -mcmodel=kernel -mno-red-zone -mgeneral-regs-only
    -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables
    -nostdinc -isystem ${GCC_INCLUDE_DIR})
set(L4_KERNEL_LDFLAGS -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 -Wl,--no-warn-rwx-segments)
