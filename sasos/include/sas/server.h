/*
 * sas/server.h — the one receive loop of Ell Four's servers (sasos/lib/server/: the step
 * in step.h, the IPC in server.c).
 *
 * A server is a table from message labels to handlers, the state they work on and a few
 * optional hooks, all in a struct server its caller owns. server_run() receives a
 * message, finds its handler (server_dispatch) and does what the handler decided: reply
 * now, reply later, or never. Handlers are plain functions with no IPC in them: they read
 * the request from a struct server_msg, change their state and fill in the reply, so they
 * are tested on the host, and so is server_dispatch, the loop's step without its IPC.
 *
 * What every server gets from the loop alike:
 *  - replies go out with a zero send timeout (reply-and-wait): a client that is not
 *    waiting for its answer loses it, it cannot hold the server; the loop then goes back
 *    to a plain receive;
 *  - an unknown label is answered SAS_ENOTSUP (u = 0), as every protocol in sas/proto/
 *    documents; a message the kernel made for a fault or an exception (l4/fault.h) whose
 *    label has no handler is dropped instead: a reply would only resume the thread to
 *    fault again;
 *  - a request carrying map items (t > 0) to a label without SERVER_ITEMS is answered
 *    SAS_EINVAL before its handler runs;
 *  - a message from an interrupt id (l4/irq.h) is never answered (a send to the id
 *    would detach the line): it goes to the irq hook, or is dropped;
 *  - the receive window is nil unless the server's window hook opens one, so no client
 *    maps into a server uninvited.
 *
 * The loop keeps nothing outside the struct server it is given (which it only reads) and
 * its own stack, and it never starts threads: several threads of one task may each run
 * server_run, on a struct server of their own or on a shared one whose state their
 * handlers can share.
 *
 * Freestanding: <stdint.h> and l4/ only, so native programs (the native_server library)
 * and musl programs (SAS_SERVER_SOURCES in sasos/CMakeLists.txt) build it alike.
 */
#ifndef SAS_SERVER_H
#define SAS_SERVER_H

#include <stdint.h>
#include <l4/fpage.h>
#include <l4/ipc.h>
#include <l4/types.h>
#include <sas/errors.h>

/* One received message, as a handler sees it, and the reply it fills in. */
struct server_msg {
    l4_threadid_t from;      /* the sender: a thread, or an interrupt id (irq hook only) */
    unsigned task;           /* l4_tid_task(from): for checks on who is asking */
    l4_msgtag_t tag;         /* the request's tag: label, u, t */
    l4_msg_t *m;             /* in: the request's words MR0..MR7; out: the reply's. Words
                              * 8 and up are the UTCB's (l4_utcb()->mr), both ways */
    l4_msgtag_t reply;       /* out: the reply's tag; preset to l4_msgtag(SAS_OK, 0, 0) */
    unsigned wake;           /* out: 1 if deferred replies may now be ready (deferred hook) */
};

/* What the loop does once a handler has returned. */
enum server_action {
    SERVER_REPLY,            /* send msg->reply with *msg->m to msg->from now */
    SERVER_DEFER,            /* no reply now: the handler kept msg->from in its state, and
                              * the reply goes out later, from the deferred hook or with
                              * server_reply_to() */
    SERVER_DROP,             /* no reply, ever: a fault that could not be resolved, a sender
                              * the server does not serve, a message that ended its sender */
    SERVER_STOP,             /* no reply, and server_run returns */
};

/* A handler: no IPC; `state` is struct server's. Declare handlers as `server_fn name;`. */
typedef enum server_action server_fn(void *state, struct server_msg *msg);

/* One row of the label table. A label matches when it equals `label` in every bit not in
 * `any`: { L4_LABEL_PAGEFAULT, L4_FPAGE_RWX, ... } takes every page fault, whatever the
 * access. The first matching row wins; put the busiest first. */
struct server_op {
    uint32_t label;
    uint32_t any;            /* label bits that may take any value (0: an exact label) */
    unsigned flags;          /* SERVER_* below */
    server_fn *fn;
};
#define SERVER_ITEMS 0x1u    /* the request may carry map items (t > 0) */

