# The kernel's host tests (tests/unit/CMakeLists.txt includes this file). The kernel's pure
# files are compiled straight into each test with the kernel's own headers; what the host's
# libc already provides (memcmp, strlen, ...) is the libc's.
set(L4K ${ELLFOUR_ROOT}/l4kern)

# kernel_unit_test(NAME SOURCES... [SANITIZE]) — unit_test() plus the kernel's include
# directories and L4_KERNEL; SANITIZE adds ASan+UBSan, aborting on the first report.
function(kernel_unit_test name)
    cmake_parse_arguments(K "SANITIZE" "" "" ${ARGN})
    unit_test(${name} ${K_UNPARSED_ARGUMENTS})
    target_include_directories(${name} PRIVATE ${L4K}/include ${L4K}/src/include
                               ${ELLFOUR_ROOT}/lib/include)
    target_compile_definitions(${name} PRIVATE L4_KERNEL)
    if(K_SANITIZE)
        set(san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
        target_compile_options(${name} PRIVATE ${san})
        target_link_options(${name} PRIVATE ${san})
    endif()
endfunction()

kernel_unit_test(runq test_runq.c ${L4K}/src/kernel/runq.c SANITIZE)
kernel_unit_test(threadid test_threadid.c SANITIZE)
kernel_unit_test(ipcabi test_ipcabi.c ${L4K}/src/kernel/timeout.c SANITIZE)
kernel_unit_test(mapdb test_mapdb.c ${L4K}/src/kernel/mapdb.c SANITIZE)
kernel_unit_test(fpage test_fpage.c SANITIZE)

# lib/ (shared by the kernel, native programs and host tools), sanitized; ell_host is not
# used so that ASan and UBSan instrument the sources under test too.
set(ELL ${ELLFOUR_ROOT}/lib)
kernel_unit_test(cpio test_cpio.c ${ELL}/cpio.c SANITIZE)
kernel_unit_test(elf64 test_elf64.c ${ELL}/elf64.c SANITIZE)
kernel_unit_test(kformat test_kformat.c ${ELL}/kformat.c SANITIZE)
