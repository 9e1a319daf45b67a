/*
 * virtio_blk.h — the virtio-blk driver's parts: PCI configuration through ports
 * 0xcf8/0xcfc (pci.c), the virtqueue's bookkeeping (vring.c), the legacy virtio device
 * with its requests in flight (virtio.c) and their descriptors within its limits (dma.c),
 * the block cache (lru.c, cache.c), its write-back (writeback.c, runs.c) and the requests
 * of sas/proto/blk.h (ops.c). None but virtio.c and main.c touches a port or sends a
 * message: the device waits through vblk_wait_irq, the cache takes frames back through
 * vblk_unmap_frame, both of which main.c provides, so the rest is host-tested. main.c is
 * the setup and the loop (sas/server.h).
 *
 * Legacy virtio ("virtio 0.9.5", the transitional device's I/O BAR 0): QEMU's
 * virtio-blk-pci offers it unless disable-legacy=on. Registers, virtqueue layout and
 * request format follow the virtio 1.x specification's "legacy interface" sections.
 */
#ifndef VIRTIO_BLK_H
#define VIRTIO_BLK_H

#include <stdint.h>
#include <l4/types.h>
#include <l4/ipc.h>
#include <sas/errors.h>
#include <sas/layout.h>
#include <sas/proto/blk.h>
#include <sas/server.h>
#include <pci/pci.h>

/* vring.c — one virtqueue in memory (legacy layout), several chains in flight. */
#define VRING_MAX   1024u               /* the most entries a queue may have (ours) */
#define VRING_ALIGN 4096u               /* the used ring's alignment (legacy) */
struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};
_Static_assert(sizeof(struct vring_desc) == 16, "the virtio descriptor's layout");
struct vring_buf {                      /* one descriptor to be: a physical run */
    uint64_t phys;
    uint32_t len;
    uint16_t device_writes;             /* the device writes it (a read's data, a status) */
};
struct vring {
    volatile struct vring_desc *desc;
    volatile uint16_t *avail, *used;    /* flags, idx, ring[]; used: its elements follow */
    uint16_t size, nfree, free_head, avail_idx, used_seen;
    uint16_t chain_len[VRING_MAX];      /* descriptors of the chain with this head; 0: none */
};
/* Bytes a queue of `size` entries takes. */
uint32_t vring_bytes(unsigned size);
/* Lays out an empty queue of `size` (1 .. VRING_MAX) entries at mem (zeroed here). */
void vring_init(struct vring *r, void *mem, unsigned size);
/* Chains b[0..n) and makes it available to the device (no notification): its head, or -1
 * (nothing done) if fewer than n descriptors are free or n is 0. */
int vring_add(struct vring *r, const struct vring_buf *b, unsigned n);
/* The head of the next chain the device has used, whose descriptors are free again; -1 if
 * there is none yet, -2 if the element names no chain of ours (skipped). */
int vring_used(struct vring *r);

/* virtio.c — the device, its request queue and the requests in flight. */
#define VBLK_MORE_DMA 8u
#define VBLK_SLOTS    32u               /* requests in flight at most (their headers) */
#define VBLK_MAX_SEGS (VRING_MAX - 2u)  /* data segments a request may ever have */
struct vblk_dma {
    uint8_t *va;
    uint64_t phys, size;
};
struct vblk_slot {
    uint8_t busy;                       /* submitted, its completion not yet returned */
    uint8_t lost;                       /* given up on (vblk_wait): freed when it completes */
    uint16_t head;                      /* its chain's first descriptor */
    uint32_t type;
    uint64_t bytes;
};
struct vblk {
    uint16_t io;                        /* BAR 0 */
    uint8_t *dma;                       /* SAS_BLK_DMA_ADDR: queue, headers, buffers */
    uint64_t dma_phys;
    struct vblk_dma more[VBLK_MORE_DMA];/* more DMA memory (the cache's frames) */
    unsigned more_hint;                 /* dma.c: the range vblk_phys found last */
    struct vring ring;
    struct vblk_slot slot[VBLK_SLOTS];
    uint8_t slot_of_head[VRING_MAX];
    unsigned inflight;                  /* slots busy and not lost */
    /* The device's limits (its configuration, legacy layout): */
    unsigned max_segs;                  /* data descriptors a request may have (>= 1):
                                         * seg_max if offered, else 1; at most the
                                         * queue's size - 2 */
    uint32_t seg_bytes;                 /* bytes one descriptor may carry: size_max if
                                         * offered; 0: no limit but the field's */
    uint64_t sectors;
    unsigned flags;                     /* BLK_INFO_* */
    uint64_t requests, bytes, flushes;  /* device operations so far */
};
/* Resets and sets up the device with its DMA memory; 0, or SAS_EIO with a log line. */
enum sas_error vblk_init(struct vblk *v, uint16_t io, uint8_t *dma, uint64_t dma_phys);
/* A request's data: n segments (each inside the DMA memory and physically contiguous),
 * moved to or from consecutive sectors from `sector` on; a flush has none. */
