# objmgr's host tests (tests/unit/CMakeLists.txt includes this file).
unit_test(test_objmgr test_objmgr.c LIBS objmgr)
