/*
 * test_clan.c — clans and chiefs (l4/clan.h): redirection outward and inward, a chief
 * forwarding with a deceiving send, the direction rule refusing others, and id_nearest.
 *
 * The tree: root (the test task, a boot task) created A and B; A created A1. Each of A,
 * B and A1 runs an "agent" on root's pages (paged 1:1 by root's pager, so the agent
 * records below are shared memory): it may first make a member, ask id_nearest and send
 * one message; then it records every message it receives and, if told to, forwards each
 * redirected one to where it was meant to go, deceivingly, as its real sender.
 */
#include "space.h"

#define MAGIC 0x5e4dULL

struct agent {
    /* script, set by root before the agent starts */
    int spawn;                       /* first make a member running agent A1 */
    l4_threadid_t ask;               /* then ask id_nearest about this id (nil: no) */
    l4_threadid_t send_to;           /* then send MAGIC here (nil: no) */
    l4_threadid_t vsender;           /* ... deceiving, as this sender (nil: plain send) */
    int forward;                     /* forward redirected messages deceivingly */
    /* what happened */
    volatile l4_threadid_t id, near;
    volatile uint64_t near_type, near_err, sent, send_res, spawn_err;
    volatile uint64_t got, res, from, intended, w0;
    volatile uint64_t forwarded, fwd_res;
};

enum { A, B, A1 };
static struct agent ag[3];
static l4_threadid_t clan_pager;
static char agent_stacks[3][16384] __attribute__((aligned(4096)));

static uint64_t stack_top(unsigned i) { return (uint64_t)agent_stacks[i] + sizeof(agent_stacks[i]) - 8; }

static void agent_run(struct agent *g);
static void agent_a(void) { agent_run(&ag[A]); }
static void agent_b(void) { agent_run(&ag[B]); }
static void agent_a1(void) { agent_run(&ag[A1]); }

static void agent_script(struct agent *g)
{
    l4_threadid_t first;
    if (g->spawn)
        g->spawn_err = l4_task_new(L4_TASK_ANY, (uint64_t)agent_a1, stack_top(A1), clan_pager,
                                   100, L4_NILTHREAD, &first);
    if (!l4_tid_is_nil(g->ask)) {
        uint64_t type, err;
        g->near = l4_id_nearest(g->ask, &type, &err);
        g->near_type = type;
        g->near_err = err;
    }
    if (!l4_tid_is_nil(g->send_to)) {
        l4_msg_t m = { { MAGIC } };
        l4_timeout_t t = l4_timeout_from_us(500000);
        g->send_res = l4_tid_is_nil(g->vsender)
            ? l4_send(g->send_to, l4_msgtag(1, 1, 0), &m, t)
            : l4_send_deceiving(g->send_to, g->vsender, 0, l4_msgtag(1, 1, 0), &m, t, 0, 0);
        g->sent = 1;
    }
}

static void agent_run(struct agent *g)
{
    g->id = l4_myself();
    agent_script(g);
    for (;;) {
        l4_threadid_t from = L4_NILTHREAD, intended = L4_NILTHREAD;
        l4_msg_t m;
        uint64_t r = l4_chief_receive(&from, &intended, &m, L4_TIMEOUT_NEVER);
        g->res = r;
        g->from = from;
        g->intended = intended;
        g->w0 = m.w[0];
        g->got++;
        if (g->forward && (r & L4_RES_REDIRECTED)) {
            g->fwd_res = l4_send_deceiving(intended, from, 0, l4_ipc_tag(r), &m,
                                           l4_timeout_from_us(500000), 0, 0);
            g->forwarded++;
        }
    }
}

static volatile uint64_t *waiting_on;
static int word_set(void) { return *waiting_on != 0; }
static int wait_word(volatile uint64_t *w)
{
    waiting_on = w;
    return kt_wait_until(word_set, 2000);
}

/* Starts the tree: A (with member A1 if a1 is set) and B, in the order given by b_first.
 * Scripts must be in ag[] already. Returns 0 if everyone came up. */
