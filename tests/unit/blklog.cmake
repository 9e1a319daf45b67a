# Host tests of tools/blklog: the blklogwrites log reader and the flush-point replay, on
# logs synthesized in QEMU's layout. Sanitized.
unit_test(blklog_test test_blklog.c LIBS blklog)
set(blklog_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_compile_options(blklog_test PRIVATE ${blklog_san})
target_link_options(blklog_test PRIVATE ${blklog_san})
