# Host tests of the single address space's client side: how a refused access is said
# (sas/denied.h), checked against capstore's reason and right numbers (headers only).
unit_test(sas_denied test_denied.c)
target_include_directories(sas_denied PRIVATE ${ELLFOUR_ROOT}/sasos/include
                           ${ELLFOUR_ROOT}/capstore/include)
