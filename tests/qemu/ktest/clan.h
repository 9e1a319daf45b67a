/*
 * clan.h — a clan tree for the in-guest tests (test_clan.c, test_fastpath.c).
 *
 * The tree: root (the test task, a boot task) created A and B; A created A1. Each of A,
 * B and A1 runs an "agent" on root's pages (paged 1:1 by root's pager, so the agent
 * records below are shared memory): it may first make a member, ask id_nearest and send
 * one message; then it records every message it receives and, if told to, forwards each
 * redirected one to where it was meant to go, deceivingly, as its real sender.
 */
#ifndef KTEST_CLAN_H
#define KTEST_CLAN_H

#include "space.h"

#define MAGIC 0x5e4dULL

struct agent {
    /* script, set by root before the agent starts */
    int spawn;                       /* first make a member running agent A1 */
    l4_threadid_t ask;               /* then ask id_nearest about this id (nil: no) */
    l4_threadid_t send_to;           /* then send MAGIC here (nil: no) */
    l4_threadid_t vsender;           /* ... deceiving, as this sender (nil: plain send) */
    unsigned send_flags;             /* ... with these flags too (L4_IPC_RECV: a call) */
    int forward;                     /* forward redirected messages deceivingly */
    unsigned fwd_flags;              /* ... with these flags too (L4_IPC_RECV: a call) */
    /* what happened */
    volatile l4_threadid_t id, near;
    volatile uint64_t near_type, near_err, sent, send_res, spawn_err;
    volatile uint64_t got, res, from, intended, w0;
    volatile uint64_t forwarded, fwd_res;
};

enum { A, B, A1 };
extern struct agent ag[3];

/* Lets the others run until *w is not 0 (2000 ticks at most); 1 if it got there. */
int wait_word(volatile uint64_t *w);
/* Starts the tree: A (with member A1 if a1 is set) and B, in the order given by b_first.
 * Scripts must be in ag[] already. Returns 0 if everyone came up. */
int tree_start(int a1, int b_first);
/* Deletes agent A's or B's task (and its members) and clears its record for a new
 * script; agent_start then starts it again, as a new member of root. */
void agent_stop(unsigned which);
uint64_t agent_start(unsigned which);
void tree_end(void);

static inline uint64_t how(uint64_t res)
{
    return res & (L4_RES_REDIRECTED | L4_RES_DECEITED | L4_RES_SRC_INSIDE);
}

#endif
