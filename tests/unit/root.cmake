# Host tests of the root task's pure logic: the table of frame batches it hands musl tasks
# (sasos/root/batchtab.h), the program slots of musl instances (slottab.h) and the domain
# names it accepts (domname.h). Sanitized.
set(ROOT_DIR ${ELLFOUR_ROOT}/sasos/root)
unit_test(batchtab test_batchtab.c ${ROOT_DIR}/batchtab.c)
target_include_directories(batchtab PRIVATE ${ROOT_DIR} ${ELLFOUR_ROOT}/sasos/include
                           ${ELLFOUR_ROOT}/l4kern/include)
set(batchtab_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_compile_options(batchtab PRIVATE ${batchtab_san})
target_link_options(batchtab PRIVATE ${batchtab_san})
unit_test(slottab test_slottab.c ${ROOT_DIR}/slottab.c)
target_include_directories(slottab PRIVATE ${ROOT_DIR} ${ELLFOUR_ROOT}/sasos/include
                           ${ELLFOUR_ROOT}/l4kern/include ${ELLFOUR_ROOT}/capstore/include)
target_compile_options(slottab PRIVATE ${batchtab_san})
target_link_options(slottab PRIVATE ${batchtab_san})
