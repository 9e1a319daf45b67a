/*
 * objects.c — the object region [SAS_OBJECT_BASE, SAS_OBJECT_END) in a musl task: objmgr
 * pages it (sas/proto/objmgr.h), the region mapper only forwards. A fault there, of one of
 * the program's threads or of the system thread's own access on the program's behalf, is
 * one OBJ_FAULT from the system thread (lthread 0: objmgr takes OBJ_FAULT from no other)
 * with its receive window on the page, so objmgr's map item lands in this task, at the
 * address, with exactly the rights the task's domain holds; the thread's fault is then
 * answered with no item and it retries. The page is objmgr's frame, shared by every task
 * that maps it: the mapper never records it (it is no anonymous frame of ours: nothing
 * here gives it back to root, and munmap, which works on the program slot alone, never
 * reaches it). objmgr takes it back itself (delete, resize, revocation).
 *
 * objmgr is looked up once, at the first object fault (root starts its services before
 * any program, so the answer cannot change while the task lives). No objmgr, no store:
 * the region is not served, and a touch there is a bad fault as before.
 *
 * The system thread's own accesses (mapper_user) are made right after OBJ_FAULT: objmgr
 * could take the page back in between (a delete by another task), and the system
 * thread's own fault would then go to root, which ends the task. That window is a few
 * instructions long; closing it needs objmgr to pin pages, which it does not.
 */
#include "systhread.h"
#include <sas/denied.h>
#include <sas/layout.h>
#include <sas/proto/objmgr.h>
#include <sas/proto/root.h>

static l4_threadid_t objmgr = L4_NILTHREAD;
static int looked_up;

/* What the last refused object fault was refused with, for object_refusal. */
static enum sas_error last_error;
static unsigned last_reason;

int object_region(uint64_t va)
{
    return va >= SAS_OBJECT_BASE && va < SAS_OBJECT_END;
}

/* objmgr's id, or nil if no objmgr runs (asked once). */
static l4_threadid_t objmgr_id(void)
{
    if (!looked_up) {
        if (root_service(pt.root, ROOT_SERVICE_OBJMGR, &objmgr))
            objmgr = L4_NILTHREAD;
        looked_up = 1;
    }
    return objmgr;
}

/* L4_FPAGE_R/W/X as capstore's rights (OBJ_ACCESS_*): the two number them differently. */
static unsigned object_access(unsigned rights)
{
    return (rights & L4_FPAGE_R ? OBJ_ACCESS_READ : 0) |
           (rights & L4_FPAGE_W ? OBJ_ACCESS_WRITE : 0) |
           (rights & L4_FPAGE_X ? OBJ_ACCESS_EXEC : 0);
}

int object_fault(uint64_t va, unsigned access)
{
    l4_threadid_t om = objmgr_id();
    last_reason = 0;
    if (l4_tid_is_nil(om)) {
        last_error = SAS_ENOSTORE;
        return -1;
    }
    unsigned want = object_access(access);
    /* SAS_EBUSY: objmgr's queue of requests waiting for a commit is full; the commit ends
     * in its own time, so ask again, letting others run meanwhile. */
    unsigned tries = 0;
    do
        last_error = objmgr_fault(om, va & ~(SAS_PAGE_SIZE - 1),
                                  want ? want : OBJ_ACCESS_READ, &last_reason);
    while (last_error == SAS_EBUSY && ++tries < 100000 &&
           (l4_thread_switch(L4_NILTHREAD), 1));
    return last_error ? -1 : 0;
}

int object_user(uint64_t va, uint64_t len, unsigned access)
{
    for (uint64_t p = va & ~(SAS_PAGE_SIZE - 1); p < va + len; p += SAS_PAGE_SIZE)
        if (!object_region(p) || object_fault(p, access))
            return -LX_EFAULT;
    return 0;
}

unsigned object_refusal(uint64_t va, uint64_t ip, unsigned access, char *why, size_t n)
{
    unsigned a = object_access(access);
    const char *bad = "segmentation fault", *cause;
    unsigned sig = 11;
    switch (last_error) {
    case SAS_ECAP_DENIED:         /* the one line the issue asks for, and nothing else */
        snprintf(why, n, "%s 0x%lx denied: %s", sas_access_phrase(a), va,
                 sas_denied_phrase(last_reason, a));
        return 11;
    case SAS_ENOSTORE: cause = "the object region is not served (no store)"; break;
    case SAS_ENOTFOUND: cause = "no object there"; break;
    case SAS_ENOMEM: case SAS_EIO: case SAS_ESTORE_CORRUPT:   /* as a file page's: SIGBUS */
        bad = "bus error", sig = 7;
        cause = sas_strerror(last_error);
        break;
    default: cause = sas_strerror(last_error); break;
    }
    snprintf(why, n, "%s: %s at %lx (ip %lx): %s", bad, fault_access_name(access), va, ip,
             cause);
    return sig;
}
