/*
 * virtio_blk.h — the virtio-blk driver's parts: PCI configuration through ports
 * 0xcf8/0xcfc (pci.c), the legacy virtio device with one virtqueue (virtio.c) and the
 * requests of sas/proto/blk.h (ops.c: no IPC in them; the device waits through
 * vblk_wait_irq, the cache takes frames back through vblk_unmap_frame, both of which
 * main.c provides). main.c is the setup and the loop (sas/server.h).
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

/* virtio.c — the device and its one request queue. */
#define VBLK_MORE_DMA 8u
struct vblk_dma {
    uint8_t *va;
    uint64_t phys, size;
};
struct vblk {
    uint16_t io;                        /* BAR 0 */
    uint8_t *dma;                       /* SAS_BLK_DMA_ADDR: queue, headers, buffers */
    uint64_t dma_phys;
    struct vblk_dma more[VBLK_MORE_DMA];/* more DMA memory (the cache's frames) */
    uint16_t qsize, avail_idx, used_seen;
    unsigned max_segs;                  /* data segments a request may have (>= 1) */
    uint64_t sectors;
    unsigned flags;                     /* BLK_INFO_* */
    uint64_t requests, bytes, flushes;  /* device operations so far */
};
/* Resets and sets up the device with its DMA memory; 0, or SAS_EIO with a log line. */
enum sas_error vblk_init(struct vblk *v, uint16_t io, uint8_t *dma, uint64_t dma_phys);
/* Tells the device layer of more DMA memory: [va, va + size) is at phys. 0 or -1. */
int vblk_add_dma(struct vblk *v, uint8_t *va, uint64_t phys, uint64_t size);
/* One request (VIRTIO_BLK_T_*) whose data are n segments (at most max_segs, each inside
 * the DMA memory and physically contiguous), moved to or from consecutive sectors from
 * `sector` on; a flush has none. */
#define VBLK_MAX_SEGS (BLK_BUF_SIZE / BLK_PAGE)   /* a client buffer's worth of pages */
struct vblk_seg {
    uint8_t *buf;
    uint32_t len;
};
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
    uint8_t pinned[BLK_CACHE_MAX_PAGES];/* cache.c: part of the write being batched */
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
/* Empties the cache and makes its first npages (at most BLK_CACHE_MAX_PAGES) entries
 * usable; frames and counters are left as they are. Before any other cache_* call. */
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
/* The requests' label table (ops.c), for sas/server.h with a struct blk_server as state. */
extern const struct server_op blk_ops[];
extern const unsigned blk_nops;

#endif
