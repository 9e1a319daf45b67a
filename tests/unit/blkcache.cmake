# Host tests of the virtio-blk driver's logic (sasos/virtio_blk), sanitized:
#   blkcache  the cache's bookkeeping (lru.c), the cache itself (cache.c) and its write-back
#             (writeback.c, runs.c), whose device (vblk_dov, vblk_submit, vblk_wait) and
#             unmap (vblk_unmap_frame) the test fakes;
#   blkops    the requests (ops.c, through its label table and sas/server.h's step) over
#             the real cache: client slots, checks, coherence with write-back;
#   blkring   the virtqueue's bookkeeping (vring.c) against a fake device on its rings;
#   blkruns   dirty pages sorted and cut into requests (runs.c);
#   blkdma    physical addresses and a request's descriptors within the device's limits
#             (dma.c).
set(VBLK_DIR ${ELLFOUR_ROOT}/sasos/virtio_blk)
set(blk_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
function(vblk_unit_test name)
    unit_test(${name} ${ARGN})
    target_include_directories(${name} PRIVATE ${VBLK_DIR} ${ELLFOUR_ROOT}/sasos/include
                               ${ELLFOUR_ROOT}/sasos/lib ${ELLFOUR_ROOT}/lib/include
                               ${ELLFOUR_ROOT}/l4kern/include)
    target_compile_options(${name} PRIVATE ${blk_san})
    target_link_options(${name} PRIVATE ${blk_san})
endfunction()
set(VBLK_CACHE ${VBLK_DIR}/cache.c ${VBLK_DIR}/lru.c ${VBLK_DIR}/runs.c ${VBLK_DIR}/writeback.c)
vblk_unit_test(blkcache test_blkcache.c ${VBLK_CACHE})
vblk_unit_test(blkops test_blkops.c ${VBLK_DIR}/ops.c ${VBLK_CACHE}
               ${ELLFOUR_ROOT}/sasos/lib/server/dispatch.c)
vblk_unit_test(blkring test_blkring.c ${VBLK_DIR}/vring.c)
vblk_unit_test(blkruns test_blkruns.c ${VBLK_DIR}/runs.c)
vblk_unit_test(blkdma test_blkdma.c ${VBLK_DIR}/dma.c)
