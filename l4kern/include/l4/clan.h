/*
 * l4/clan.h — clans and chiefs: who may talk to whom directly (L4 V2 §1.3).
 *
 * A task's chief is the task that created it (the kernel, 0, for boot tasks); the tasks
 * one chief created form its clan. A task T is *inside* chief K when K is one of T's
 * ancestors (T lies in K's subtree). For an IPC from task S to a thread of task D:
 *   - SAME_CLAN: S and D have the same chief, S is D's chief, or D is S's chief (a chief
 *     and its members talk freely, as do members with each other). Delivered to D.
 *   - INNER_CLAN: D lies inside a task M that S reaches directly (M is S's member, or a
 *     member of S's own clan). Delivered to lthread 0 of the M closest to S.
 *   - OUTER_CLAN: anything else. Delivered to lthread 0 of S's chief.
 * A boot task reaches every task directly or inward, so the kernel never receives one.
 * id_nearest reports this first hop. The kernel routes one hop only: a chief that wants a
 * message to travel further forwards it (below).
 *
 * A redirected message arrives with L4_RES_REDIRECTED in the receiver's result word, the
 * real sender in rdi and the intended destination in rsi (l4_chief_wait); with an
 * outward redirection (the sender is inside the receiver) L4_RES_SRC_INSIDE is set too.
 * Without L4_RES_REDIRECTED the receiver's rsi is left as it was.
 *
 * Page-fault and exception IPC the kernel sends for a thread go to the pager or handler
 * its chief (task_new) or its own task (lthread_ex_regs) chose, unredirected, and that
 * handler's reply (a send to the thread while it waits in that call) is not redirected
 * either.
 *
 * Deceiving send: a send with the control flag L4_IPC_DECEIT presents the id in the
 * sender's l4_utcb.virtual_sender as the sender: the receiver sees it in rdi and
 * L4_RES_DECEITED in its result word, and a closed receive from the virtual sender
 * accepts it. Rule (direction preservation): for a sender in task K, a virtual sender V
 * (an existing thread) and an intended destination D, the send is allowed exactly when
 * one of V and D lies inside K and the other does not, i.e. the message crosses K's clan
 * boundary, inbound (V outside K, D inside: the reference's "SAME & INNER" and "OUTER &
 * INNER") or outbound (V inside K, D outside). A task with no members is inside no chief's
 * role, so its deceiving sends always fail. Otherwise: L4_ERR_PERMISSION in the send phase
 * (also for a virtual sender that names no thread); nothing is delivered. The message is
 * then routed from K like any other (it may be redirected again).
 */
#ifndef L4_CLAN_H
#define L4_CLAN_H

#define L4_IPC_DECEIT       0x8u            /* control flag, only with L4_IPC_SEND */
#define L4_RES_REDIRECTED   (1ULL << 57)    /* result word: delivered to a chief */
#define L4_RES_DECEITED     (1ULL << 58)    /* result word: rdi is a virtual sender */
#define L4_RES_SRC_INSIDE   (1ULL << 59)    /* result word: redirected outward to us */

/* id_nearest's type (rsi out), V2's values. */
#define L4_NEAREST_SAME_CLAN    0x00
#define L4_NEAREST_OUTER_CLAN   0x04
#define L4_NEAREST_INNER_CLAN   0x0c

#endif
