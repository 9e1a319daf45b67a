/*
 * test_server.c — the step of the servers' loop (sas/server.h, sasos/lib/server/dispatch.c)
 * on the host: which handler a message reaches, what it learns of its sender, and the
 * answers every server gives alike — an unknown label, map items a label does not take,
 * kernel messages nobody handles, interrupts. A small server of the test's own (a queue
 * whose GET waits for a PUT, as the console's READ waits for input) shows a deferred reply
 * from the handler that keeps the sender to the deferred hook that releases it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <l4/fault.h>
#include <l4/irq.h>
#include <sas/server.h>

#define Q_PUT  0x51000001u
#define Q_GET  0x51000002u
#define Q_MAP  0x51000003u

/* The test server's state: what its handlers saw, and the one reader that may wait. */
struct queue {
    unsigned calls;
    struct server_msg seen;              /* the last message a handler got */
    l4_word_t value;
    int full;
    l4_threadid_t waiting;               /* a GET deferred until a PUT */
    unsigned irqs;
};

static enum server_action q_put(void *state, struct server_msg *msg)
{
    struct queue *q = state;
    q->calls++;
    q->seen = *msg;
    if (l4_msgtag_u(msg->tag) != 1)
        return server_reply(msg, SAS_EINVAL, 0, 0);
    q->value = msg->m->w[0];
    q->full = 1;
    msg->wake = !l4_tid_is_nil(q->waiting);
    return SERVER_REPLY;                 /* preset: SAS_OK, no words */
}

static enum server_action q_get(void *state, struct server_msg *msg)
{
    struct queue *q = state;
    q->calls++;
    q->seen = *msg;
    if (q->full) {
        q->full = 0;
        msg->m->w[0] = q->value;
        return server_reply(msg, SAS_OK, 1, 0);
    }
    if (!l4_tid_is_nil(q->waiting))
        return server_reply(msg, SAS_EBUSY, 0, 0);
    q->waiting = msg->from;
    return SERVER_DEFER;
}

/* Takes map items; records only. */
static enum server_action q_map(void *state, struct server_msg *msg)
{
    struct queue *q = state;
    q->calls++;
    q->seen = *msg;
    return SERVER_REPLY;
}

static enum server_action q_fault(void *state, struct server_msg *msg)
{
    struct queue *q = state;
    q->calls++;
    q->seen = *msg;
    return SERVER_DROP;
}

/* The deferred hook: the waiting reader's reply once a PUT has filled the queue. */
static int q_deferred(void *state, l4_threadid_t *to, l4_msgtag_t *tag, l4_msg_t *m)
{
    struct queue *q = state;
    if (l4_tid_is_nil(q->waiting) || !q->full)
        return 0;
    *to = q->waiting;
    *tag = l4_msgtag(SAS_OK, 1, 0);
    m->w[0] = q->value;
    q->waiting = L4_NILTHREAD;
    q->full = 0;
    return 1;
}

static void q_irq(void *state, struct server_msg *msg)
{
    struct queue *q = state;
    q->irqs++;
    q->seen = *msg;
}

static const struct server_op q_ops[] = {
    { .label = Q_PUT, .fn = q_put },
    { .label = Q_GET, .fn = q_get },
    { .label = Q_MAP, .flags = SERVER_ITEMS, .fn = q_map },
    { .label = L4_LABEL_PAGEFAULT, .any = L4_FPAGE_RWX, .fn = q_fault },
    { .label = L4_LABEL_IRQ, .fn = q_put },          /* never reached: interrupts go to irq */
};

static struct queue q;
static struct server srv;
static l4_msg_t words;
static l4_threadid_t client;             /* thread 3 of task 42 */

static int setup(void **state)
{
    (void)state;
    q = (struct queue){ .waiting = L4_NILTHREAD };
    srv = (struct server){ .ops = q_ops, .nops = SERVER_NOPS(q_ops), .state = &q,
                           .irq = q_irq, .deferred = q_deferred };
    words = (l4_msg_t){ { 0 } };
    client = l4_tid_make(42, 3, 5);
    return 0;
}

