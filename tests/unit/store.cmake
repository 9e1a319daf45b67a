# ellfour-store's end-to-end and damage tests (tests/unit/CMakeLists.txt includes this).
unit_test(store_test test_store.c LIBS objmgr persist)
target_compile_definitions(store_test PRIVATE
    STORE_TOOL="$<TARGET_FILE:ellfour-store>")
add_dependencies(store_test ellfour-store)
