# Host tests of the POSIX personality's pure logic (sasos/posix/posix.h): the region table,
# the descriptor table, flag translation and the initial stack; mmap's addresses taken
# from the table's gaps (posix_vspace). Sanitized.
set(POSIX_DIR ${ELLFOUR_ROOT}/sasos/posix)
unit_test(posix test_posix.c ${POSIX_DIR}/regions.c ${POSIX_DIR}/fdtable.c
          ${POSIX_DIR}/flags.c ${POSIX_DIR}/initstack.c)
unit_test(posix_vspace test_posix_vspace.c ${POSIX_DIR}/regions.c)
# futex.c with stubs for its IPC (posix_answer) and user-memory check (mapper_user).
unit_test(posix_futex test_futex.c ${POSIX_DIR}/futex.c)
target_include_directories(posix_futex PRIVATE ${ELLFOUR_ROOT}/sasos/include
                           ${ELLFOUR_ROOT}/lib/include)
set(posix_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
foreach(t posix posix_vspace posix_futex)
    target_include_directories(${t} PRIVATE ${POSIX_DIR} ${ELLFOUR_ROOT}/l4kern/include)
    target_compile_options(${t} PRIVATE ${posix_san})
    target_link_options(${t} PRIVATE ${posix_san})
endforeach()
