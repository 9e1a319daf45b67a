/*
 * names.c — Linux x86-64 system call names for the log line of an unsupported call. The
 * table is generated at configure time from musl's <bits/syscall.h> (sasos/posix CMake).
 */
#include "systhread.h"

static const char *const names[LX_NSYSCALLS] = {
#include "syscall_names.inc"
};

const char *syscall_name(uint64_t nr)
{
    return nr < LX_NSYSCALLS && names[nr] ? names[nr] : "?";
}
