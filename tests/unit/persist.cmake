# persist's host tests (tests/unit/CMakeLists.txt includes this file).
unit_test(persist_test test_persist.c LIBS persist)

# Crash atomicity: Debian's liblmdb.a is linked with its write calls wrapped, so the test
# can end a committing child right after its N-th write, for every N.
unit_test(persist_atomic_test test_persist_atomic.c LIBS persist)
target_link_options(persist_atomic_test PRIVATE
    -Wl,--wrap=pwrite,--wrap=write,--wrap=writev,--wrap=fdatasync,--wrap=fsync)

# The benchmark workloads of bench/sas/run.sh (callgrind; not run by ctest at full size).
# ctest runs each mode once at a tiny size so the script cannot rot unnoticed.
add_executable(sasbench ${ELLFOUR_ROOT}/bench/sas/sasbench.c)
target_link_libraries(sasbench PRIVATE objmgr persist)
add_test(NAME unit.persist_bench_smoke COMMAND sh -c
    "$<TARGET_FILE:sasbench> create 100 && $<TARGET_FILE:sasbench> lookup 100 && $<TARGET_FILE:sasbench> commit 8 10 /tmp && $<TARGET_FILE:sasbench> update 1 10 /tmp")

# The persist server's requests (persist/server/psrv_ops.c through its label table and
# sas/server.h's step) over a store in a temporary file; fakes for root and the kernel.
# Sanitized: the fuzz of malformed requests must not read or write past any buffer.
set(PSRV_DIR ${ELLFOUR_ROOT}/persist/server)
unit_test(persist_server test_persist_server.c ${PSRV_DIR}/psrv_ops.c ${PSRV_DIR}/psrv_cursor.c
          ${ELLFOUR_ROOT}/sasos/lib/server/dispatch.c LIBS persist)
target_include_directories(persist_server PRIVATE ${PSRV_DIR} ${ELLFOUR_ROOT}/persist/src)
set(psrv_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_compile_options(persist_server PRIVATE ${psrv_san})
target_link_options(persist_server PRIVATE ${psrv_san})
