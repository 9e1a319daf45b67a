# objmgr's host tests (tests/unit/CMakeLists.txt includes this file).
unit_test(objmgr_test test_objmgr.c LIBS objmgr)
# The objmgr server's logic (objmgr/server/osrv_*.c, no IPC) over real persist and capstore
# libraries, with capstore's records coming back through a log as its server's do. Sanitized.
set(OSRV_DIR ${ELLFOUR_ROOT}/objmgr/server)
unit_test(objmgr_osrv test_objmgr_server.c ${OSRV_DIR}/osrv_state.c ${OSRV_DIR}/osrv_store.c
          ${OSRV_DIR}/osrv_fault.c ${OSRV_DIR}/osrv_queue.c ${OSRV_DIR}/osrv_share.c
          ${OSRV_DIR}/osrv_ops.c ${ELLFOUR_ROOT}/sasos/lib/server/dispatch.c
          LIBS objmgr capstore persist)
set(osrv_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_compile_options(objmgr_osrv PRIVATE ${osrv_san})
target_link_options(objmgr_osrv PRIVATE ${osrv_san})
