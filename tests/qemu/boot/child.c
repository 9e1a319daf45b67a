/*
 * child.c — boot programs for the root task's tests, one per way a task ends, built from
 * this file with CHILD_MODE set (tests/qemu/boot/CMakeLists.txt):
 *   0 exit7    exits through root with code 7
 *   1 wild     reads below its image (the guard area): a fault root cannot resolve
 *   2 rowrite  writes to its own read-only data: a fault on a page without that right
 *   3 badsys   issues a Linux system call: an exception IPC root ends it for
 */
#include <native/rt.h>
#include <sas/proto/root.h>

static const char motto[] = "read-only";

int main(void)
{
    rt_kip = (const volatile struct l4_kip *)L4_KIP_ADDR;   /* task_new passes no KIP */
    printf("child %d: task %u running\n", CHILD_MODE, l4_tid_task(l4_myself()));
    switch (CHILD_MODE) {
    case 1: {
        volatile int *guard = (volatile int *)(uintptr_t)rt_kip->boot_tasks[3];  /* 0: nil */
        return guard[4];
    }
    case 2:
        *(volatile char *)motto = 'R';
        break;
    case 3: {
        long r = 39;    /* getpid */
        __asm__ volatile("syscall" : "+a"(r) : : "rcx", "r11", "memory");
        break;
    }
    }
    root_exit(7);
}