/* One message as server_run hands it to the step. */
static struct server_msg msg_of(l4_threadid_t from, uint32_t label, unsigned u, unsigned t)
{
    return (struct server_msg){ .from = from, .task = l4_tid_task(from),
                                .tag = l4_msgtag(label, u, t), .m = &words,
                                .reply = l4_msgtag(SAS_OK, 0, 0) };
}

static void dispatch_calls_the_handler_of_the_label(void **state)
{
    (void)state;
    struct server_msg m = msg_of(client, Q_PUT, 1, 0);
    words.w[0] = 77;
    assert_int_equal(server_dispatch(&srv, &m), SERVER_REPLY);
    assert_int_equal(q.calls, 1);
    assert_int_equal(q.value, 77);
    assert_int_equal(m.reply, l4_msgtag(SAS_OK, 0, 0));
    m = msg_of(client, Q_GET, 0, 0);
    assert_int_equal(server_dispatch(&srv, &m), SERVER_REPLY);
    assert_int_equal(q.calls, 2);
    assert_int_equal(m.reply, l4_msgtag(SAS_OK, 1, 0));
    assert_int_equal(words.w[0], 77);
}

static void dispatch_gives_the_handler_the_sender_and_its_task(void **state)
{
    (void)state;
    struct server_msg m = msg_of(client, Q_PUT, 1, 0);
    server_dispatch(&srv, &m);
    assert_int_equal(q.seen.from, client);
    assert_int_equal(q.seen.task, 42);
    assert_int_equal(q.seen.tag, l4_msgtag(Q_PUT, 1, 0));
    assert_ptr_equal(q.seen.m, &words);
}

static void dispatch_answers_an_unknown_label_enotsup(void **state)
{
    (void)state;
    words.w[0] = 9;
    struct server_msg m = msg_of(client, 0x51000099u, 1, 0);
    assert_int_equal(server_dispatch(&srv, &m), SERVER_REPLY);
    assert_int_equal(m.reply, l4_msgtag(SAS_ENOTSUP, 0, 0));
    assert_int_equal(q.calls, 0);
    struct server none = { .state = &q };
    m = msg_of(client, Q_PUT, 1, 0);
    assert_int_equal(server_dispatch(&none, &m), SERVER_REPLY);
    assert_int_equal(m.reply, l4_msgtag(SAS_ENOTSUP, 0, 0));
}

static void dispatch_drops_a_kernel_message_without_handler(void **state)
{
    (void)state;
    struct server_msg m = msg_of(client, L4_LABEL_EXCEPTION, L4_EXC_WORDS, 0);
    assert_int_equal(server_dispatch(&srv, &m), SERVER_DROP);
    m = msg_of(client, L4_LABEL_STOPPED, L4_EXC_WORDS, 0);
    assert_int_equal(server_dispatch(&srv, &m), SERVER_DROP);
    struct server none = { .state = &q };
    m = msg_of(client, L4_LABEL_PAGEFAULT | L4_FPAGE_W, 2, 0);
    assert_int_equal(server_dispatch(&none, &m), SERVER_DROP);
    assert_int_equal(q.calls, 0);
}

static void dispatch_matches_a_label_in_all_its_any_bits(void **state)
{
    (void)state;
    for (unsigned access = 0; access <= L4_FPAGE_RWX; access++) {
        struct server_msg m = msg_of(client, L4_LABEL_PAGEFAULT | access, 2, 0);
        assert_int_equal(server_dispatch(&srv, &m), SERVER_DROP);    /* q_fault's word */
        assert_int_equal(q.calls, access + 1);
        assert_int_equal(l4_msgtag_label(q.seen.tag), L4_LABEL_PAGEFAULT | access);
    }
    struct server_msg m = msg_of(client, L4_LABEL_PAGEFAULT | 0x10, 2, 0);
    assert_int_equal(server_dispatch(&srv, &m), SERVER_REPLY);       /* not one of them */
    assert_int_equal(m.reply, l4_msgtag(SAS_ENOTSUP, 0, 0));
}