/* A server: its label table, the state its handlers get, and optional hooks (0: none). */
struct server {
    const struct server_op *ops;
    unsigned nops;
    void *state;
    /* A message from an interrupt id that reached the loop. The kernel delivers an
     * interrupt only to a closed receive from its line (l4/irq.h), so a driver waits for
     * its device with server_wait_irq and this hook is the guard for anything else. It is
     * never answered; it may set msg->wake. Without the hook it is dropped. */
    void (*irq)(void *state, struct server_msg *msg);
    /* Asked, after a handler or the irq hook set msg->wake, for the deferred replies that
     * can go now: 1 and the next one's receiver, tag and words (beyond 8: in the UTCB), 0
     * when there is none left. Each is sent with a zero timeout (a receiver that stopped
     * waiting loses it, but see deferred_failed), before that message's own reply unless
     * that reply has words beyond the registers, which theirs would overwrite. */
    int (*deferred)(void *state, l4_threadid_t *to, l4_msgtag_t *tag, l4_msg_t *m);
    /* A deferred reply could not be delivered (err as for reply_failed: its receiver had
     * stopped waiting, or is gone); to, tag and m (beyond 8 words: the UTCB's, unchanged)
     * as the deferred hook gave them, before the hook is asked for the next one. So a
     * server can take back what the reply carried (the console: a line, for its next
     * reader). Without the hook: dropped. */
    void (*deferred_failed)(void *state, l4_threadid_t to, l4_msgtag_t tag, l4_msg_t *m,
                            unsigned err);
    /* A reply could not be delivered: `err` (enum l4_error of the send phase) is
     * L4_ERR_MAP_FAILED when the receiver's window refused the reply's map item, another
     * error when the receiver had stopped waiting or is gone. msg is as the reply was
     * sent. Return SERVER_REPLY with a new msg->reply and words to send one more reply
     * (zero timeout, not retried), anything else to drop it. Without the hook: dropped. */
    enum server_action (*reply_failed)(void *state, struct server_msg *msg, unsigned err);
    /* The receive window (l4/fpage.h) for the next message, asked before every receive;
     * without the hook the window is nil from server_run on, and a handler that opens
     * one for an IPC of its own closes it again (as the sas/proto stubs do). */
    l4_fpage_t (*window)(void *state);
};

#define SERVER_NOPS(table) ((unsigned)(sizeof(table) / sizeof((table)[0])))

/* Sets the reply's tag: `status` (an enum sas_error for the protocols in sas/proto/) with
 * u words and t words of map items; returns SERVER_REPLY, for `return server_reply(...)`. */
static inline enum server_action server_reply(struct server_msg *msg, uint32_t status,
                                              unsigned u, unsigned t)
{
    msg->reply = l4_msgtag(status, u, t);
    return SERVER_REPLY;
}

/* The loop's step: what to do with one received message (msg->from, task, tag, m set;
 * reply and wake preset by the caller as server_run does). Routes a message from an
 * interrupt id to the irq hook (SERVER_DROP), answers an unknown label or unexpected map
 * items as described above, else returns the handler's decision. No IPC. */
enum server_action server_dispatch(const struct server *s, struct server_msg *msg);

/* Serves messages until a handler returns SERVER_STOP (else it never returns). */
void server_run(const struct server *s);

/* Sends a deferred reply: tag and words (beyond 8: in the UTCB) to `to`, with a zero
 * timeout. Returns the enum l4_error of the send: L4_OK, or the receiver is not waiting
 * (L4_ERR_TIMEOUT), is gone (L4_ERR_NO_PARTNER), or refused a map item. */
unsigned server_reply_to(l4_threadid_t to, l4_msgtag_t tag, l4_msg_t *m);

/* Attaches the calling thread to interrupt line `line` and unmasks it (l4/irq.h), without
 * waiting. Returns L4_OK, or L4_ERR_PERMISSION: the task does not own the line, or
 * another thread is attached to it. */
unsigned server_irq_attach(unsigned line);

/* Waits at most t for interrupt `line` (a closed receive from its id: the calling thread
 * must be attached, server_irq_attach). Requests that arrive meanwhile wait in the
 * kernel's queue for the next receive of the loop, so a driver may call it while it
 * serves a request without losing any. Returns L4_OK when the interrupt came,
 * L4_ERR_TIMEOUT when t passed first, L4_ERR_PERMISSION as server_irq_attach. */
unsigned server_wait_irq(unsigned line, l4_timeout_t t);

#endif
