/*
 * osrv_main.c — the objmgr server: started by root after persist and capstore are ready
 * (sas/proto/root.h), it tells root it serves, restores the object table from the store,
 * makes capstore's first records (its key) and the epoch bound durable, and serves
 * (sas/proto/objmgr.h) until the system stops. READY comes first because persist and
 * capstore know objmgr only by the id root gives for it, which root gives only once
 * objmgr is ready; programs' requests wait in the kernel's queue meanwhile.
 *
 * Its frame pool is anonymous memory of its own (paged by its system thread from root's
 * frames); one frame per resident object page, mapped on to every task that may see it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sas/proto/root.h>
#include "osrv_ipc.h"

#define POOL_FRAMES 32768u             /* 128 MiB of object pages resident at most */

static struct osrv srv;

static int need(enum sas_error e, const char *what)
{
    if (!e)
        return 0;
    printf("objmgr: %s: %s; the single address space is not served\n", what, sas_strerror(e));
    return -1;
}

int main(void)
{
    struct osrv_ipc ipc = { root_find(), L4_NILTHREAD, L4_NILTHREAD };
    struct server server;
    if (need(root_service(ipc.root, ROOT_SERVICE_PERSIST, &ipc.persist), "no persist") ||
        need(root_service(ipc.root, ROOT_SERVICE_CAPSTORE, &ipc.capstore), "no capstore"))
        return 1;
    void *pool = mmap(0, (size_t)POOL_FRAMES * 4096u, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pool == MAP_FAILED)
        return need(SAS_ENOMEM, "frame pool"), 1;
    struct osrv_env env = osrv_ipc_env(&ipc);
    if (need(osrv_init(&srv, &env, pool, POOL_FRAMES), "setup"))
        return 1;
    srv.mr = l4_utcb()->mr;
    if (need(root_service_ready(ipc.root, ROOT_SERVICE_OBJMGR), "root") ||
        need(osrv_restore(&srv), "restoring the object table") ||
        need(osrv_txn(&srv, 0, 0, 0, 0), "first transaction"))
        return 1;
    printf("objmgr: %zu objects in the store, next epoch %lu; serving the object region\n",
           obj_count(srv.table), (unsigned long)obj_next_epoch(srv.table));
    osrv_server(&srv, &server);
    server_run(&server);
    return 0;
}
