# musl programs: static PIEs from Debian's musl (libc.a as shipped, rcrt1.o) and Debian's
# static archives, placed by root's loader at a slot of their own (sas/layout.h).
#   ellfour_program(NAME SOURCES a.c ... [LIBS sodium lmdb sas] [DEFINES X=1 ...]
#                   [INCLUDES dirs...] [DEPENDS files...])
# makes the custom target NAME; its executable's path is the target property
# ELLFOUR_FILE, which pack_boot_archive (cmake/native.cmake) packs for a member NAME=NAME
# and depends on, with the target, so the archive is rebuilt when the program changes.
# Slots are numbered in the order programs are declared; the number travels in an "Ell4"
# ELF note, so the address is the build's choice and no two programs ever share one. It is
# the program's home slot: root puts a second instance in a boot elsewhere (docs/SAS.md).
set(MUSL_DIR /usr/lib/x86_64-linux-musl)
set(MUSL_INCLUDE /usr/include/x86_64-linux-musl)
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-libgcc-file-name
                OUTPUT_VARIABLE MUSL_PROGRAM_LIBGCC OUTPUT_STRIP_TRAILING_WHITESPACE)
find_library(ELLFOUR_SODIUM_A libsodium.a)
find_library(ELLFOUR_LMDB_A liblmdb.a)
set(MUSL_PROGRAM_CFLAGS -std=gnu11 -O2 -g -Wall -Wextra -fPIE -D_GNU_SOURCE
    -nostdinc -isystem ${MUSL_INCLUDE} -isystem ${GCC_INCLUDE_DIR} -idirafter /usr/include
    -I${ELLFOUR_ROOT}/sasos/include -I${ELLFOUR_ROOT}/l4kern/include
    -I${ELLFOUR_ROOT}/capstore/include)
# <sas.h>, the single address space's client library: its source, compiled into each
# program that lists LIBS sas, with capstore's offline half (cap_derive and the canonical
# form: cap_tag.c, cap_form.c) and Debian's libsodium for derivation's nonces (objects are
# named by the file's basename, so such a program must have no file of those names).
set(MUSL_SAS_SOURCE ${ELLFOUR_ROOT}/sasos/lib/sas/client.c
    ${ELLFOUR_ROOT}/capstore/src/cap_tag.c ${ELLFOUR_ROOT}/capstore/src/cap_form.c)
# Debian's archives call three glibc fortify entry points musl lacks (DESIGN.md §8).
set(MUSL_FORTIFY_SOURCE ${ELLFOUR_ROOT}/sasos/lib/musl/fortify.c)
set_property(GLOBAL PROPERTY ELLFOUR_NEXT_SLOT 0)

# Compiles src for musl into ${dir}; the object's path in ${out}.
function(musl_compile src dir defines includes depends out)
    get_filename_component(base ${src} NAME_WE)
    set(obj ${dir}/${base}.o)
    set(defs)
    foreach(d ${defines})
        list(APPEND defs -D${d})
    endforeach()
    foreach(i ${includes})
        list(APPEND defs -I${i})
    endforeach()
    add_custom_command(OUTPUT ${obj}
        COMMAND ${CMAKE_C_COMPILER} ${MUSL_PROGRAM_CFLAGS} ${defs} -MD -MF ${obj}.d
                -c ${src} -o ${obj}
        DEPENDS ${src} ${depends} DEPFILE ${obj}.d
        COMMENT "musl: ${base}.c" VERBATIM)
    set(${out} ${obj} PARENT_SCOPE)
endfunction()

# The note carrying the program's slot number (root/loader.c reads it).
function(musl_slot_note name dir out)
    get_property(slot GLOBAL PROPERTY ELLFOUR_NEXT_SLOT)
    math(EXPR next "${slot} + 1")
    set_property(GLOBAL PROPERTY ELLFOUR_NEXT_SLOT ${next})
    file(CONFIGURE OUTPUT ${dir}/slot_note.S CONTENT
"/* ${name}: program slot ${slot} (sas/layout.h: SAS_NOTE_SLOT) */
    .section .note.ellfour, \"a\", @note
    .balign 4
    .long 5, 4, 1
    .asciz \"Ell4\"
    .balign 4
    .long ${slot}
    .section .note.GNU-stack, \"\", @progbits
")
    set(obj ${dir}/slot_note.o)
    add_custom_command(OUTPUT ${obj}
        COMMAND ${CMAKE_C_COMPILER} -c ${dir}/slot_note.S -o ${obj}
        DEPENDS ${dir}/slot_note.S VERBATIM)
    set(${out} ${obj} PARENT_SCOPE)
endfunction()

function(ellfour_program name)
    cmake_parse_arguments(P "" "" "SOURCES;LIBS;DEFINES;INCLUDES;DEPENDS" ${ARGN})
    set(dir ${CMAKE_CURRENT_BINARY_DIR}/${name}.musl)
    file(MAKE_DIRECTORY ${dir})
    set(objs)
    set(archives)
    set(sources ${P_SOURCES})
    foreach(lib ${P_LIBS})
        if(lib STREQUAL "sodium")
            list(APPEND archives ${ELLFOUR_SODIUM_A})
        elseif(lib STREQUAL "lmdb")
            list(APPEND archives ${ELLFOUR_LMDB_A})
        elseif(lib STREQUAL "sas")
            list(APPEND sources ${MUSL_SAS_SOURCE})
            list(APPEND archives ${ELLFOUR_SODIUM_A})
            list(APPEND P_INCLUDES ${ELLFOUR_ROOT}/capstore/src)
        else()
            message(FATAL_ERROR "ellfour_program(${name}): unknown library ${lib}")
        endif()
    endforeach()
    if(archives)
        list(APPEND sources ${MUSL_FORTIFY_SOURCE})
    endif()
    foreach(src ${sources})
        get_filename_component(abs ${src} ABSOLUTE)
        musl_compile(${abs} ${dir} "${P_DEFINES}" "${P_INCLUDES}" "${P_DEPENDS}" obj)
        list(APPEND objs ${obj})
    endforeach()
    musl_slot_note(${name} ${dir} note)
    set(exe ${CMAKE_CURRENT_BINARY_DIR}/${name})
    add_custom_command(OUTPUT ${exe}
        COMMAND ${CMAKE_C_COMPILER} -static-pie -nostdlib -Wl,-z,max-page-size=0x1000
                -Wl,--build-id=none -o ${exe} ${MUSL_DIR}/rcrt1.o ${MUSL_DIR}/crti.o
                ${objs} ${note} ${archives} ${MUSL_DIR}/libc.a ${MUSL_PROGRAM_LIBGCC}
                ${MUSL_DIR}/crtn.o
        DEPENDS ${objs} ${note}
        COMMENT "musl: linking ${name}" VERBATIM)
    add_custom_target(${name} ALL DEPENDS ${exe})
    set_target_properties(${name} PROPERTIES ELLFOUR_FILE ${exe})
endfunction()