static int tree_start(int a1, int b_first)
{
    l4_threadid_t first;
    clan_pager = pager_start();
    ag[A].spawn = a1;
    for (int i = 0; i < 2; i++) {
        int b = (i == 0) == b_first;
        if (l4_task_new(L4_TASK_ANY, (uint64_t)(b ? agent_b : agent_a), stack_top(b ? B : A),
                        clan_pager, 100, L4_NILTHREAD, &first))
            return 1;
        if (!wait_word(&ag[b ? B : A].id))
            return 1;
        if (!b && a1 && !wait_word(&ag[A1].id))
            return 1;
    }
    return 0;
}

static void tree_end(void)
{
    if (ag[A].id)
        l4_task_delete(l4_tid_task(ag[A].id));      /* and A1 with it */
    if (ag[B].id)
        l4_task_delete(l4_tid_task(ag[B].id));
    memset(ag, 0, sizeof(ag));
}

static uint64_t how(uint64_t res)
{
    return res & (L4_RES_REDIRECTED | L4_RES_DECEITED | L4_RES_SRC_INSIDE);
}

KTEST("clan", "a_send_leaving_the_clan_goes_to_the_senders_chief", clan_outward)
{
    memset(ag, 0, sizeof(ag));
    if (tree_start(0, 1))
        KT_FAIL("tree did not start");
    l4_threadid_t first;
    /* A makes A1 only now, when B's id is known: restart A with a member. */
    l4_task_delete(l4_tid_task(ag[A].id));
    memset(&ag[A], 0, sizeof(ag[A]));
    ag[A].spawn = 1;
    ag[A1].send_to = ag[B].id;
    KT_EQ(l4_task_new(L4_TASK_ANY, (uint64_t)agent_a, stack_top(A), clan_pager, 100,
                      L4_NILTHREAD, &first), L4_OK);
    KT_ASSERT(wait_word(&ag[A].got));
    KT_ASSERT(wait_word(&ag[A1].sent));
    KT_EQ(l4_ipc_error(ag[A1].send_res), L4_OK);
    KT_EQ(how(ag[A].res), L4_RES_REDIRECTED | L4_RES_SRC_INSIDE);
    KT_EQ(ag[A].from, ag[A1].id);
    KT_EQ(ag[A].intended, ag[B].id);
    KT_EQ(ag[A].w0, MAGIC);
    KT_EQ(ag[B].got, 0);
    tree_end();
    return 0;
}

KTEST("clan", "a_send_entering_a_clan_goes_to_its_chief", clan_inward)
{
    memset(ag, 0, sizeof(ag));
    if (tree_start(1, 0))                           /* A and A1 first, then B */
        KT_FAIL("tree did not start");
    /* From root: A1 lies inside root's own member A. */
    l4_msg_t m = { { MAGIC } };
    KT_EQ(l4_ipc_error(l4_send(ag[A1].id, l4_msgtag(1, 1, 0), &m, l4_timeout_from_us(500000))), L4_OK);
    KT_ASSERT(wait_word(&ag[A].got));
    KT_EQ(how(ag[A].res), L4_RES_REDIRECTED);
    KT_EQ(ag[A].from, kt_main);
    KT_EQ(ag[A].intended, ag[A1].id);
    KT_EQ(ag[A1].got, 0);
    tree_end();

    /* From B: A1 lies inside B's clan-mate A. */
    memset(ag, 0, sizeof(ag));
    if (tree_start(1, 0))
        KT_FAIL("tree did not start");
    l4_task_delete(l4_tid_task(ag[B].id));
    memset(&ag[B], 0, sizeof(ag[B]));
    ag[B].send_to = ag[A1].id;
    l4_threadid_t first;
    KT_EQ(l4_task_new(L4_TASK_ANY, (uint64_t)agent_b, stack_top(B), clan_pager, 100,
                      L4_NILTHREAD, &first), L4_OK);
    KT_ASSERT(wait_word(&ag[B].sent));
    KT_EQ(l4_ipc_error(ag[B].send_res), L4_OK);
    KT_ASSERT(wait_word(&ag[A].got));
    KT_EQ(how(ag[A].res), L4_RES_REDIRECTED);
    KT_EQ(ag[A].from, ag[B].id);
    KT_EQ(ag[A].intended, ag[A1].id);
    KT_EQ(ag[A1].got, 0);
    tree_end();
    return 0;
}

