/*
 * share.h — what object_bench (bench.c, the owner) and object_bench_peer (peer.c, the
 * second domain) agree on for the sharing rows of issue 21. The owner, before its own
 * rows, creates and writes share_objects() transient objects of FAULT_OBJ_PAGES pages and
 * grants the peer's domain a read-write capability of each (untimed), then creates and
 * writes share_touches() transient one-page objects and grants the peer a read-only
 * capability of each (the timed sas_grant row, the first share_touch_warm() untimed).
 * The peer waits until its list holds all of them, tells them apart by their rights
 * (read-write: the shared fault's objects; read-only: the first touches), in address
 * order (their creation order), measures object_fault_shared and
 * object_first_touch_granted, and then writes SHARE_DONE at SHARE_MAILBOX in the first
 * shared object, which the owner waits for before its own rows, so that no two timed
 * loops run at once. Include after measure.h and objects.h.
 */
#ifndef BENCH_OBJECTS_SHARE_H
#define BENCH_OBJECTS_SHARE_H

#define SHARE_PEER_DOMAIN "object_bench_peer"   /* the peer's domain: root's default */
#define SHARE_MAILBOX     8u                    /* byte offset in the first object */
#define SHARE_DONE        0x656e6f642d726565ull /* "eer-done" */
#define SHARE_TOUCH_MAX   200u                  /* the most timed grants and touches */
#define SHARE_POLL_NS     20000000L             /* 20 ms between two looks, untimed */

/* Shared objects: one per round of object_fault_shared and one untimed before them. */
static inline unsigned share_objects(void)
{
    return fault_rounds() + 1;
}

/* Timed grants (and first touches): iters / 10, 10 .. SHARE_TOUCH_MAX. */
static inline unsigned share_touches(void)
{
    unsigned n = iters / 10;
    return n < 10 ? 10 : n > SHARE_TOUCH_MAX ? SHARE_TOUCH_MAX : n;
}

/* Untimed ones before them: a tenth, at least 2. */
static inline unsigned share_touch_warm(void)
{
    return share_touches() / 10 < 2 ? 2 : share_touches() / 10;
}

#endif