struct vblk_seg {
    uint8_t *buf;
    uint32_t len;
};
/* dma.c — DMA memory and descriptors, within the device's limits. */
/* Tells the device layer of more DMA memory: [va, va + size) is at phys. 0 or -1. */
int vblk_add_dma(struct vblk *v, uint8_t *va, uint64_t phys, uint64_t size);
/* The physical address of p, in the DMA memory or in a range vblk_add_dma was told of. */
uint64_t vblk_phys(struct vblk *v, const volatile void *p);
/* The descriptors of the longest prefix of seg[0..n) one request carries, into b (room
 * for max_segs): physically contiguous neighbours joined, each cut at size_max, at most
 * max_segs. Their count; *took is the prefix's length (0 if not even seg[0] fits). */
unsigned vblk_descs(struct vblk *v, const struct vblk_seg *seg, unsigned n,
                    struct vring_buf *b, uint16_t dev_writes, unsigned *took);
/* Whole pages (BLK_PAGE, each its own segment) one request may carry whatever their
 * frames: max_segs, fewer if size_max cuts a page into several descriptors (vblk_descs
 * fits more when frames are physically contiguous). */
static inline unsigned vblk_max_pages(const struct vblk *v)
{
    unsigned per_page = v->seg_bytes && v->seg_bytes < BLK_PAGE
                            ? (BLK_PAGE + v->seg_bytes - 1) / v->seg_bytes : 1;
    unsigned n = v->max_segs / per_page;
    return n ? n : 1;
}
/* Submits one request (VIRTIO_BLK_T_*) without waiting, carrying seg[0..*n) or, if one
 * request carries fewer (vblk_descs), the longest prefix of them that it does: *n becomes
 * how many. *id (< VBLK_SLOTS) names it to vblk_wait. SAS_EBUSY: no room now (a slot, or
 * descriptors for it): wait for one in flight and submit again; never while none is in
 * flight. SAS_EINVAL: the device cannot take even seg[0]. Nothing is submitted on error. */
enum sas_error vblk_submit(struct vblk *v, uint32_t type, uint64_t sector,
                           const struct vblk_seg *seg, unsigned *n, unsigned *id);
/* Waits for a request in flight to complete (any: the device orders nothing): *id is
 * which, the result its status (SAS_OK; SAS_EIO an I/O error; SAS_ENOTSUP). One that does
 * not complete within ~10 s is given up on: SAS_EIO, and its descriptors stay the
 * device's. SAS_EINVAL (*id unset) if none is in flight. */
enum sas_error vblk_wait(struct vblk *v, unsigned *id);
/* One request, waited for: vblk_submit, then vblk_wait until it is back. Only with no
 * other request in flight. SAS_EINVAL if one request cannot carry all n segments. */
enum sas_error vblk_dov(struct vblk *v, uint32_t type, uint64_t sector,
                        const struct vblk_seg *seg, unsigned n);
/* One request of `len` bytes at `buf` (one segment; none if len is 0). */
static inline enum sas_error vblk_do(struct vblk *v, uint32_t type, uint64_t sector,
                                     uint8_t *buf, uint32_t len)
{
    struct vblk_seg s = { buf, len };
    return vblk_dov(v, type, sector, &s, len ? 1 : 0);
}
/* Waits for the device's interrupt or at most a few ms; provided by main.c. */
void vblk_wait_irq(void);
/* Reads (acknowledges) the interrupt status; nonzero if the device interrupted. */
unsigned vblk_isr(struct vblk *v);

#define VIRTIO_BLK_T_IN    0u
#define VIRTIO_BLK_T_OUT   1u
#define VIRTIO_BLK_T_FLUSH 4u

