# Host test of tools/bootcheck, the boot-archive check, with lib/'s cpio and ELF readers
# compiled in (not ell_host) so that ASan and UBSan instrument them too.
set(BOOTCHECK_DIR ${ELLFOUR_ROOT}/tools/bootcheck)
unit_test(bootcheck_test test_bootcheck.c ${BOOTCHECK_DIR}/bootcheck.c
          ${ELLFOUR_ROOT}/lib/cpio.c ${ELLFOUR_ROOT}/lib/elf64.c)
target_include_directories(bootcheck_test PRIVATE ${BOOTCHECK_DIR} ${ELLFOUR_ROOT}/lib/include
                           ${ELLFOUR_ROOT}/sasos/include ${ELLFOUR_ROOT}/l4kern/include)
set(bootcheck_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_compile_options(bootcheck_test PRIVATE ${bootcheck_san})
target_link_options(bootcheck_test PRIVATE ${bootcheck_san})
