# persist's host tests (tests/unit/CMakeLists.txt includes this file).
unit_test(persist_test test_persist.c LIBS persist)
