/*
 * virtio_blk.h — the virtio-blk driver's parts: PCI configuration through ports
 * 0xcf8/0xcfc (pci.c), the legacy virtio device with one virtqueue (virtio.c) and the
 * requests of sas/proto/blk.h (ops.c: no IPC in them; the device waits through
 * vblk_wait_irq, which main.c provides). main.c is the receive loop.
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
#include <sas/proto/blk.h>
#include "pci.h"

/* virtio.c — the device and its one request queue. */
struct vblk {
    uint16_t io;                        /* BAR 0 */
    uint8_t *dma;                       /* SAS_BLK_DMA_ADDR: queue, headers, buffers */
    uint64_t dma_phys;
    uint16_t qsize, avail_idx, used_seen;
    uint64_t sectors;
    unsigned flags;                     /* BLK_INFO_* */
    uint64_t requests, bytes, flushes;  /* device operations so far */
};
/* Resets and sets up the device with its DMA memory; 0, or SAS_EIO with a log line. */
enum sas_error vblk_init(struct vblk *v, uint16_t io, uint8_t *dma, uint64_t dma_phys);
/* One request (VIRTIO_BLK_T_*) of `len` bytes at `buf` (inside the DMA memory). */
enum sas_error vblk_do(struct vblk *v, uint32_t type, uint64_t sector, uint8_t *buf,
                       uint32_t len);
/* Waits for the device's interrupt or at most a few ms; provided by main.c. */
void vblk_wait_irq(void);
/* Reads (acknowledges) the interrupt status; nonzero if the device interrupted. */
unsigned vblk_isr(struct vblk *v);

#define VIRTIO_BLK_T_IN    0u
#define VIRTIO_BLK_T_OUT   1u
#define VIRTIO_BLK_T_FLUSH 4u

/* ops.c — the requests. Each fills the reply and its tag; `from` is the caller. */
struct blk_client {
    unsigned task;                      /* 0: slot free */
};
struct blk_server {
    struct vblk dev;
    struct blk_client clients[BLK_MAX_CLIENTS];
};
void blk_op(struct blk_server *s, l4_threadid_t from, l4_msgtag_t tag, l4_msg_t *m,
            l4_msgtag_t *out);

#endif
