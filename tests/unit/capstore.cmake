# capstore's host unit tests: capabilities (format, tags, attenuation, revocation) and
# protection domains (lists, locking, the access check and its cache).
unit_test(capstore_cap ${CMAKE_CURRENT_LIST_DIR}/test_capstore_cap.c LIBS capstore)
unit_test(capstore_domain ${CMAKE_CURRENT_LIST_DIR}/test_capstore_domain.c LIBS capstore)
# Over persist in a real image, and read back by ellfour-store's `domains` and `check`.
unit_test(capstore_image ${CMAKE_CURRENT_LIST_DIR}/test_capstore_persist.c
          LIBS capstore_persist)
target_compile_definitions(capstore_image PRIVATE STORE_TOOL="$<TARGET_FILE:ellfour-store>")
add_dependencies(capstore_image ellfour-store)
# The callgrind benchmark (bench/caps/run.sh); ctest runs it once, small and natively,
# to prove that the paths it measures still give the answers it expects.
add_executable(capbench ${ELLFOUR_ROOT}/bench/caps/capbench.c)
target_link_libraries(capbench PRIVATE capstore)
target_compile_options(capbench PRIVATE -fno-optimize-sibling-calls -fno-ipa-icf -fno-ipa-cp)
add_test(NAME unit.capstore_bench_smoke COMMAND capbench 100)
# The capstore server's requests and its log (capstore/server: csrv_ops.c, csrv_log.c,
# through the servers' step, dispatch.c), with root, the kernel and persist faked; sanitized.
set(CSRV_DIR ${ELLFOUR_ROOT}/capstore/server)
unit_test(capstore_server ${CMAKE_CURRENT_LIST_DIR}/test_capstore_server.c
          ${CSRV_DIR}/csrv_log.c ${CSRV_DIR}/csrv_ops.c
          ${ELLFOUR_ROOT}/sasos/lib/server/dispatch.c LIBS capstore)
target_include_directories(capstore_server PRIVATE ${CSRV_DIR} ${ELLFOUR_ROOT}/capstore/src)
set(csrv_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_compile_options(capstore_server PRIVATE ${csrv_san})
target_link_options(capstore_server PRIVATE ${csrv_san})