KTEST("clan", "a_chief_forwards_a_message_as_its_sender", clan_forward)
{
    memset(ag, 0, sizeof(ag));
    ag[A].forward = 1;
    if (tree_start(1, 0))
        KT_FAIL("tree did not start");
    l4_msg_t m = { { MAGIC } };
    KT_EQ(l4_ipc_error(l4_send(ag[A1].id, l4_msgtag(1, 1, 0), &m, l4_timeout_from_us(500000))), L4_OK);
    KT_ASSERT(wait_word(&ag[A1].got));
    KT_EQ(ag[A].forwarded, 1);
    KT_EQ(l4_ipc_error(ag[A].fwd_res), L4_OK);
    KT_EQ(how(ag[A1].res), L4_RES_DECEITED);          /* inbound: root -> A1 */
    KT_EQ(ag[A1].from, kt_main);
    KT_EQ(ag[A1].w0, MAGIC);
    tree_end();

    /* Outbound: A1 -> B reaches A, which forwards it to B as A1. */
    memset(ag, 0, sizeof(ag));
    ag[A].forward = 1;
    if (tree_start(0, 1))
        KT_FAIL("tree did not start");
    l4_task_delete(l4_tid_task(ag[A].id));
    memset(&ag[A], 0, sizeof(ag[A]));
    ag[A].spawn = ag[A].forward = 1;
    ag[A1].send_to = ag[B].id;
    l4_threadid_t first;
    KT_EQ(l4_task_new(L4_TASK_ANY, (uint64_t)agent_a, stack_top(A), clan_pager, 100,
                      L4_NILTHREAD, &first), L4_OK);
    KT_ASSERT(wait_word(&ag[B].got));
    KT_EQ(how(ag[B].res), L4_RES_DECEITED);
    KT_EQ(ag[B].from, ag[A1].id);
    KT_EQ(ag[B].w0, MAGIC);
    tree_end();
    return 0;
}

KTEST("clan", "a_deceiving_send_from_a_task_without_members_is_refused", clan_deceit_nonchief)
{
    memset(ag, 0, sizeof(ag));
    if (tree_start(0, 0))
        KT_FAIL("tree did not start");
    l4_task_delete(l4_tid_task(ag[B].id));
    memset(&ag[B], 0, sizeof(ag[B]));
    ag[B].send_to = ag[A].id;                      /* a clan-mate: delivered directly... */
    ag[B].vsender = kt_main;                       /* ...but B has no members to speak for */
    l4_threadid_t first;
    KT_EQ(l4_task_new(L4_TASK_ANY, (uint64_t)agent_b, stack_top(B), clan_pager, 100,
                      L4_NILTHREAD, &first), L4_OK);
    KT_ASSERT(wait_word(&ag[B].sent));
    KT_EQ(l4_ipc_error(ag[B].send_res), L4_ERR_PERMISSION);
    KT_EQ(ag[A].got, 0);
    tree_end();
    return 0;
}

