# Host test of the servers' receive loop (sas/server.h): its step, dispatch.c, which makes
# no IPC; server.c, the half that does, is exercised in QEMU by every server. Sanitized.
set(SERVER_DIR ${ELLFOUR_ROOT}/sasos/lib/server)
unit_test(server test_server.c ${SERVER_DIR}/dispatch.c)
target_include_directories(server PRIVATE ${ELLFOUR_ROOT}/sasos/include
                           ${ELLFOUR_ROOT}/l4kern/include)
set(server_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_compile_options(server PRIVATE ${server_san})
target_link_options(server PRIVATE ${server_san})
