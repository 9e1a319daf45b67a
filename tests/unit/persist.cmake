# persist's host tests (tests/unit/CMakeLists.txt includes this file).
unit_test(persist_test test_persist.c LIBS persist)

# Crash atomicity: Debian's liblmdb.a is linked with its write calls wrapped, so the test
# can end a committing child right after its N-th write, for every N.
unit_test(persist_atomic_test test_persist_atomic.c LIBS persist)
target_link_options(persist_atomic_test PRIVATE
    -Wl,--wrap=pwrite,--wrap=write,--wrap=writev,--wrap=fdatasync,--wrap=fsync)
