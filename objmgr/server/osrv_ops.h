/*
 * osrv_ops.h — what the files of objmgr's protocol share (osrv_ops.c: objects,
 * osrv_fault.c: faults and the decision cache, osrv_share.c: sharing, osrv_queue.c: requests
 * that wait for a commit). Private to objmgr/server.
 */
#ifndef OBJMGR_OSRV_OPS_H
#define OBJMGR_OSRV_OPS_H

#include "osrv.h"

#define PAGE 4096u

/* Word i of the request or reply: the registers' below 8, s->mr's (the UTCB's) above. */
static inline uint64_t *osrv_word(struct osrv *s, struct server_msg *msg, unsigned i)
{
    return i < L4_MSG_REG_WORDS ? &msg->m->w[i] : &s->mr[i];
}

static inline enum server_action osrv_fail(struct server_msg *msg, enum sas_error e)
{
    return server_reply(msg, e, 0, 0);
}

/* osrv_fault.c: may domain d make `access` at addr in rec's object (capstore's decision in
 * *dec, from objmgr's cache when it allowed before); the object holding addr and the right
 * to access it; every cached decision dropped (capabilities changed). */
enum sas_error osrv_allowed(struct osrv *s, domain_id d, const struct obj_record *rec,
                            uint64_t addr, unsigned access, struct cap_decision *dec);
enum sas_error osrv_find_allowed(struct osrv *s, domain_id d, uint64_t addr, unsigned access,
                                 struct obj_record *rec);
void osrv_decisions_changed(struct osrv *s);

/* osrv_queue.c: while a commit is in flight, msg waits (or SAS_EBUSY if the queue is full). */
enum server_action osrv_queue(struct osrv *s, struct server_msg *msg);
#define WAIT_FOR_COMMIT(s, msg)                                                            \
    do {                                                                                   \
        if ((s)->c.busy)                                                                   \
            return osrv_queue(s, msg);                                                     \
    } while (0)

/* The handlers, one file per concern; osrv_ops.c's table lists them all. */
server_fn osrv_op_create, osrv_op_delete, osrv_op_resize, osrv_op_info, osrv_op_commit,
    osrv_op_commit_all, osrv_op_stats, osrv_op_frame, osrv_op_fault, osrv_op_grant,
    osrv_op_cap_add, osrv_op_caps, osrv_op_why, osrv_op_revoke, osrv_op_done;

#endif
