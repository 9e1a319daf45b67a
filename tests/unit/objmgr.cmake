# objmgr's host tests (tests/unit/CMakeLists.txt includes this file).
unit_test(objmgr_test test_objmgr.c LIBS objmgr)
