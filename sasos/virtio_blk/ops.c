/*
 * ops.c — the requests of sas/proto/blk.h as plain functions over the driver's state:
 * each checks everything, then acts, and fills one reply. The device is reached through
 * virtio.c; nothing here sends a message (ATTACH's map item is only written as words), and
 * the kernel and root (ATTACH asks who owns the disk) are reached only through main.c's
 * hooks (virtio_blk.h), so this file is host-tested too (tests/unit/test_blkops.c). The label table, blk_ops, is at the end:
 * here rather than in main.c so that the test dispatches through the driver's own.
 */
#include "virtio_blk.h"
#include <l4/errors.h>

static uint8_t *slot_buf(struct blk_server *s, unsigned i)
{
    return s->dev.dma + (uint64_t)(i + 1) * BLK_BUF_SIZE;
}

/* Frees slot i: nobody maps its buffer any more, and it keeps nothing of its last owner's
 * for the next. */
static void slot_free(struct blk_server *s, unsigned i)
{
    vblk_unmap_buffer((uint64_t)slot_buf(s, i));
    __builtin_memset(slot_buf(s, i), 0, BLK_BUF_SIZE);
    s->clients[i] = (struct blk_client){ 0, L4_NILTHREAD };
}

/* The slot of the caller's task, or -1. A slot whose attaching thread is gone is freed on
 * the way: a later task with the same number must attach afresh, never inherit the
 * buffer. The thread that attached it is calling (the usual case: a musl program's
 * system thread), so only another caller costs the kernel's word on its existence. */
static int slot_of(struct blk_server *s, l4_threadid_t from)
{
    unsigned task = l4_tid_task(from);
    for (unsigned i = 0; i < BLK_MAX_CLIENTS; i++) {
        if (s->clients[i].task != task)
            continue;
        if (s->clients[i].attached_by == from || vblk_thread_alive(s->clients[i].attached_by))
            return (int)i;
        slot_free(s, i);
        return -1;
    }
    return -1;
}

/* A slot for a new client: a free one, else one whose client is gone; or -1. */
static int slot_new(struct blk_server *s)
{
    for (unsigned i = 0; i < BLK_MAX_CLIENTS; i++)
        if (!s->clients[i].task)
            return (int)i;
    for (unsigned i = 0; i < BLK_MAX_CLIENTS; i++)
        if (!vblk_thread_alive(s->clients[i].attached_by)) {
            slot_free(s, i);
            return (int)i;
        }
    return -1;
}

/* Who may attach: anyone while nobody owns the disk; once root names an owner (persist,
 * sas/proto/root.h: ROOT_DISK_OWNER), that task alone. Asked on every ATTACH, never
 * remembered: the owner changes when persist becomes ready or ends. If root does not
 * answer, nobody attaches. */
static enum sas_error may_attach(const struct server_msg *msg)
{
    unsigned owner;
    if (vblk_disk_owner(&owner))
        return SAS_EIO;
    return owner && owner != msg->task ? SAS_EPERM : SAS_OK;
}

static enum server_action op_attach(void *state, struct server_msg *msg)
{
    struct blk_server *s = state;
    enum sas_error e = may_attach(msg);
    if (e)
        return server_reply(msg, e, 0, 0);
    int i = slot_of(s, msg->from);
    if (i < 0) {
        if ((i = slot_new(s)) < 0)
            return server_reply(msg, SAS_EBUSY, 0, 0);
        s->clients[i] = (struct blk_client){ msg->task, msg->from };
    }
    uint64_t va = (uint64_t)slot_buf(s, (unsigned)i);
    *msg->m = (l4_msg_t){ { va, BLK_BUF_SIZE, l4_fpage(va, BLK_BUF_LOG2, L4_FPAGE_RW), va } };
    return server_reply(msg, SAS_OK, 2, 2);
}

/* READ and WRITE: decode and check, then one device request around the cache. */
static enum sas_error transfer(struct blk_server *s, const struct server_msg *msg,
                               uint32_t type)
{
    const l4_msg_t *m = msg->m;
    uint64_t sector = m->w[0], count = m->w[1], off = m->w[2];
    if (l4_msgtag_u(msg->tag) != 3)
        return SAS_EINVAL;
    int i = slot_of(s, msg->from);
    if (i < 0)
        return SAS_EPERM;                        /* never attached, or its slot was freed */
    if (!count || count > BLK_BUF_SIZE / BLK_SECTOR || off % BLK_SECTOR ||
        off > BLK_BUF_SIZE - count * BLK_SECTOR)
        return SAS_EINVAL;
    if (sector >= s->dev.sectors || count > s->dev.sectors - sector)
        return SAS_EINVAL;                       /* past the end of the device */
    uint8_t *buf = slot_buf(s, (unsigned)i) + off;
    /* Dirty pages it touches go first: a read must not see older bytes than the cache
     * holds, and a write must not be undone by their later write-back. */
    cache_clean_range(s, sector * BLK_SECTOR, count * BLK_SECTOR);
    enum sas_error e = vblk_do(&s->dev, type, sector, buf, (uint32_t)(count * BLK_SECTOR));
    if (type == VIRTIO_BLK_T_OUT)                /* keep the cache and its views coherent */
        cache_written_around(s, sector * BLK_SECTOR, count * BLK_SECTOR, e ? 0 : buf);
    return e;
}

