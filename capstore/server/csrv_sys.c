/*
 * csrv_sys.c — what the capstore server asks of the world outside its state (csrv.h's
 * hooks): the kernel (does a thread exist, the clock in the KIP), root (objmgr's server
 * thread) and persist (its database "capstore", read once at start with PERSIST_DB_NEXT).
 * All the server's IPC but the receive loop's and main.c's is here.
 */
#include <l4/errors.h>
#include <l4/kip.h>
#include <l4/layout.h>
#include <sas/proto/root.h>
#include "csrv.h"

#if __has_include(<sas/proto/persist.h>)
#include <sas/proto/persist.h>
#endif
#ifndef PERSIST_DB_NEXT
#define PERSIST_DB_NEXT 0x5053000eu   /* sas/proto/persist.h: 0x50530000 + 14 */
#endif

enum sas_error csrv_objmgr_find(l4_threadid_t *id)
{
    l4_threadid_t root = root_find();
    return l4_tid_is_nil(root) ? SAS_EIO : root_service(root, ROOT_SERVICE_OBJMGR, id);
}

int csrv_thread_alive(l4_threadid_t t)
{
    uint64_t err;
    l4_id_nearest(t, 0, &err);
    return err != L4_ERR_NO_PARTNER;
}

/* Seconds since boot from the time-stamp counter, as the POSIX personality's clocks. */
uint64_t csrv_now(void)
{
    const volatile struct l4_kip *kip = (const volatile struct l4_kip *)L4_KIP_ADDR;
    uint64_t hz = kip->tsc_hz ? kip->tsc_hz : 1000000000u;
    return kip->boot_time + __builtin_ia32_rdtsc() / hz;
}

/* PERSIST_DB_NEXT: MR0 = klen, MR1.. the key; the reply MR0 = klen | vlen << 16, then the
 * key's bytes and right after them the value's from MR1. */
enum sas_error csrv_persist_next(void *persist, const uint8_t *key, size_t klen,
                                 struct csc_record *out)
{
    l4_word_t *mr = l4_utcb()->mr;
    l4_msg_t m = { { klen } };
    csc_pack(&m, mr, 1, key, klen);
    uint64_t res = l4_call(*(l4_threadid_t *)persist,
                           l4_msgtag(PERSIST_DB_NEXT, 1 + ((unsigned)klen + 7) / 8, 0), &m,
                           L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    if (l4_ipc_error(res))
        return SAS_EIO;
    enum sas_error e = (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
    if (e != SAS_OK)
        return e;
    unsigned u = l4_msgtag_u(l4_ipc_tag(res));
    out->op = CAPSTORE_LOG_PUT;
    out->klen = (unsigned)(m.w[0] & 0xffff);
    out->vlen = (unsigned)(m.w[0] >> 16);
    if (u < 1 || out->klen > CAPSTORE_KEY_MAX || out->vlen > CAPSTORE_VALUE_MAX ||
        u < 1 + (out->klen + out->vlen + 7) / 8)
        return SAS_ESTORE_CORRUPT;             /* not what the protocol promises */
    uint8_t bytes[CAPSTORE_KEY_MAX + CAPSTORE_VALUE_MAX];
    csc_unpack(&m, mr, 1, bytes, out->klen + out->vlen);
    __builtin_memcpy(out->key, bytes, out->klen);
    __builtin_memcpy(out->value, bytes + out->klen, out->vlen);
    return SAS_OK;
}
