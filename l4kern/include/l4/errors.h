/*
 * l4/errors.h — the kernel's one error enum. Every system call returns one of these
 * (in rax for the non-IPC calls; in the IPC result word for ipc, see l4/ipc.h).
 */
#ifndef L4_ERRORS_H
#define L4_ERRORS_H

enum l4_error {
    L4_OK               = 0,
    L4_ERR_TIMEOUT      = 1,  /* the timeout expired before a partner was ready */
    L4_ERR_NO_PARTNER   = 2,  /* nil, stale, or non-existent thread id */
    L4_ERR_CANCELLED    = 3,  /* lthread_ex_regs cancelled the operation */
    L4_ERR_MSG_TOO_LONG = 4,  /* message larger than the receiver accepts / the ABI allows */
    L4_ERR_MAP_FAILED   = 5,  /* a map or grant item could not be applied */
    L4_ERR_INVALID      = 6,  /* malformed argument: bad flags, non-canonical address, ... */
    L4_ERR_NO_MEMORY    = 7,  /* kernel pool or the caller's quota is exhausted */
    L4_ERR_PERMISSION   = 8,  /* not allowed: above MCP, not chief, not owner */
    L4_ERR_UNSUPPORTED  = 9,  /* numbered in the ABI but not provided by this kernel yet */
    L4_ERR_DEADLOCK     = 10, /* a call to oneself */
    L4_ERR__COUNT
};

#endif
