# Host tests of the block cache (sasos/virtio_blk): its bookkeeping (lru.c) and the cache
# itself (cache.c), whose device (vblk_do) and unmap (vblk_unmap_frame) the test fakes.
# Sanitized.
set(VBLK_DIR ${ELLFOUR_ROOT}/sasos/virtio_blk)
unit_test(blkcache test_blkcache.c ${VBLK_DIR}/cache.c ${VBLK_DIR}/lru.c)
target_include_directories(blkcache PRIVATE ${VBLK_DIR} ${ELLFOUR_ROOT}/sasos/include
                           ${ELLFOUR_ROOT}/l4kern/include)
set(blkcache_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_compile_options(blkcache PRIVATE ${blkcache_san})
target_link_options(blkcache PRIVATE ${blkcache_san})
