/*
 * client.c — <sas.h>: each function checks its arguments, packs one objmgr request
 * (sas/proto/objmgr.h) and unpacks the reply. Nothing is cached but objmgr's id, found
 * once through root (ROOT_SERVICE_OBJMGR) by whichever thread asks first; threads that
 * race there ask root twice and store the same answer, so one atomic word suffices.
 * Compiled into each program that lists `LIBS sas` (cmake/musl.cmake).
 */
#include <string.h>
#include <sas.h>
#include <sas/proto/root.h>

#define OBJMGR_NONE (~0ULL)        /* asked: no objmgr runs */

static uint64_t objmgr_cached;     /* 0: not asked yet; OBJMGR_NONE; else its id */

/* objmgr's id in *om; SAS_ENOSTORE if it does not run. */
static enum sas_error objmgr_find(l4_threadid_t *om)
{
    uint64_t id = __atomic_load_n(&objmgr_cached, __ATOMIC_ACQUIRE);
    if (!id) {
        l4_threadid_t t;
        enum sas_error e = root_service(root_find(), ROOT_SERVICE_OBJMGR, &t);
        if (e == SAS_EIO)
            return SAS_ENOSTORE;               /* no root to ask: not cached */
        id = e || l4_tid_is_nil(t) ? OBJMGR_NONE : t;
        __atomic_store_n(&objmgr_cached, id, __ATOMIC_RELEASE);
    }
    if (id == OBJMGR_NONE)
        return SAS_ENOSTORE;
    *om = id;
    return SAS_OK;
}

/* One request of u words from *m; the reply's label, its words in *m (and the UTCB's). */
static enum sas_error request(uint32_t label, unsigned u, l4_msg_t *m)
{
    l4_threadid_t om;
    enum sas_error e = objmgr_find(&om);
    return e ? e : objmgr_call_(om, label, u, m, 0);
}

enum sas_error sas_create(uint64_t size, unsigned flags, const char *label,
                          struct cap *owner_cap, void **base)
{
    char text[OBJ_LABEL_BYTES] = { 0 };
    size_t len = label ? strlen(label) : 0;
    if (!base || !size || (flags & ~(unsigned)SAS_PERSISTENT) || len > SAS_LABEL_MAX)
        return SAS_EINVAL;
    memcpy(text, label ? label : "", len);
    l4_msg_t m = { { size, flags } };
    memcpy(&m.w[2], text, sizeof(text));
    enum sas_error e = request(OBJ_CREATE, 2 + OBJ_LABEL_BYTES / 8, &m);
    if (e)
        return e;
    if (owner_cap) {
        uint64_t w[OBJ_CAP_WORDS];
        for (unsigned i = 0; i < OBJ_CAP_WORDS; i++)
            w[i] = *objmgr_word_(&m, 1 + i);
        memcpy(owner_cap, w, sizeof(*owner_cap));
    }
    *base = (void *)m.w[0];
    return SAS_OK;
}
_Static_assert(sizeof(struct cap) == OBJ_CAP_WORDS * 8, "a capability in OBJ_CAP_WORDS words");
_Static_assert(2 + OBJ_LABEL_BYTES / 8 <= L4_MSG_REG_WORDS, "OBJ_CREATE in registers");

enum sas_error sas_delete(void *base)
{
    l4_msg_t m = { { (uint64_t)base } };
    return request(OBJ_DELETE, 1, &m);
}

enum sas_error sas_resize(void *base, uint64_t size)
{
    l4_msg_t m = { { (uint64_t)base, size } };
    return size ? request(OBJ_RESIZE, 2, &m) : SAS_EINVAL;
}

enum sas_error sas_info(const void *addr, struct sas_info *out)
{
    l4_msg_t m = { { (uint64_t)addr } };
    if (!out)
        return SAS_EINVAL;
    enum sas_error e = request(OBJ_INFO, 1, &m);
    if (e)
        return e;
    *out = (struct sas_info){ .base = (void *)m.w[0], .size = m.w[1],
                              .flags = (unsigned)m.w[2], .epoch = m.w[3], .owner = m.w[4],
                              .ctime = m.w[5] };
    uint64_t label[OBJ_LABEL_BYTES / 8];
    for (unsigned i = 0; i < OBJ_LABEL_BYTES / 8; i++)
        label[i] = *objmgr_word_(&m, 6 + i);
    memcpy(out->label, label, SAS_LABEL_MAX);
    out->label[SAS_LABEL_MAX] = 0;
    return SAS_OK;
}

enum sas_error sas_commit(void *const *addresses, unsigned n)
{
    l4_msg_t m = { { n } };
    l4_threadid_t om;
    if (!addresses || !n || n > OBJ_COMMIT_MAX)
        return SAS_EINVAL;     /* never split: two transactions are not all or nothing */
    enum sas_error e = objmgr_find(&om);     /* first: its call to root uses the UTCB */
    if (e)
        return e;
    for (unsigned i = 0; i < n; i++)
        *objmgr_word_(&m, 1 + i) = (uint64_t)addresses[i];
    return objmgr_call_(om, OBJ_COMMIT, 1 + n, &m, 0);
}
_Static_assert(1 + OBJ_COMMIT_MAX <= L4_MSG_MAX_WORDS, "OBJ_COMMIT fits a message");

