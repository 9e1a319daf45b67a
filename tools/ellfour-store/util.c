/*
 * util.c — opening the image and parsing numbers, shared by the commands.
 */
#include <errno.h>
#include <stdlib.h>
#include "tool.h"

int tool_open(struct persist **p, struct persist_txn **t)
{
    struct persist_probe pr;
    enum sas_error e;

    /* The probe names truncation and foreign files before LMDB maps anything. */
    if ((e = persist_probe(tool_img, &pr)))
        return tool_fail("cannot open", e);
    if ((e = persist_open(tool_img, PERSIST_RDONLY, p)))
        return tool_fail("cannot open", e);
    if ((e = persist_begin(*p, 0, t))) {
        persist_close(*p);
        return tool_fail("cannot read", e);
    }
    return 0;
}

void tool_close(struct persist *p, struct persist_txn *t)
{
    persist_abort(t);
    persist_close(p);
}

int parse_u64(const char *s, uint64_t *out)
{
    char *end;

    errno = 0;
    *out = strtoull(s, &end, 0);
    return errno || end == s || *end || *s == '-' ? -1 : 0;
}

int parse_size(const char *s, uint64_t *out)
{
    char *end;
    uint64_t v, mul = 1;

    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || end == s || *s == '-')
        return -1;
    switch (*end) {
    case 'K': case 'k': mul = 1ull << 10; end++; break;
    case 'M': case 'm': mul = 1ull << 20; end++; break;
    case 'G': case 'g': mul = 1ull << 30; end++; break;
    }
    if (*end || v > UINT64_MAX / mul)
        return -1;
    *out = v * mul;
    return 0;
}
