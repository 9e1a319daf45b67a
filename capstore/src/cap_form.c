/*
 * cap_form.c — the canonical form of a capability and the narrowing rule of its chain.
 *
 * Canonical form matters for security, not tidiness: the tag covers the used links and
 * the header, and this check covers every other byte, so no bit of a capability can change
 * without verification noticing (tests flip all 1,856 of them).
 */
#include <string.h>
#include <capstore/cap.h>
#include "cap_impl.h"

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= b[i];
    return acc == 0;
}

/* One link on its own: known rights, a non-empty range that does not wrap. */
int cap_link_valid(const struct cap_link *l)
{
    return (l->rights & ~CAP_R_ALL) == 0 && l->len != 0 && l->off <= UINT64_MAX - l->len;
}

/* Does child grant nothing that parent does not? (Subset rights, earlier expiry, inner range.) */
int cap_link_narrows(const struct cap_link *parent, const struct cap_link *child)
{
    if (child->rights & ~parent->rights)
        return 0;
    if (child->expiry > parent->expiry)
        return 0;
    if (child->off < parent->off)
        return 0;
    uint64_t skip = child->off - parent->off;
    return skip < parent->len && child->len <= parent->len - skip;
}

enum sas_error cap_wellformed(const struct cap *c)
{
    if (c->version != CAP_VERSION || c->nlinks == 0 || c->nlinks > CAP_LINKS_MAX ||
        !all_zero(c->reserved, sizeof c->reserved))
        return SAS_ECAP_MALFORMED;
    for (unsigned i = 0; i < c->nlinks; i++)
        if (!cap_link_valid(&c->link[i]))
            return SAS_ECAP_MALFORMED;
    if (!all_zero(&c->link[c->nlinks], (CAP_LINKS_MAX - c->nlinks) * sizeof(struct cap_link)))
        return SAS_ECAP_MALFORMED;
    for (unsigned i = 1; i < c->nlinks; i++)
        if (!cap_link_narrows(&c->link[i - 1], &c->link[i]))
            return SAS_ECAP_MALFORMED;
    return SAS_OK;
}