enum sas_error sas_commit_all(void)
{
    l4_msg_t m = { { 0 } };
    return request(OBJ_COMMIT_ALL, 0, &m);
}

enum sas_error sas_stats(struct objmgr_stats *out)
{
    l4_msg_t m = { { 0 } };
    if (!out)
        return SAS_EINVAL;
    enum sas_error e = request(OBJ_STATS, 0, &m);
    if (!e)
        *out = (struct objmgr_stats){ m.w[0], m.w[1], m.w[2], m.w[3], m.w[4], m.w[5],
                                      m.w[6], m.w[7] };
    return e;
}

enum sas_error sas_frame(const void *addr, uint64_t *frame)
{
    l4_msg_t m = { { (uint64_t)addr } };
    if (!frame)
        return SAS_EINVAL;
    enum sas_error e = request(OBJ_FRAME, 1, &m);
    if (!e)
        *frame = m.w[0];
    return e;
}

enum sas_error sas_cap_derive(const struct cap *parent, unsigned rights, uint64_t off,
                              uint64_t len, uint64_t expiry, struct cap *child)
{
    if (!parent || !child)
        return SAS_EINVAL;
    struct cap_link l = cap_link_make(rights, expiry, off, len);
    return cap_derive(parent, &l, child);
}

/* Words first.. of m: the capability's 232 bytes. */
static void put_cap(l4_msg_t *m, unsigned first, const struct cap *c)
{
    for (unsigned i = 0; i < OBJ_CAP_WORDS; i++)
        memcpy(objmgr_word_(m, first + i), (const uint8_t *)c + 8 * i, 8);
}

enum sas_error sas_grant(const char *domain, const struct cap *cap)
{
    size_t len = domain ? strlen(domain) : 0;
    if (!cap || !len || len >= OBJ_LABEL_BYTES)
        return SAS_EINVAL;
    l4_threadid_t om;
    enum sas_error e = objmgr_find(&om);     /* before the UTCB's words are filled */
    if (e)
        return e;
    l4_msg_t m = { { 0 } };
    memcpy(&m.w[0], domain, len);
    put_cap(&m, 4, cap);
    return objmgr_call_(om, OBJ_GRANT, 4 + OBJ_CAP_WORDS, &m, 0);
}

/* A request whose words are one capability: OBJ_CAP_ADD, OBJ_REVOKE. */
static enum sas_error cap_request(uint32_t label, const struct cap *cap)
{
    if (!cap)
        return SAS_EINVAL;
    l4_threadid_t om;
    enum sas_error e = objmgr_find(&om);     /* before the UTCB's words are filled */
    if (e)
        return e;
    l4_msg_t m = { { 0 } };
    put_cap(&m, 0, cap);
    return objmgr_call_(om, label, OBJ_CAP_WORDS, &m, 0);
}

enum sas_error sas_cap_add(const struct cap *cap)
{
    return cap_request(OBJ_CAP_ADD, cap);
}

enum sas_error sas_caps(unsigned i, struct cap *out, unsigned *count)
{
    l4_msg_t m = { { i } };
    unsigned u = 0;
    l4_threadid_t om;
    enum sas_error e = objmgr_find(&om);
    if (!e)
        e = objmgr_call_(om, OBJ_CAPS, 1, &m, &u);
    if (e)
        return e;
    if (u < OBJ_CAP_WORDS + 1)
        return SAS_EIO;
    if (out)
        for (unsigned k = 0; k < OBJ_CAP_WORDS; k++)
            memcpy((uint8_t *)out + 8 * k, objmgr_word_(&m, k), 8);
    if (count)
        *count = (unsigned)*objmgr_word_(&m, OBJ_CAP_WORDS);
    return SAS_OK;
}

enum sas_error sas_why(const void *addr, unsigned access, struct sas_why *out)
{
    if (!out)
        return SAS_EINVAL;
    l4_msg_t m = { { (uint64_t)(uintptr_t)addr, access } };
    enum sas_error e = request(OBJ_WHY, 2, &m);
    if (e)
        return e;
    out->allowed = (int)(m.w[0] & 0xff);
    out->reason = (unsigned)(m.w[0] >> 8 & 0xff);
    out->rights = (unsigned)(m.w[0] >> 16 & 0xff);
    memcpy(out->tag, &m.w[1], sizeof out->tag);
    out->base = (void *)(uintptr_t)m.w[3];
    return SAS_OK;
}

enum sas_error sas_revoke(const struct cap *cap)
{
    return cap_request(OBJ_REVOKE, cap);
}
