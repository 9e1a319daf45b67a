# Host test of the console driver's line discipline (sasos/console/ldisc.c: no IPC, no
# hardware). Sanitized.
unit_test(ldisc test_ldisc.c ${ELLFOUR_ROOT}/sasos/console/ldisc.c)
target_include_directories(ldisc PRIVATE ${ELLFOUR_ROOT}/sasos/console
                           ${ELLFOUR_ROOT}/sasos/include ${ELLFOUR_ROOT}/l4kern/include)
set(ldisc_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_compile_options(ldisc PRIVATE ${ldisc_san})
target_link_options(ldisc PRIVATE ${ldisc_san})
