# Native user programs (sigma0, root, drivers, the in-guest test runner): freestanding C
# with the L4 stubs, statically linked at the base of their window in sas/layout.h.
#   native_program(NAME WINDOW W SOURCES...)
# links NAME at SAS_WIN_<W>_BASE; tools/bootcheck checks, in every boot archive, that the
# image lies inside window W (W's name in SAS_WINDOWS is the member name it is packed as).
set(NATIVE_CFLAGS -ffreestanding -fno-pie -fno-pic -fno-stack-protector
    -fno-omit-frame-pointer -nostdinc -isystem ${GCC_INCLUDE_DIR})

# The windows' bases, read once from sas/layout.h: SAS_WIN_<W>_BASE for every
# "#define SAS_WIN_<W>_BASE 0x..." line. Editing the header reconfigures.
set(SAS_LAYOUT_H ${ELLFOUR_ROOT}/sasos/include/sas/layout.h)
set_property(DIRECTORY ${ELLFOUR_ROOT} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SAS_LAYOUT_H})
file(STRINGS ${SAS_LAYOUT_H} sas_win_lines
     REGEX "^#define SAS_WIN_[A-Z0-9_]+_BASE[ \t]+0x[0-9a-fA-F]+")
foreach(line ${sas_win_lines})
    string(REGEX MATCH "^#define SAS_WIN_([A-Z0-9_]+)_BASE[ \t]+(0x[0-9a-fA-F]+)" _ "${line}")
    set(SAS_WIN_${CMAKE_MATCH_1}_BASE ${CMAKE_MATCH_2})
endforeach()
if(NOT SAS_WIN_ROOT_BASE)
    message(FATAL_ERROR "no SAS_WIN_<W>_BASE read from ${SAS_LAYOUT_H}")
endif()

function(native_program name window_kw window)
    if(NOT window_kw STREQUAL "WINDOW" OR NOT DEFINED SAS_WIN_${window}_BASE)
        message(FATAL_ERROR "native_program(${name} WINDOW W ...): W must name a window of "
                            "sas/layout.h (SAS_WIN_<W>_BASE), not '${window_kw} ${window}'")
    endif()
    add_executable(${name} ${ARGN})
    target_compile_options(${name} PRIVATE ${NATIVE_CFLAGS})
    target_link_options(${name} PRIVATE -nostdlib -static -no-pie -Wl,--build-id=none
        -Wl,-z,max-page-size=0x1000 -Wl,-Ttext-segment=${SAS_WIN_${window}_BASE})
    target_link_libraries(${name} PRIVATE native_rt gcc)
    # What pack_boot_archive packs, as for musl programs (cmake/musl.cmake).
    set_target_properties(${name} PROPERTIES ELLFOUR_FILE $<TARGET_FILE:${name}>)
endfunction()

# pack_boot_archive(OUTPUT NAME=WHAT...): a boot archive (cpio newc, tools/mkbootar)
# holding each WHAT under NAME, rebuilt when any of them changes. WHAT is a program's
# target (native_program or ellfour_program: its ELLFOUR_FILE) or an absolute path.
# Every archive is checked by tools/bootcheck before it takes the output's name: each
# native image inside its window (sas/layout.h), musl programs in distinct slots.
function(pack_boot_archive output)
    set(members)
    set(depends)
    foreach(pair ${ARGN})
        string(REPLACE "=" ";" parts ${pair})
        list(GET parts 0 name)
        list(GET parts 1 what)
        if(IS_ABSOLUTE ${what})
            list(APPEND members "${name}=${what}")
            list(APPEND depends ${what})
        else()
            # A native program's ELLFOUR_FILE is itself $<TARGET_FILE:...>: evaluated here.
            set(path $<TARGET_GENEX_EVAL:${what},$<TARGET_PROPERTY:${what},ELLFOUR_FILE>>)
            list(APPEND members "${name}=${path}")
            list(APPEND depends ${what} ${path})
        endif()
    endforeach()
    get_filename_component(dir ${output} DIRECTORY)
    get_filename_component(file ${output} NAME)
    add_custom_command(OUTPUT ${output}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
        COMMAND mkbootar ${output}.unchecked ${members}
        COMMAND bootcheck ${output}.unchecked
        COMMAND ${CMAKE_COMMAND} -E rename ${output}.unchecked ${output}
        DEPENDS mkbootar bootcheck ${depends}
        COMMENT "Packing ${file}")
endfunction()
