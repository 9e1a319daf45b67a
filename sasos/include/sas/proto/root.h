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
 *   (L4_FAULT_BAD_SYSCALL's 255 for a foreign `syscall`), as a shell reports signals; a
 *   reply whose mapping the kernel refuses (MAP_FAILED: the task's kernel-memory quota is
 *   spent) ends it with ROOT_EXIT_KMEM, as Linux's OOM killer would.
 *   ROOT_SERVICE MR0 = a ROOT_SERVICE_* number: the thread id of a service root started
 *               (root starts services before any program). Reply: label SAS_OK, u = 1,
 *               MR0 = the thread id; SAS_ENOTFOUND (u = 0) if that service is not running.
 *               For the servers of the single address space (ROOT_SERVICE_PERSIST,
 *               _CAPSTORE, _OBJMGR) the id is the server thread the service registered
 *               with ROOT_SERVICE_READY, not its first thread: SAS_ENOTFOUND until then.
 *   SIGMA0_IO, SIGMA0_IRQ, SIGMA0_ALLOC  from a service only: its own devices and DMA
 *               memory, with sigma0's words and replies (sasos/root/services.c).
 *
 * The servers of the single address space are musl programs root starts as services, one
 * after the other, after the drivers and before any program: "persist", then "capstore",
 * then "objmgr", each only if the boot archive holds it and the one before became ready;
 * root answers every child meanwhile, as always. A service is ready when it says so:
 *   ROOT_SERVICE_READY  MR0 = the ROOT_SERVICE_* number the sender serves, from its server
 *               thread once it serves. Accepted only from the task root started as that
 *               service: root records the sender as the service's server thread (what
 *               ROOT_SERVICE answers from now on) and replies SAS_OK, u = 0. SAS_EPERM
 *               from any other task, or for a number that is not one of the three;
 *               SAS_EINVAL without MR0. persist sends it only once it has opened an Ell
 *               Four store read-write: from then on root names its task as the disk's
 *               owner. A service that cannot serve exits instead (persist with no store:
 *               exit 0 after its one boot line); root then starts none of the later ones
 *               and boots without the single address space.
 *   ROOT_DISK_OWNER     no words; from the virtio_blk service's task only (else
 *               SAS_EPERM). Reply SAS_OK, u = 1: MR0 = the task number of the disk's
 *               owner (persist's, while it is ready and alive), or 0 if nobody owns it.
 *               The driver asks on every BLK_ATTACH (sas/proto/blk.h).
 *   ROOT_TASK_DOMAIN    MR0 = a task number; from objmgr's task only (else SAS_EPERM;
 *               SAS_EINVAL without MR0). Reply SAS_OK, u = 5: MR0 = the full thread id
 *               of that task's lthread 0 as root created it, MR1..MR4 = its protection
 *               domain's name, 32 bytes NUL-padded (the program's name unless it was
 *               started in another domain: "domain=" on the boot command line or
 *               "run PROG as DOMAIN" at root's prompt; no request of a task's sets or
 *               changes a domain). SAS_ENOTFOUND (u = 0) if root runs no
 *               program with that number (services have no domain).
 * Root never calls a service itself: it only answers, so none of this can deadlock.
 *
 * musl programs (static PIEs, sasos/root/loader.c) start with their system thread
 * (sasos/posix), lthread 0, running the native image "posixrt" at SAS_POSIXRT_ADDR; root
 * pages that image and the program's (at its slot: the home slot for a program's first
 * instance in a boot, an extra one for the others) for every thread of the task. The
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
 *                      or no rights (or fewer than two words); SAS_ENOMEM if no frame is
 *                      left. (Asking twice for a page only costs the task a frame until it
 *                      ends.) The system thread uses it for pages it touches itself; its
 *                      program's faults take frames from a batch.
 *   ROOT_FRAMES_BATCH  MR0 = the flexpage of the task's batch window: base
 *                      SAS_FRAME_BATCH_ADDR, 2^k pages with 0 <= k <= SAS_FRAME_BATCH_LOG2
 *                      (sas/layout.h; rights bits ignored). 2^k zeroed frames of root's,
 *                      mapped read-write-execute over the whole window: reply SAS_OK,
 *                      u = 1, MR0 = the handle of the window's first frame (the frame at
 *                      window + i pages has handle MR0 + i), t = 2: one map item of the
 *                      2^k pages, hot spot the window's base (the caller's receive window
 *                      must be that flexpage: where a map item lands is the receiver's
 *                      window's choice, so a caller whose window is elsewhere only moves
 *                      its own frames within its own space). The task grants the frames on
 *                      within itself (sasos/posix/mapper.c). A frame still in the window is unmapped from
 *                      there by the new batch; it stays the task's until freed or the task
 *                      ends, as does a batch the caller's window refused.
 *                      SAS_EINVAL: no MR0, MR0 is not the batch window or k is out of range
 *                      (root maps batches nowhere else; it logs why); SAS_ENOMEM: root
 *                      could not get 2^k frames (none is given: ask for fewer).
 *   ROOT_FRAMES_FREE   MR0..MR(u-1), 1 <= u <= 8: runs of handles, each word
 *                      root_frames_run(first, count) = first | count << 32, count >= 1.
 *                      The frames (from ROOT_ANON_MAP or ROOT_FRAMES_BATCH) are the task's
 *                      no longer: reply SAS_OK, u = 0. The caller unmaps them first; root
 *                      does not wait for that, but no other task gets a frame the caller
 *                      may still reach: a single frame goes back to sigma0 at once (which
 *                      unmaps it everywhere); a batch's frames once the task has freed the
 *                      whole batch (earlier, one by one, if memory runs short), to sigma0
 *                      or into root's pool of batches, which root unmaps from the task that
 *                      freed it before it gives it to another. SAS_EINVAL, and nothing
 *                      freed, if u is out of range or any handle is not an anonymous frame
 *                      the task holds.
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
#define ROOT_FRAMES_BATCH    0x524f0012u
#define ROOT_FRAMES_FREE     0x524f0013u
#define ROOT_FRAMES_FREE_MAX 8u            /* runs per ROOT_FRAMES_FREE: the register words */
#define ROOT_EXIT_FAULT      139u          /* 128 + SIGSEGV */
#define ROOT_EXIT_EXCEPTION  256u          /* + vector: 256..511 */
#define ROOT_EXIT_KMEM       137u          /* 128 + SIGKILL: a page could not be mapped, the
                                              task's kernel-memory quota is spent */
