/*
 * fakesrv.c — stand-ins for the servers of the single address space (qemu.sas.*), built
 * as three programs packed as "persist", "capstore" and "objmgr" (FAKE_SERVICE is the
 * ROOT_SERVICE_* number each provides). What root must do for them, each checks from the
 * inside: the services before it are ready and it is not yet (root starts them in order);
 * READY for another service, ROOT_DISK_OWNER and (but for objmgr) ROOT_TASK_DOMAIN are
 * refused to it; its own READY is accepted and ROOT_SERVICE names its thread from then
 * on. "persist" opens /disk before it is ready (nobody owns the disk yet) and keeps it.
 * Then each serves on its main thread (fake.h) until root stops it at the end.
 * "fake_persist=exit" on the command line makes "persist" exit 0 before READY instead, as
 * the real one does without a store. Every check prints "ok" or "not ok": run-qemu-test
 * fails the run on a "not ok".
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sas/proto/root.h>
#include <sas/sysinfo.h>
#include "fake.h"

#if FAKE_SERVICE == ROOT_SERVICE_PERSIST
#define NAME "persist"
#elif FAKE_SERVICE == ROOT_SERVICE_CAPSTORE
#define NAME "capstore"
#else
#define NAME "objmgr"
#endif
#define PAGE 4096

static int disk = -1;

static void check(int ok, const char *what)
{
    printf("fake %s: %s - %s\n", NAME, ok ? "ok" : "not ok", what);
}

/* The services root started before this one serve; this one not yet. */
static void check_order(l4_threadid_t root)
{
    l4_threadid_t id;
    for (unsigned svc = ROOT_SERVICE_PERSIST; svc < FAKE_SERVICE; svc++)
        check(!root_service(root, svc, &id) && !l4_tid_is_nil(id),
              "the services before it are ready");
    check(root_service(root, FAKE_SERVICE, &id) == SAS_ENOTFOUND,
          "ROOT_SERVICE does not name it before READY");
}

/* What root refuses this task. */
static void check_refusals(l4_threadid_t root)
{
    unsigned owner;
    l4_threadid_t lt0;
    char name[ROOT_DOMAIN_LEN];
    unsigned other = FAKE_SERVICE == ROOT_SERVICE_OBJMGR ? ROOT_SERVICE_PERSIST : FAKE_SERVICE + 1;
    check(root_service_ready(root, other) == SAS_EPERM, "READY for another service: SAS_EPERM");
    check(root_service_ready(root, ROOT_SERVICE_BLK) == SAS_EPERM,
          "READY for a driver: SAS_EPERM");
    check(root_disk_owner(root, &owner) == SAS_EPERM, "ROOT_DISK_OWNER: SAS_EPERM");
    if (FAKE_SERVICE != ROOT_SERVICE_OBJMGR)
        check(root_task_domain(root, l4_tid_task(l4_myself()), &lt0, name) == SAS_EPERM,
              "ROOT_TASK_DOMAIN: SAS_EPERM");
}

/* A page of /disk written, flushed and read back: SAS_OK or SAS_EIO. */
static enum sas_error disk_round(unsigned round)
{
    static char out[PAGE], in[PAGE];
    memset(out, 'a' + (int)(round % 26), sizeof(out));
    if (disk < 0 || pwrite(disk, out, PAGE, PAGE) != PAGE || fsync(disk) ||
        pread(disk, in, PAGE, PAGE) != PAGE || memcmp(in, out, PAGE))
        return SAS_EIO;
    return SAS_OK;
}

/* One request of fake.h: the reply's tag, its words in *m. */
static l4_msgtag_t handle(l4_threadid_t root, l4_msgtag_t tag, l4_msg_t *m)
{
    static unsigned rounds;
    l4_threadid_t lt0;
    char name[ROOT_DOMAIN_LEN];
    enum sas_error e;
    if (FAKE_SERVICE == ROOT_SERVICE_PERSIST && l4_msgtag_label(tag) == FAKE_DISK) {
        e = disk_round(++rounds);
        printf("fake persist: disk round %u: %s\n", rounds, sas_strerror(e));
        return l4_msgtag(e, 0, 0);
    }
    if (FAKE_SERVICE == ROOT_SERVICE_OBJMGR && l4_msgtag_label(tag) == FAKE_DOMAIN) {
        if ((e = root_task_domain(root, (unsigned)m->w[0], &lt0, name)))
            return l4_msgtag(e, 0, 0);
        m->w[0] = lt0;
        memcpy(&m->w[1], name, ROOT_DOMAIN_LEN);
        return l4_msgtag(SAS_OK, 5, 0);
    }
    return l4_msgtag(SAS_ENOTSUP, 0, 0);
}

static void serve(l4_threadid_t root)
{
    l4_threadid_t from = L4_NILTHREAD;          /* from anyone */
    l4_msg_t m;
    uint64_t res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;) {
        if (l4_ipc_error(res)) {
            from = L4_NILTHREAD;
            res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
            continue;
        }
        res = l4_reply_wait(&from, handle(root, l4_ipc_tag(res), &m), &m, L4_TIMEOUT_NEVER);
    }
}

int main(void)
{
    char line[256];
    l4_threadid_t root = root_find(), id;
    sas_cmdline(line, sizeof(line));
    check_order(root);
    if (FAKE_SERVICE == ROOT_SERVICE_PERSIST) {
        disk = open("/disk", O_RDWR);
        check(disk >= 0 && disk_round(0) == SAS_OK, "/disk opens and works before READY");
        if (strstr(line, "fake_persist=exit")) {
            printf("fake persist: no store (fake_persist=exit): exiting\n");
            return 0;
        }
    }
    check_refusals(root);
    check(root_service_ready(root, FAKE_SERVICE) == SAS_OK, "READY accepted");
    check(!root_service(root, FAKE_SERVICE, &id) && id == l4_myself(),
          "ROOT_SERVICE names its server thread");
    serve(root);
    return 0;
}
