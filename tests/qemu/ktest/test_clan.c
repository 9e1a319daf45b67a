/*
 * test_clan.c — clans and chiefs (l4/clan.h): redirection outward and inward, a chief
 * forwarding with a deceiving send, the direction rule refusing others, and id_nearest.
 * The tree of tasks and the agents they run: clan.h.
 */
#include "clan.h"

KTEST("clan", "a_send_leaving_the_clan_goes_to_the_senders_chief", clan_outward)
{
    memset(ag, 0, sizeof(ag));
    if (tree_start(0, 1))
        KT_FAIL("tree did not start");
    /* A makes A1 only now, when B's id is known: restart A with a member. */
    agent_stop(A);
    ag[A].spawn = 1;
    ag[A1].send_to = ag[B].id;
    KT_EQ(agent_start(A), L4_OK);
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
    agent_stop(B);
    ag[B].send_to = ag[A1].id;
    KT_EQ(agent_start(B), L4_OK);
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
    agent_stop(A);
    ag[A].spawn = ag[A].forward = 1;
    ag[A1].send_to = ag[B].id;
    KT_EQ(agent_start(A), L4_OK);
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
    agent_stop(B);
    ag[B].send_to = ag[A].id;                      /* a clan-mate: delivered directly... */
    ag[B].vsender = kt_main;                       /* ...but B has no members to speak for */
    KT_EQ(agent_start(B), L4_OK);
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
    agent_stop(A);
    ag[A].spawn = 1;
    ag[A].send_to = ag[B].id;
    ag[A].vsender = kt_main;
    KT_EQ(agent_start(A), L4_OK);
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
    agent_stop(A);
    ag[A].spawn = 1;
    ag[A1].ask = ag[B].id;                         /* A1 about B: outside, via A */
    KT_EQ(agent_start(A), L4_OK);
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
    agent_stop(B);
    ag[B].ask = ag[A1].id;
    KT_EQ(agent_start(B), L4_OK);
    KT_ASSERT(wait_word(&ag[B].near));
    KT_EQ(ag[B].near, ag[A].id);
    KT_EQ(ag[B].near_type, L4_NEAREST_INNER_CLAN);
    tree_end();
    return 0;
}
