/*
 * dispatch.c — server_dispatch, the step of sas/server.h's loop (step.h) as a function:
 * what the host tests call (tests/unit/test_server.c). No IPC.
 */
#include "step.h"

enum server_action server_dispatch(const struct server *s, struct server_msg *msg)
{
    return server_step(s, msg);
}