#define ROOT_SERVICE         0x524f0003u
#define ROOT_SERVICE_READY   0x524f0020u
#define ROOT_DISK_OWNER      0x524f0021u
#define ROOT_TASK_DOMAIN     0x524f0022u
#define ROOT_DOMAIN_LEN      32u           /* a domain name's bytes in ROOT_TASK_DOMAIN */
_Static_assert(ROOT_DOMAIN_LEN == 4 * sizeof(uint64_t), "a domain name is MR1..MR4");

/* Services (ROOT_SERVICE's MR0) and the boot program that provides each. */
#define ROOT_SERVICE_CONSOLE 1u            /* "console": sas/proto/console.h */
#define ROOT_SERVICE_BLK     2u            /* "virtio_blk": sas/proto/blk.h */
#define ROOT_SERVICE_PERSIST 3u            /* "persist": sas/proto/persist.h */
#define ROOT_SERVICE_CAPSTORE 4u           /* "capstore": sas/proto/capstore.h */
#define ROOT_SERVICE_OBJMGR  5u            /* "objmgr": sas/proto/objmgr.h */

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

/* Tells root that the calling thread serves `svc` (ROOT_SERVICE_PERSIST, _CAPSTORE or
 * _OBJMGR). Returns SAS_OK, SAS_EPERM (the caller's task is not the one root started as
 * that service) or SAS_EIO (no root to ask). */
