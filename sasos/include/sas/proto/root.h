/*
 * sas/proto/root.h — what the root task's children say to it. Root is the pager and
 * exception handler of every boot program it starts (task_new); the same thread takes:
 *
 *   ROOT_EXIT   MR0 = exit code (0..255): the task is done. Root logs
 *               "root: task N 'name' exited with code C", deletes the task and returns
 *               its frames to sigma0. There is no reply: the caller ceases to exist.
 *   page faults inside the program's ELF segments: root maps a page of its own with the
 *               segment's bytes (zeros past the file part) and the segment's rights.
 *   anything a task cannot survive (a fault outside its segments, a write to read-only
 *   memory, an exception, an unknown system call) ends it as ROOT_EXIT would, with code
 *   ROOT_EXIT_FAULT for a page fault and ROOT_EXIT_EXCEPTION + vector for an exception
 *   (L4_FAULT_BAD_SYSCALL's 255 for a foreign `syscall`), as a shell reports signals.
 *   ROOT_SERVICE MR0 = a ROOT_SERVICE_* number: the thread id of a service root started
 *               (root starts services before any program). Reply: label SAS_OK, u = 1,
 *               MR0 = the thread id; SAS_ENOTFOUND (u = 0) if that service is not running.
 *   SIGMA0_IO, SIGMA0_IRQ, SIGMA0_ALLOC  from a service only: its own devices and DMA
 *               memory, with sigma0's words and replies (sasos/root/services.c).
 *
 * musl programs (static PIEs, sasos/root/loader.c) start with their system thread
 * (sasos/posix), lthread 0, running the native image "posixrt" at SAS_POSIXRT_ADDR; root
 * pages that image and the program's (at its slot) for every thread of the task. The
 * system thread asks:
 *   ROOT_PROGRAM_INFO  no words. Reply label SAS_OK, u = 8: MR0 the program's load base,
 *                      MR1 its entry, MR2 its program headers' address, MR3 their count,
 *                      MR4 the end of its image, MR5..MR7 its name (NUL-padded, 24 bytes).
 *   page faults it forwards for its threads (same words as a kernel page fault): root
 *                      maps the page of the image with a map item at the fault address.
 *   ROOT_ANON_MAP      MR0 = a page of the task's program slot outside its image, MR1 =
 *                      rights (L4_FPAGE_*). A zeroed frame for it: reply SAS_OK, u = 1, MR0
 *                      = the frame's handle, t = 2: the map item, hot spot MR0's page (the
 *                      caller's receive window takes it). SAS_EINVAL for a page elsewhere
 *                      or no rights; SAS_ENOMEM if no frame is left. (Asking twice for a
 *                      page only costs the task a frame until it ends.)
 *   ROOT_ANON_FREE     MR0 = the page, MR1 = its handle: the frame goes back (root and
 *                      sigma0 unmap it). SAS_EINVAL if the task holds no such frame.
 *                      A task's remaining frames go back when it ends.
 * (A musl task's chief is root, so its system thread cannot call sigma0 directly: clans.)
 *   ROOT_EXIT          as above, with the code the program exited with.
 * Any other label from a child is answered with label SAS_ENOTSUP and no words.
 */
#ifndef SAS_PROTO_ROOT_H
#define SAS_PROTO_ROOT_H

#include <l4/syscalls.h>
#include <sas/errors.h>

#define ROOT_EXIT            0x524f0001u
#define ROOT_PROGRAM_INFO    0x524f0002u
#define ROOT_ANON_MAP        0x524f0010u
#define ROOT_ANON_FREE       0x524f0011u
#define ROOT_EXIT_FAULT      139u          /* 128 + SIGSEGV */
#define ROOT_EXIT_EXCEPTION  256u          /* + vector: 256..511 */
#define ROOT_SERVICE         0x524f0003u

/* Services (ROOT_SERVICE's MR0) and the boot program that provides each. */
#define ROOT_SERVICE_CONSOLE 1u            /* "console": sas/proto/console.h */
#define ROOT_SERVICE_BLK     2u            /* "virtio_blk": sas/proto/blk.h */

/* The root task as a child of it finds it: the pager of the caller's lthread 0. */
static inline l4_threadid_t root_find(void)
{
    struct l4_exregs x = { .control = 0 };
    return l4_lthread_ex_regs(&x) ? L4_NILTHREAD : x.pager;
}

/* The thread id of service `svc` (ROOT_SERVICE_*) in *out. Returns SAS_OK, SAS_ENOTFOUND
 * (not running) or SAS_EIO (no root to ask). */
static inline enum sas_error root_service(l4_threadid_t root, unsigned svc, l4_threadid_t *out)
{
    l4_msg_t m = { { svc } };
    uint64_t res = l4_call(root, l4_msgtag(ROOT_SERVICE, 1, 0), &m, L4_TIMEOUT_NEVER,
                           L4_TIMEOUT_NEVER);
    if (l4_ipc_error(res))
        return SAS_EIO;
    enum sas_error e = (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
    if (!e)
        *out = m.w[0];
    return e;
}

/* Ends the calling task with `code`: tells its pager (root) and waits to be deleted. */
static inline __attribute__((noreturn)) void root_exit(unsigned code)
{
    struct l4_exregs x = { .control = 0 };
    l4_lthread_ex_regs(&x);
    for (;;) {
        l4_msg_t m = { { code } };
        l4_call(x.pager, l4_msgtag(ROOT_EXIT, 1, 0), &m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    }
}

#endif
