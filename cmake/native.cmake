# Native user programs (sigma0, root, drivers, the in-guest test runner): freestanding C
# with the L4 stubs, statically linked at an address the build assigns from sas/layout.h.
#   native_program(NAME ADDRESS SOURCES...)
set(NATIVE_CFLAGS -ffreestanding -fno-pie -fno-pic -fno-stack-protector
    -fno-omit-frame-pointer -nostdinc -isystem ${GCC_INCLUDE_DIR})

function(native_program name address)
    add_executable(${name} ${ARGN})
    target_compile_options(${name} PRIVATE ${NATIVE_CFLAGS})
    target_link_options(${name} PRIVATE -nostdlib -static -no-pie -Wl,--build-id=none
        -Wl,-z,max-page-size=0x1000 -Wl,-Ttext-segment=${address})
    target_link_libraries(${name} PRIVATE native_rt gcc)
endfunction()

# pack_boot_archive(OUTPUT NAME=TARGET...): a boot archive (cpio newc, tools/mkbootar)
# holding each TARGET's executable under NAME, rebuilt when any of them changes.
function(pack_boot_archive output)
    set(members)
    set(targets)
    foreach(pair ${ARGN})
        string(REPLACE "=" ";" parts ${pair})
        list(GET parts 0 name)
        list(GET parts 1 target)
        list(APPEND members "${name}=$<TARGET_FILE:${target}>")
        list(APPEND targets ${target})
    endforeach()
    get_filename_component(dir ${output} DIRECTORY)
    get_filename_component(file ${output} NAME)
    add_custom_command(OUTPUT ${output}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
        COMMAND mkbootar ${output} ${members}
        DEPENDS mkbootar ${targets}
        COMMENT "Packing ${file}")
endfunction()