static enum server_action op_read(void *state, struct server_msg *msg)
{
    return server_reply(msg, transfer(state, msg, VIRTIO_BLK_T_IN), 0, 0);
}

static enum server_action op_write(void *state, struct server_msg *msg)
{
    return server_reply(msg, transfer(state, msg, VIRTIO_BLK_T_OUT), 0, 0);
}

/* CACHE_READ and CACHE_WRITE: bytes between the caller's buffer and the cache. */
static enum sas_error cached(struct blk_server *s, const struct server_msg *msg, int writing)
{
    const l4_msg_t *m = msg->m;
    uint64_t off = m->w[0], len = m->w[1], boff = m->w[2];
    if (l4_msgtag_u(msg->tag) != 3)
        return SAS_EINVAL;
    int i = slot_of(s, msg->from);
    if (i < 0)
        return SAS_EPERM;
    if (!len || len > BLK_BUF_SIZE || boff > BLK_BUF_SIZE - len)
        return SAS_EINVAL;
    if (off >= cache_bytes(s) || len > cache_bytes(s) - off)
        return SAS_EINVAL;                       /* past the end of the device */
    uint8_t *buf = slot_buf(s, (unsigned)i) + boff;
    return writing ? cache_write(s, off, len, buf) : cache_read(s, off, len, buf);
}

static enum server_action op_cache_read(void *state, struct server_msg *msg)
{
    return server_reply(msg, cached(state, msg, 0), 0, 0);
}

static enum server_action op_cache_write(void *state, struct server_msg *msg)
{
    return server_reply(msg, cached(state, msg, 1), 0, 0);
}

/* CACHE_MAP: the frame of the page at MR0, as a read-only map item. */
static enum server_action op_cache_map(void *state, struct server_msg *msg)
{
    struct blk_server *s = state;
    uint64_t off = msg->m->w[0], va;
    if (l4_msgtag_u(msg->tag) != 1 || off % BLK_PAGE || off >= cache_bytes(s))
        return server_reply(msg, SAS_EINVAL, 0, 0);
    if (slot_of(s, msg->from) < 0)
        return server_reply(msg, SAS_EPERM, 0, 0);
    enum sas_error e = cache_map(s, off, &va);
    if (e)
        return server_reply(msg, e, 0, 0);
    *msg->m = (l4_msg_t){ { l4_fpage(va, 12, L4_FPAGE_R), va } };
    return server_reply(msg, SAS_OK, 0, 2);
}

/* FLUSH: every dirty page written back (all completed), then the device's flush, which
 * covers only the writes completed before it. An error is this write-back's, the flush's,
 * or one an earlier write-back on the cache's behalf met (the first of them). */
static enum server_action op_flush(void *state, struct server_msg *msg)
{
    struct blk_server *s = state;
    /* Attached tasks, and root: it flushes at power-off, attached or not. */
    if (msg->task != s->root_task && slot_of(s, msg->from) < 0)
        return server_reply(msg, SAS_EPERM, 0, 0);
    enum sas_error wb = cache_writeback(s), before = cache_take_error(&s->cache);
    enum sas_error f = s->dev.flags & BLK_INFO_FLUSH
                           ? vblk_do(&s->dev, VIRTIO_BLK_T_FLUSH, 0, 0, 0) : SAS_ENOTSUP;
    return server_reply(msg, before ? before : wb ? wb : f, 0, 0);
}

static enum server_action op_info(void *state, struct server_msg *msg)
{
    struct blk_server *s = state;
    *msg->m = (l4_msg_t){ { s->dev.sectors, BLK_SECTOR, s->dev.flags, s->dev.requests,
                            s->dev.bytes, s->dev.flushes, s->cache.misses,
                            s->cache.evictions } };
    return server_reply(msg, SAS_OK, 8, 0);
}

/* The busiest first: a file's reads, writes and mappings go through the cache. */
/* A reply did not arrive. One whose map item the kernel refused (MAP_FAILED: the
 * client's window, or its kernel-memory quota, could not take the page) is answered once
 * more without it, SAS_ENOMEM, so the client's call returns instead of waiting for good;
 * any other is the client's loss. */
enum server_action blk_reply_failed(void *state, struct server_msg *msg, unsigned err)
{
    (void)state;
    if (!l4_msgtag_t_words(msg->reply) || err != L4_ERR_MAP_FAILED)
        return SERVER_DROP;
    return server_reply(msg, SAS_ENOMEM, 0, 0);
}

const struct server_op blk_ops[] = {
    { .label = BLK_CACHE_READ, .fn = op_cache_read },
    { .label = BLK_CACHE_WRITE, .fn = op_cache_write },
    { .label = BLK_CACHE_MAP, .fn = op_cache_map },
    { .label = BLK_READ, .fn = op_read },
    { .label = BLK_WRITE, .fn = op_write },
    { .label = BLK_FLUSH, .fn = op_flush },
    { .label = BLK_ATTACH, .fn = op_attach },
    { .label = BLK_INFO, .fn = op_info },
};
const unsigned blk_nops = SERVER_NOPS(blk_ops);
