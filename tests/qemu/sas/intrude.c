/*
 * intrude.c — an ordinary program makes well-formed privileged requests of every server
 * of the single address space and of root (run-sas-live "intrude"): each must be refused
 * with SAS_EPERM, and the system must go on working — this program then creates and
 * commits an object through objmgr, which needs persist and capstore.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sas.h>
#include <sas/layout.h>
#include <sas/proto/root.h>
#include <sas/proto/persist.h>
#include <sas/proto/capstore.h>

static int bad;

static void refused(const char *what, enum sas_error e)
{
    int ok = e == SAS_EPERM;
    printf("sas_intrude: %s: %s%s\n", what, sas_strerror(e), ok ? "" : " (want: refused)");
    bad += !ok;
}

static enum sas_error raw(l4_threadid_t to, uint32_t label, unsigned u, l4_msg_t *m)
{
    uint64_t res = l4_call(to, l4_msgtag(label, u, 0), m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    return l4_ipc_error(res) ? SAS_EIO : (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
}

int main(void)
{
    l4_threadid_t root = root_find(), persist, capstore;
    if (root_service(root, ROOT_SERVICE_PERSIST, &persist) ||
        root_service(root, ROOT_SERVICE_CAPSTORE, &capstore)) {
        printf("sas_intrude: the servers are not running\n");
        return 1;
    }
    static uint8_t page[4096] __attribute__((aligned(4096)));
    memset(page, 0xee, sizeof page);
    refused("persist: begin a transaction", persist_rpc_begin(persist));
    refused("persist: write a page", persist_rpc_page_write(persist, SAS_OBJECT_BASE, page));
    refused("persist: read a page", persist_rpc_page_read(persist, SAS_OBJECT_BASE, page));
    uint8_t k[64], v[512];
    size_t kl = 0, vl = 0;
    refused("persist: read capstore's records",
            persist_rpc_db_next(persist, 0, 0, k, &kl, v, &vl));
    uint8_t cap[232];
    refused("capstore: mint", csc_mint(capstore, SAS_OBJECT_BASE, 1, 1, cap));
    uint32_t id;
    int created;
    refused("capstore: make a domain", csc_domain(capstore, "intruders", &id, &created));
    l4_msg_t m = { { 0 } };
    refused("capstore: drain the log", raw(capstore, CAPSTORE_LOG, 0, &m));
    m = (l4_msg_t){ { l4_tid_task(persist) } };
    refused("root: a task's domain", raw(root, ROOT_TASK_DOMAIN, 1, &m));
    m = (l4_msg_t){ { ROOT_SERVICE_OBJMGR } };
    refused("root: serve as objmgr", raw(root, ROOT_SERVICE_READY, 1, &m));
    m = (l4_msg_t){ { 0 } };
    refused("root: the disk's owner", raw(root, ROOT_DISK_OWNER, 0, &m));
    /* OBJ_FAULT from a program thread: only a system thread (lthread 0) may ask. */
    l4_threadid_t om;
    if (root_service(root, ROOT_SERVICE_OBJMGR, &om))
        return 1;
    m = (l4_msg_t){ { SAS_OBJECT_BASE, OBJ_ACCESS_READ } };
    refused("objmgr: a fault for another thread", raw(om, OBJ_FAULT, 2, &m));
    /* Acting as another domain: objmgr reads no domain from a message. Whatever words a
     * request carries, OBJ_CAPS lists the caller's own list, empty in a fresh domain —
     * though (in run-sas-live's share scenario) bob's holds alice's list. */
    unsigned others = 0;
    for (uint64_t dom = 1; dom <= 8; dom++) {
        m = (l4_msg_t){ { 0, dom, dom, dom, dom, dom, dom, dom } };
        others += raw(om, OBJ_CAPS, 8, &m) != SAS_ENOTFOUND;
    }
    printf("sas_intrude: objmgr: another domain's list, by words naming it: %s\n",
           others ? "given" : "refused (only this domain's own, empty, list)");
    bad += others != 0;
    /* Everything still works. */
    void *base;
    enum sas_error e = sas_create(4096, SAS_PERSISTENT, "after", 0, &base);
    if (!e) {
        memset(base, 7, 4096);
        e = sas_commit(&base, 1);
    }
    printf("sas_intrude: create and commit afterwards: %s\n", sas_strerror(e));
    if (e || bad)
        return 1;
    printf("sas_intrude: every privileged request refused, the servers work on\n");
    return 0;
}
