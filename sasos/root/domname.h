/*
 * domname.h — what root accepts as a protection domain's name, for a program it starts
 * (tasks.c; the console's "run PROG as DOMAIN", prompt.c; "domain=" on the boot command
 * line): capstore's rule, [A-Za-z0-9._-]+ of 1 to ROOT_DOMAIN_NAME_MAX bytes
 * (CAP_DOMAIN_NAME_MAX, capstore/capstore.h; tests/unit/test_slottab.c checks they agree).
 * Header-only and pure: the host tests call it as root does.
 */
#ifndef ROOT_DOMNAME_H
#define ROOT_DOMNAME_H

#include <stddef.h>

#define ROOT_DOMAIN_NAME_MAX 31u   /* bytes, without the NUL: ROOT_DOMAIN_LEN - 1 */

/* 1 if `name` (NUL-terminated) is a valid domain name, else 0. */
static inline int domain_name_ok(const char *name)
{
    size_t n = 0;
    for (; name[n]; n++) {
        char ch = name[n];
        if (n >= ROOT_DOMAIN_NAME_MAX ||
            !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return n > 0;
}

#endif
