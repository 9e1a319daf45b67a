# Host tests of the block cache's bookkeeping (sasos/virtio_blk/lru.c). Sanitized.
set(VBLK_DIR ${ELLFOUR_ROOT}/sasos/virtio_blk)
unit_test(blkcache test_blkcache.c ${VBLK_DIR}/lru.c)
target_include_directories(blkcache PRIVATE ${VBLK_DIR} ${ELLFOUR_ROOT}/sasos/include
                           ${ELLFOUR_ROOT}/l4kern/include)
set(blkcache_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_compile_options(blkcache PRIVATE ${blkcache_san})
target_link_options(blkcache PRIVATE ${blkcache_san})
