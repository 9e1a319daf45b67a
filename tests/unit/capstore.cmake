# capstore's host unit tests: capabilities (format, tags, attenuation, revocation) and
# protection domains (lists, locking, the access check and its cache).
unit_test(capstore_cap ${CMAKE_CURRENT_LIST_DIR}/test_capstore_cap.c LIBS capstore)
unit_test(capstore_domain ${CMAKE_CURRENT_LIST_DIR}/test_capstore_domain.c LIBS capstore)
