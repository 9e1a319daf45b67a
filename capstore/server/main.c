/*
 * main.c — the capstore server (sas/proto/capstore.h): tells root it serves
 * (ROOT_SERVICE_READY), loads the store from persist, then runs the receive loop over
 * csrv_ops. READY comes first because persist knows capstore only by the id root gives
 * for it, which root gives only once capstore is ready; requests that arrive meanwhile
 * (objmgr's, once root starts it) wait in the kernel's queue until the loop runs. Root
 * starts it as a service once persist is ready. Without persist it has nothing to serve:
 * one line, exit 0 (persist's rule for a disk without a store). If it cannot load what
 * persist holds, it says why in one line and exits 1. Either way root boots without the
 * single address space.
 */
#include <stdio.h>
#include <sas/proto/root.h>
#include "csrv.h"

static struct csrv srv;
static l4_threadid_t persist;           /* the source's argument */

static int count_domain(void *arg, const struct domain_info *d)
{
    (void)d;
    ++*(unsigned *)arg;
    return 0;
}

int main(void)
{
    l4_threadid_t root = root_find();
    enum sas_error e = root_service(root, ROOT_SERVICE_PERSIST, &persist);
    if (e != SAS_OK) {                  /* no store: nothing to serve, as persist's rule */
        printf("capstore: no persist service (%s): not serving\n", sas_strerror(e));
        return 0;
    }
    if ((e = root_service_ready(root, ROOT_SERVICE_CAPSTORE)) != SAS_OK) {
        printf("capstore: root refused ROOT_SERVICE_READY: %s\n", sas_strerror(e));
        return 1;
    }
    csrv_log_init(&srv.log, (struct csrv_source){ &persist, csrv_persist_next });
    struct capstore_backend be = csrv_log_backend(&srv.log);
    if ((e = capstore_open(&be, 0, &srv.cs)) != SAS_OK) {
        printf("capstore: cannot load capabilities from persist: %s\n", sas_strerror(e));
        return 1;
    }
    srv.objmgr = L4_NILTHREAD;
    srv.mr = l4_utcb()->mr;             /* this thread serves */
    unsigned ndoms = 0;
    domain_each(srv.cs, count_domain, &ndoms);
    printf("capstore: serving, %u domains%s\n", ndoms,
           srv.log.n ? ", a new master key (logged for objmgr)" : "");
    struct server loop = { .ops = csrv_ops, .nops = csrv_nops, .state = &srv,
                           .reply_failed = csrv_reply_failed };
    server_run(&loop);
    return 0;
}