static void dispatch_refuses_map_items_a_label_does_not_take(void **state)
{
    (void)state;
    struct server_msg m = msg_of(client, Q_PUT, 1, 2);
    assert_int_equal(server_dispatch(&srv, &m), SERVER_REPLY);
    assert_int_equal(m.reply, l4_msgtag(SAS_EINVAL, 0, 0));
    assert_int_equal(q.calls, 0);
    m = msg_of(client, Q_MAP, 0, 2);
    assert_int_equal(server_dispatch(&srv, &m), SERVER_REPLY);
    assert_int_equal(m.reply, l4_msgtag(SAS_OK, 0, 0));
    assert_int_equal(q.calls, 1);
}

/* GET on an empty queue waits: no reply, the sender kept; the PUT that fills the queue
 * wakes the loop, whose deferred hook then answers the reader, once. */
static void deferred_reply_goes_to_the_kept_sender(void **state)
{
    (void)state;
    l4_threadid_t reader = client + 1, writer = client + 2, to;
    l4_msgtag_t tag;
    l4_msg_t out = { { 0 } };
    struct server_msg m = msg_of(reader, Q_GET, 0, 0);
    assert_int_equal(server_dispatch(&srv, &m), SERVER_DEFER);
    assert_int_equal(m.wake, 0);
    assert_int_equal(srv.deferred(srv.state, &to, &tag, &out), 0);   /* nothing yet */
    m = msg_of(writer, Q_PUT, 1, 0);
    words.w[0] = 1234;
    assert_int_equal(server_dispatch(&srv, &m), SERVER_REPLY);
    assert_int_equal(m.wake, 1);
    assert_int_equal(srv.deferred(srv.state, &to, &tag, &out), 1);
    assert_int_equal(to, reader);
    assert_int_equal(tag, l4_msgtag(SAS_OK, 1, 0));
    assert_int_equal(out.w[0], 1234);
    assert_int_equal(srv.deferred(srv.state, &to, &tag, &out), 0);   /* answered once */
}

static void interrupt_goes_to_the_irq_hook_and_is_never_answered(void **state)
{
    (void)state;
    struct server_msg m = msg_of(l4_irq_id(11), L4_LABEL_IRQ, 0, 0);
    assert_int_equal(server_dispatch(&srv, &m), SERVER_DROP);
    assert_int_equal(q.irqs, 1);
    assert_int_equal(q.calls, 0);                 /* the table's L4_LABEL_IRQ row: unused */
    assert_int_equal(l4_irq_line(q.seen.from), 11);
}

static void interrupt_without_hook_is_dropped(void **state)
{
    (void)state;
    srv.irq = 0;
    struct server_msg m = msg_of(l4_irq_id(0), L4_LABEL_IRQ, 0, 0);
    assert_int_equal(server_dispatch(&srv, &m), SERVER_DROP);
    assert_int_equal(q.calls, 0);
    assert_int_equal(m.reply, l4_msgtag(SAS_OK, 0, 0));
}

#define SERVER_TEST(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        SERVER_TEST(dispatch_calls_the_handler_of_the_label),
        SERVER_TEST(dispatch_gives_the_handler_the_sender_and_its_task),
        SERVER_TEST(dispatch_answers_an_unknown_label_enotsup),
        SERVER_TEST(dispatch_drops_a_kernel_message_without_handler),
        SERVER_TEST(dispatch_matches_a_label_in_all_its_any_bits),
        SERVER_TEST(dispatch_refuses_map_items_a_label_does_not_take),
        SERVER_TEST(deferred_reply_goes_to_the_kept_sender),
        SERVER_TEST(interrupt_goes_to_the_irq_hook_and_is_never_answered),
        SERVER_TEST(interrupt_without_hook_is_dropped),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
