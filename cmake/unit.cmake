# Host unit tests (cmocka). One executable per module: tests/unit/test_<module>.c.
# Debian ships no CMake package for cmocka: use its header and library directly.
find_path(CMOCKA_INCLUDE_DIR cmocka.h REQUIRED)
find_library(CMOCKA_LIBRARIES cmocka REQUIRED)

# unit_test(NAME SOURCES... [LIBS libs...]) — builds NAME and registers ctest "unit.NAME".
function(unit_test name)
    cmake_parse_arguments(U "" "" "LIBS" ${ARGN})
    add_executable(${name} ${U_UNPARSED_ARGUMENTS})
    target_include_directories(${name} PRIVATE ${CMOCKA_INCLUDE_DIR})
    target_link_libraries(${name} PRIVATE ${CMOCKA_LIBRARIES} ${U_LIBS})
    add_test(NAME unit.${name} COMMAND ${name})
endfunction()
