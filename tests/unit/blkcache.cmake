# Host tests of the virtio-blk driver's logic (sasos/virtio_blk), sanitized:
#   blkcache  the cache's bookkeeping (lru.c) and the cache itself (cache.c), whose device
#             (vblk_dov) and unmap (vblk_unmap_frame) the test fakes;
#   blkops    the requests (ops.c, through its label table and sas/server.h's step) over
#             the real cache: client slots, checks.
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
vblk_unit_test(blkcache test_blkcache.c ${VBLK_DIR}/cache.c ${VBLK_DIR}/lru.c)
vblk_unit_test(blkops test_blkops.c ${VBLK_DIR}/ops.c ${VBLK_DIR}/cache.c ${VBLK_DIR}/lru.c
               ${ELLFOUR_ROOT}/sasos/lib/server/dispatch.c)
