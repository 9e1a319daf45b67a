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
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sas/proto/root.h>
#include "osrv_ipc.h"

#define POOL_FRAMES 32768u             /* 128 MiB of object pages resident at most */

static struct osrv srv;
static l4_threadid_t server_thread;
static volatile l4_threadid_t committer_id;

/* The committer (osrv.h): runs the commit the server thread starts, reports back. */
static void *committer(void *arg)
{
    (void)arg;
    committer_id = l4_myself();
    for (;;) {
        l4_threadid_t from = server_thread;
        l4_msg_t m;
        uint64_t res = l4_receive(&from, &m, L4_TIMEOUT_NEVER);
        if (l4_ipc_error(res) || l4_msgtag_label(l4_ipc_tag(res)) != OSRV_COMMIT_START)
            continue;
        uint64_t pages = 0;
        enum sas_error e = osrv_txn(&srv, srv.c.objs, srv.c.n, 0, &pages);
        m = (l4_msg_t){ { e, pages } };
        l4_send(server_thread, l4_msgtag(OSRV_COMMIT_DONE, 2, 0), &m, L4_TIMEOUT_NEVER);
    }
    return 0;
}

static int need(enum sas_error e, const char *what)
{
    if (!e)
        return 0;
    printf("objmgr: %s: %s; the single address space is not served\n", what, sas_strerror(e));
    return -1;
}

int main(void)
{
    struct osrv_ipc ipc = { .root = root_find() };
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
    pthread_t t;
    server_thread = l4_myself();
    if (pthread_create(&t, 0, committer, 0))
        printf("objmgr: no committer thread: commits stop faults while they run\n");
    else
        while (l4_tid_is_nil(committer_id))
            sched_yield();
    ipc.committer = srv.c.thread = committer_id;
    printf("objmgr: %zu objects in the store, next epoch %lu; serving the object region\n",
           obj_count(srv.table), (unsigned long)obj_next_epoch(srv.table));
    osrv_server(&srv, &server);
    server_run(&server);
    return 0;
}
