/*
 * lockprobe.c — a program beside the (fake) servers of the single address space
 * (qemu.sas.lockdown): the disk is persist's, so open("/disk") is EACCES for it, and
 * persist still reads, writes and flushes the disk afterwards; root refuses it the
 * servers' requests (READY, ROOT_DISK_OWNER, ROOT_TASK_DOMAIN); objmgr learns its
 * lthread 0 and domain (its own name) from root, and nothing for a service's task or
 * for a task root does not run. The exit code is the number of failed checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sas/proto/root.h>
#include "fake.h"

static unsigned bad;

static void check(int ok, const char *what)
{
    printf("sas_lockprobe: %s - %s\n", ok ? "ok" : "not ok", what);
    bad += !ok;
}

/* FAKE_DOMAIN to objmgr for `task`: its error; lthread 0 and the name on SAS_OK. */
static enum sas_error domain_of(l4_threadid_t objmgr, unsigned task, l4_threadid_t *lt0,
                                char name[ROOT_DOMAIN_LEN])
{
    l4_msg_t m = { { task } };
    uint64_t res = l4_call(objmgr, l4_msgtag(FAKE_DOMAIN, 1, 0), &m, L4_TIMEOUT_NEVER,
                           L4_TIMEOUT_NEVER);
    if (l4_ipc_error(res))
        return SAS_EIO;
    enum sas_error e = (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
    if (!e) {
        *lt0 = m.w[0];
        memcpy(name, &m.w[1], ROOT_DOMAIN_LEN);
    }
    return e;
}

static void check_domains(l4_threadid_t root, l4_threadid_t persist)
{
    l4_threadid_t objmgr, lt0 = L4_NILTHREAD;
    char name[ROOT_DOMAIN_LEN] = { 0 }, want[ROOT_DOMAIN_LEN] = "sas_lockprobe";
    unsigned me = l4_tid_task(l4_myself());
    check(!root_service(root, ROOT_SERVICE_OBJMGR, &objmgr) && !l4_tid_is_nil(objmgr),
          "ROOT_SERVICE names objmgr's server thread");
    check(!domain_of(objmgr, me, &lt0, name) && l4_tid_task(lt0) == me &&
          l4_tid_lthread(lt0) == 0 && !memcmp(name, want, sizeof(want)),
          "ROOT_TASK_DOMAIN: its lthread 0 and domain 'sas_lockprobe'");
    check(domain_of(objmgr, l4_tid_task(persist), &lt0, name) == SAS_ENOTFOUND,
          "ROOT_TASK_DOMAIN of a service's task: SAS_ENOTFOUND");
    check(domain_of(objmgr, 0, &lt0, name) == SAS_ENOTFOUND,
          "ROOT_TASK_DOMAIN of task 0: SAS_ENOTFOUND");
}

int main(void)
{
    l4_threadid_t root = root_find(), persist = L4_NILTHREAD, lt0;
    unsigned owner;
    char name[ROOT_DOMAIN_LEN];
    int fd = open("/disk", O_RDWR);
    check(fd < 0 && errno == EACCES, "open(\"/disk\") is EACCES: the disk is persist's");
    check(fd < 0 && open("/disk", O_RDONLY) < 0 && errno == EACCES, "read-only too");
    check(root_service_ready(root, ROOT_SERVICE_PERSIST) == SAS_EPERM,
          "READY from a program: SAS_EPERM");
    check(root_disk_owner(root, &owner) == SAS_EPERM, "ROOT_DISK_OWNER: SAS_EPERM");
    check(root_task_domain(root, l4_tid_task(l4_myself()), &lt0, name) == SAS_EPERM,
          "ROOT_TASK_DOMAIN: SAS_EPERM");
    check(!root_service(root, ROOT_SERVICE_PERSIST, &persist) &&
          l4_tid_task(persist) != l4_tid_task(l4_myself()), "ROOT_SERVICE names persist");
    l4_msg_t m = { { 0 } };
    uint64_t res = l4_call(persist, l4_msgtag(FAKE_DISK, 0, 0), &m, L4_TIMEOUT_NEVER,
                           L4_TIMEOUT_NEVER);
    check(!l4_ipc_error(res) && l4_msgtag_label(l4_ipc_tag(res)) == SAS_OK,
          "persist still writes, flushes and reads the disk");
    check_domains(root, persist);
    return (int)bad;
}
