/* syscall.c — the table of the seven calls, indexed by number - L4_SYS_BASE. */
#include <k/syscall.h>
#include <l4/syscalls.h>

const syscall_fn syscall_table[L4_SYS_COUNT] = {
    [L4_SYS_IPC - L4_SYS_BASE] = sys_ipc,
    [L4_SYS_ID_NEAREST - L4_SYS_BASE] = sys_id_nearest,
    [L4_SYS_FPAGE_UNMAP - L4_SYS_BASE] = sys_fpage_unmap,
    [L4_SYS_THREAD_SWITCH - L4_SYS_BASE] = sys_thread_switch,
    [L4_SYS_THREAD_SCHEDULE - L4_SYS_BASE] = sys_thread_schedule,
    [L4_SYS_LTHREAD_EX_REGS - L4_SYS_BASE] = sys_lthread_ex_regs,
    [L4_SYS_TASK_NEW - L4_SYS_BASE] = sys_task_new,
};