/* ops.c — the requests, as sas/server.h handlers over a struct blk_server. */
/* A client's slot: its buffer is the DMA memory's slot + 1 (ops.c). The slot belongs to the
 * task; the thread that attached it is kept to tell when the client is gone (a task's
 * threads all go when it is deleted), so a slot whose thread no longer exists is
 * reclaimed when a new client finds none free. */
struct blk_client {
    unsigned task;                      /* 0: slot free */
    l4_threadid_t attached_by;
};
/* cache.c and lru.c — the block cache (sas/proto/blk.h: BLK_CACHE_*). */
#define BLK_CACHE_MAX_PAGES (SAS_BLK_CACHE_SIZE / BLK_PAGE)
#define BLK_CACHE_HASH_LOG2 14u         /* buckets: at least twice the entries (lru.c) */
#define BLK_CACHE_BUCKETS   (1u << BLK_CACHE_HASH_LOG2)
#define BLK_CACHE_NIL       0xffffu     /* no entry: an empty bucket, a chain's end */
_Static_assert(BLK_CACHE_BUCKETS >= 2 * BLK_CACHE_MAX_PAGES, "hash buckets for the entries");
_Static_assert(BLK_CACHE_MAX_PAGES < BLK_CACHE_NIL, "an entry's index fits in 16 bits");
#define BLK_CACHE_USE_HEAD  BLK_CACHE_MAX_PAGES   /* the use list's head, in no frame */
/* The entries' bookkeeping is lru.c's: change tag[] only through cache_insert and
 * cache_remove, which keep the hash chains and the use list with it. The use list is a
 * ring through the entries and its head: from the head, older[] leads from the most
 * recently used entry to the least, free entries last, and newer[] back. */
struct blk_cache {
    uint8_t *frames;                    /* SAS_BLK_CACHE_ADDR: npages frames */
    unsigned npages;
    uint64_t tag[BLK_CACHE_MAX_PAGES];  /* device page + 1; 0: the frame is free */
    uint16_t chain[BLK_CACHE_MAX_PAGES];/* the next entry in the same hash bucket */
    uint16_t bucket[BLK_CACHE_BUCKETS]; /* the first entry whose page hashes here */
    uint16_t older[BLK_CACHE_MAX_PAGES + 1], newer[BLK_CACHE_MAX_PAGES + 1];
    uint8_t mapped[BLK_CACHE_MAX_PAGES];/* cache.c: handed out by cache_map since filled */
    uint8_t pinned[BLK_CACHE_MAX_PAGES];/* cache.c: part of the read-ahead being done */
    uint8_t dirty[BLK_CACHE_MAX_PAGES]; /* writeback.c: holds bytes the device has not */
    uint8_t listed[BLK_CACHE_MAX_PAGES];/* writeback.c: in dirty_list */
    uint16_t dirty_list[BLK_CACHE_MAX_PAGES]; /* writeback.c: entries made dirty since the
                                         * last write-back (some dropped since) */
    unsigned nlisted, ndirty;
    enum sas_error wb_error;            /* writeback.c: met by cache_clean, for BLK_FLUSH */
    uint64_t writebacks;                /* write-backs that had pages to write */
    uint64_t hits, misses, evictions;
    uint64_t second_chances;            /* pages kept because a client had touched them */
    uint64_t ra_next;                   /* cache.c: the page a mapped scan would miss next */
    unsigned ra_window;                 /* cache.c: pages its last miss read */
    uint64_t read_ahead;                /* pages read before any client asked for them */
};
struct blk_server {
    struct vblk dev;
    struct blk_client clients[BLK_MAX_CLIENTS];
    struct blk_cache cache;
    unsigned root_task;                 /* root's task: it may FLUSH without attaching */
};
/* Takes the frame (one page) at va back from every task that maps it (fpage_unmap);
 * provided by main.c. */
void vblk_unmap_frame(uint64_t va);
/* Whether a client touched the frame at va through a mapping since the last call (the
 * accessed bits fpage_unmap gathers and resets, removing no rights); main.c. */
int vblk_frame_accessed(uint64_t va);
/* The same for a client's buffer (BLK_BUF_SIZE at va); provided by main.c. */
void vblk_unmap_buffer(uint64_t va);
/* Whether thread t still exists (id_nearest does not call it stale); main.c. */
int vblk_thread_alive(l4_threadid_t t);
/* The task number of the disk's owner in *task, 0 if nobody owns it, as root says now
 * (ROOT_DISK_OWNER, sas/proto/root.h); SAS_OK, or the error that left it unknown; main.c. */
