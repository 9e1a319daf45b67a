/* osrv_ipc.h — the objmgr server's environment over IPC (osrv_ipc.c). */
#ifndef OBJMGR_OSRV_IPC_H
#define OBJMGR_OSRV_IPC_H

#include "osrv.h"

struct osrv_ipc {
    l4_threadid_t root, persist, capstore;
    l4_threadid_t committer;           /* where commit_start sends */
};

struct osrv_env osrv_ipc_env(struct osrv_ipc *c);

#endif