static inline enum sas_error root_service_ready(l4_threadid_t root, unsigned svc)
{
    l4_msg_t m = { { svc } };
    uint64_t res = l4_call(root, l4_msgtag(ROOT_SERVICE_READY, 1, 0), &m, L4_TIMEOUT_NEVER,
                           L4_TIMEOUT_NEVER);
    return l4_ipc_error(res) ? SAS_EIO : (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
}

/* The task number of the disk's owner in *task (0: nobody). Returns SAS_OK, SAS_EPERM
 * (the caller is not the disk driver) or SAS_EIO (no root to ask). */
static inline enum sas_error root_disk_owner(l4_threadid_t root, unsigned *task)
{
    l4_msg_t m = { { 0 } };
    uint64_t res = l4_call(root, l4_msgtag(ROOT_DISK_OWNER, 0, 0), &m, L4_TIMEOUT_NEVER,
                           L4_TIMEOUT_NEVER);
    if (l4_ipc_error(res))
        return SAS_EIO;
    enum sas_error e = (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
    if (!e)
        *task = (unsigned)m.w[0];
    return e;
}

/* Task `task`'s lthread 0 (its full id) in *lthread0 and its protection domain's name in
 * name[0..ROOT_DOMAIN_LEN), NUL-padded. Returns SAS_OK, SAS_ENOTFOUND (root runs no
 * program with that number), SAS_EPERM (the caller is not objmgr) or SAS_EIO. */
static inline enum sas_error root_task_domain(l4_threadid_t root, unsigned task,
                                              l4_threadid_t *lthread0,
                                              char name[ROOT_DOMAIN_LEN])
{
    l4_msg_t m = { { task } };
    uint64_t res = l4_call(root, l4_msgtag(ROOT_TASK_DOMAIN, 1, 0), &m, L4_TIMEOUT_NEVER,
                           L4_TIMEOUT_NEVER);
    if (l4_ipc_error(res))
        return SAS_EIO;
    enum sas_error e = (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
    if (e)
        return e;
    *lthread0 = m.w[0];
    __builtin_memcpy(name, &m.w[1], ROOT_DOMAIN_LEN);
    return SAS_OK;
}

/* A run of `count` frame handles from `first`, as ROOT_FRAMES_FREE takes it. */
static inline uint64_t root_frames_run(uint32_t first, uint32_t count)
{
    return first | (uint64_t)count << 32;
}

/* Asks root for 2^log2 frames in the task's batch window: SAS_OK and the first frame's
 * handle in *first, SAS_EINVAL, SAS_ENOMEM, or SAS_EIO (the IPC failed). The calling
 * thread's receive window is the batch's flexpage for the call, nil after. */
static inline enum sas_error root_frames_batch(l4_threadid_t root, l4_fpage_t batch,
                                               uint32_t *first)
{
    struct l4_utcb *u = l4_utcb();
    l4_msg_t m = { { batch } };
    u->rcv_window = batch & ~(uint64_t)L4_FPAGE_RWX;
    uint64_t res = l4_call(root, l4_msgtag(ROOT_FRAMES_BATCH, 1, 0), &m, L4_TIMEOUT_NEVER,
                           L4_TIMEOUT_NEVER);
    u->rcv_window = L4_FPAGE_NIL;
    if (l4_ipc_error(res))
        return SAS_EIO;
    enum sas_error e = (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
    if (!e)
        *first = (uint32_t)m.w[0];
    return e;
}

/* Gives n runs of handles (1 <= n <= ROOT_FRAMES_FREE_MAX) back: SAS_OK, SAS_EINVAL (then
 * nothing was freed) or SAS_EIO. */
static inline enum sas_error root_frames_free(l4_threadid_t root, const uint64_t *runs,
                                              unsigned n)
{
    l4_msg_t m = { { 0 } };
    for (unsigned i = 0; i < n && i < L4_MSG_REG_WORDS; i++)
        m.w[i] = runs[i];
    uint64_t res = l4_call(root, l4_msgtag(ROOT_FRAMES_FREE, n, 0), &m, L4_TIMEOUT_NEVER,
                           L4_TIMEOUT_NEVER);
    return l4_ipc_error(res) ? SAS_EIO : (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
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