KTEST("clan", "a_deceiving_send_not_crossing_the_chiefs_boundary_is_refused", clan_deceit_rule)
{
    memset(ag, 0, sizeof(ag));
    if (tree_start(1, 1))                          /* B first, then A with A1 */
        KT_FAIL("tree did not start");
    l4_msg_t m = { { MAGIC } };
    l4_timeout_t t = l4_timeout_from_us(200000);
    /* Root speaking for B to A: both inside root. */
    KT_EQ(l4_ipc_error(l4_send_deceiving(ag[A].id, ag[B].id, 0, l4_msgtag(1, 1, 0), &m, t, 0, 0)),
          L4_ERR_PERMISSION);
    /* Root speaking for A1 to A1's own chief: both inside root. */
    KT_EQ(l4_ipc_error(l4_send_deceiving(ag[A].id, ag[A1].id, 0, l4_msgtag(1, 1, 0), &m, t, 0, 0)),
          L4_ERR_PERMISSION);
    /* A virtual sender that names no thread. */
    KT_EQ(l4_ipc_error(l4_send_deceiving(ag[A].id, l4_tid_make(1000, 5, 3), 0, l4_msgtag(1, 1, 0),
                                         &m, t, 0, 0)), L4_ERR_PERMISSION);
    KT_EQ(ag[A].got, 0);
    tree_end();

    /* A (a chief) speaking for root to B: both outside A. */
    memset(ag, 0, sizeof(ag));
    if (tree_start(0, 1))
        KT_FAIL("tree did not start");
    l4_task_delete(l4_tid_task(ag[A].id));
    memset(&ag[A], 0, sizeof(ag[A]));
    ag[A].spawn = 1;
    ag[A].send_to = ag[B].id;
    ag[A].vsender = kt_main;
    l4_threadid_t first;
    KT_EQ(l4_task_new(L4_TASK_ANY, (uint64_t)agent_a, stack_top(A), clan_pager, 100,
                      L4_NILTHREAD, &first), L4_OK);
    KT_ASSERT(wait_word(&ag[A].sent));
    KT_EQ(l4_ipc_error(ag[A].spawn_err), L4_OK);
    KT_EQ(l4_ipc_error(ag[A].send_res), L4_ERR_PERMISSION);
    KT_EQ(ag[B].got, 0);
    tree_end();
    return 0;
}

KTEST("clan", "id_nearest_names_the_first_hop_same_inner_outer", clan_nearest)
{
    memset(ag, 0, sizeof(ag));
    if (tree_start(0, 1))                          /* B, then A */
        KT_FAIL("tree did not start");
    uint64_t type = 99, err = 99;
    /* Root: its member is SAME, the member's member INNER via A (checked below). */
    KT_EQ(l4_id_nearest(ag[A].id, &type, &err), ag[A].id);
    KT_EQ(err, L4_OK);
    KT_EQ(type, L4_NEAREST_SAME_CLAN);
    /* B about A: clan-mates. */
    l4_task_delete(l4_tid_task(ag[A].id));
    memset(&ag[A], 0, sizeof(ag[A]));
    ag[A].spawn = 1;
    ag[A1].ask = ag[B].id;                         /* A1 about B: outside, via A */
    l4_threadid_t first;
    KT_EQ(l4_task_new(L4_TASK_ANY, (uint64_t)agent_a, stack_top(A), clan_pager, 100,
                      L4_NILTHREAD, &first), L4_OK);
    KT_ASSERT(wait_word(&ag[A1].id));
    KT_ASSERT(wait_word(&ag[A1].near));
    KT_EQ(ag[A1].near_err, L4_OK);
    KT_EQ(ag[A1].near, ag[A].id);
    KT_EQ(ag[A1].near_type, L4_NEAREST_OUTER_CLAN);
    KT_EQ(l4_id_nearest(ag[A1].id, &type, &err), ag[A].id);
    KT_EQ(err, L4_OK);
    KT_EQ(type, L4_NEAREST_INNER_CLAN);
    KT_EQ(l4_id_nearest(ag[B].id, &type, &err), ag[B].id);
    KT_EQ(type, L4_NEAREST_SAME_CLAN);
    KT_EQ(l4_id_nearest(L4_NILTHREAD, &type, &err), kt_main);
    KT_EQ(l4_id_nearest(l4_tid_make(1000, 5, 3), &type, &err), l4_tid_make(1000, 5, 3));
    KT_EQ(err, L4_ERR_NO_PARTNER);
    tree_end();

    /* B about A1: inside its clan-mate A. */
    memset(ag, 0, sizeof(ag));
    if (tree_start(1, 0))
        KT_FAIL("tree did not start");
    l4_task_delete(l4_tid_task(ag[B].id));
    memset(&ag[B], 0, sizeof(ag[B]));
    ag[B].ask = ag[A1].id;
    KT_EQ(l4_task_new(L4_TASK_ANY, (uint64_t)agent_b, stack_top(B), clan_pager, 100,
                      L4_NILTHREAD, &first), L4_OK);
    KT_ASSERT(wait_word(&ag[B].near));
    KT_EQ(ag[B].near, ag[A].id);
    KT_EQ(ag[B].near_type, L4_NEAREST_INNER_CLAN);
    tree_end();
    return 0;
}