enum sas_error vblk_disk_owner(unsigned *task);
/* Empties the cache (nothing dirty) and makes its first npages (at most
 * BLK_CACHE_MAX_PAGES) entries usable; frames and counters are left as they are. Before
 * any other cache_* call. */
void cache_init(struct blk_cache *c, unsigned npages);
/* The hash bucket of device page pg (exposed for the tests, to make pages collide). */
unsigned cache_bucket(uint64_t pg);
/* The entry caching device page pg, or -1. */
int cache_lookup(const struct blk_cache *c, uint64_t pg);
/* The entry to use next: a free one, else the least recently used (0 if npages is 0). */
unsigned cache_victim(const struct blk_cache *c);
/* Entry i (i < npages) now caches device page pg, which no entry caches, and is the most
 * recently used; the page it cached, if any, is forgotten. */
void cache_insert(struct blk_cache *c, unsigned i, uint64_t pg);
/* Entry i caches nothing from now on and is the first to be reused; nothing if free. */
void cache_remove(struct blk_cache *c, unsigned i);
/* Marks entry i as just used; nothing if it is free. */
void cache_touch(struct blk_cache *c, unsigned i);
/* Forgets entry i (dirty or not), taking its frame back from every client that maps it. */
void cache_drop(struct blk_cache *c, unsigned i);
/* Bytes the cache serves: the device's whole pages; 0 if it has no frames. */
uint64_t cache_bytes(const struct blk_server *s);
/* [off, off + len) (inside cache_bytes) to or from buf; SAS_EIO from the device. */
enum sas_error cache_read(struct blk_server *s, uint64_t off, uint64_t len, uint8_t *buf);
enum sas_error cache_write(struct blk_server *s, uint64_t off, uint64_t len, const uint8_t *buf);
/* The device's bytes [off, off + len) were written around the cache (BLK_WRITE): the
 * cached pages they touch take them from buf, so every view stays coherent; with buf 0
 * (the write failed: what the device holds is unknown) those pages are dropped. */
void cache_written_around(struct blk_server *s, uint64_t off, uint64_t len, const uint8_t *buf);
/* The address of the frame caching the page at off (read in if needed). */
enum sas_error cache_map(struct blk_server *s, uint64_t off, uint64_t *va);
/* runs.c — dirty entries in device order, cut into requests. */
/* Sorts idx[0..n) so that key[idx[k]] ascend (stable); tmp has room for n entries. */
void runs_sort(uint16_t *idx, uint16_t *tmp, unsigned n, const uint64_t *key);
/* How many of idx[0..n) (sorted) one request from idx[0] on takes: entries whose keys
 * follow each other by 1 (consecutive pages), at most max; 0 if n is 0. */
unsigned runs_take(const uint16_t *idx, unsigned n, const uint64_t *key, unsigned max);
/* writeback.c — dirty pages and their write-back (sas/proto/blk.h: the rules). */
/* Entry i holds bytes the device has not: written back by the next write-back. */
void cache_dirty(struct blk_cache *c, unsigned i);
/* Entry i's frame is what the device holds (again); nothing if it was not dirty. */
void cache_clean_entry(struct blk_cache *c, unsigned i);
/* Writes every dirty page to the device in requests of consecutive pages as long as the
 * device takes, several in flight, and returns once all have completed: SAS_OK, or
 * SAS_EIO if any failed (its pages are dropped). */
enum sas_error cache_writeback(struct blk_server *s);
/* cache_writeback on the cache's own behalf: an error is kept for cache_take_error. */
void cache_clean(struct blk_server *s);
/* cache_clean if any page of the device's bytes [off, off + len) is dirty. */
void cache_clean_range(struct blk_server *s, uint64_t off, uint64_t len);
/* The error cache_clean met since the last call (then forgotten), or SAS_OK. */
enum sas_error cache_take_error(struct blk_cache *c);
/* The requests' label table (ops.c), for sas/server.h with a struct blk_server as state. */
extern const struct server_op blk_ops[];
extern const unsigned blk_nops;
/* server_run's reply_failed hook (ops.c): a refused map item is answered SAS_ENOMEM. */
enum server_action blk_reply_failed(void *state, struct server_msg *msg, unsigned err);

#endif
