# Host tests of the POSIX personality's pure logic (sasos/posix/posix.h): the region table,
# the descriptor table, flag translation and the initial stack. Sanitized.
set(POSIX_DIR ${ELLFOUR_ROOT}/sasos/posix)
unit_test(posix test_posix.c ${POSIX_DIR}/regions.c ${POSIX_DIR}/fdtable.c
          ${POSIX_DIR}/flags.c ${POSIX_DIR}/initstack.c)
target_include_directories(posix PRIVATE ${POSIX_DIR} ${ELLFOUR_ROOT}/l4kern/include)
set(posix_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_compile_options(posix PRIVATE ${posix_san})
target_link_options(posix PRIVATE ${posix_san})
