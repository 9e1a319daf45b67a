/*
 * atten.c — attenuation across domains (issue 21's test), two programs:
 *   sas_atten_a (ATTEN_MODE 1): a four-page object, each page marked with its number,
 *     committed; a capability narrowed to page 2 alone, read-only, granted to domain
 *     "atten_b"; once atten_b says it is ready, revokes that capability. Exits 0.
 *   sas_atten_b (ATTEN_MODE 2, run as atten_b): finds that capability in its list (waiting
 *     for it), reads page 2; sas_why says page 1 is refused because no capability covers it
 *     (and names the narrowed capability's tag); a copy widened by hand to the whole object
 *     is refused by sas_cap_add; so is every one of the 1,856 one-bit changes of the
 *     capability; page 1 stays refused. Then it tells sas_atten_a (a capability of an object
 *     of its own, granted to that domain), which revokes the narrowed capability; page 2
 *     is refused from then on, and reading it again — it was mapped — ends this program
 *     with the denial line (139): the revocation took the page from this task. Exits 1 if
 *     a check fails. It never touches page 1.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sas.h>
#include <sas/denied.h>

#define PAGE 4096u
#define PAGES 4u
#define LABEL "attenuated"

static int failed(const char *what, enum sas_error e)
{
    printf("sas_atten: FAILED: %s: %s\n", what, sas_strerror(e));
    return 1;
}

static int owner(void)
{
    void *base;
    struct cap c, narrow;
    enum sas_error e;
    if ((e = sas_create(PAGES * PAGE, SAS_PERSISTENT, LABEL, &c, &base)))
        return failed("sas_create", e);
    for (unsigned i = 0; i < PAGES; i++)
        snprintf((char *)base + i * PAGE, 32, "page %u", i);
    if ((e = sas_commit(&base, 1)) ||
        (e = sas_cap_derive(&c, CAP_R_READ, 2 * PAGE, PAGE, CAP_NO_EXPIRY, &narrow)) ||
        (e = sas_grant("atten_b", &narrow)))
        return failed("commit, derive or grant", e);
    printf("sas_atten: page 2 of %p granted read-only to atten_b\n", base);
    fflush(stdout);
    /* atten_b says it is done by granting this domain a capability of an object of its
     * own, labelled "ready"; then the narrowed capability is revoked. */
    for (unsigned tries = 0; tries < 2400; tries++) {
        struct cap r;
        struct sas_info in;
        for (unsigned i = 0; !sas_caps(i, &r, 0); i++)
            if (!sas_info((void *)r.base, &in) && !strcmp(in.label, "ready")) {
                if ((e = sas_revoke(&narrow)))
                    return failed("sas_revoke", e);
                printf("sas_atten: page 2's capability revoked\n");
                return 0;
            }
        struct timespec t = { 0, 50000000 };
        nanosleep(&t, 0);
    }
    return failed("atten_b never said it was ready", SAS_ENOTFOUND);
}

static int find(struct cap *out)
{
    for (unsigned tries = 0; tries < 1200; tries++) {
        for (unsigned i = 0; !sas_caps(i, out, 0); i++)
            if (out->link[out->nlinks - 1].off == 2 * PAGE)
                return 0;
        struct timespec t = { 0, 50000000 };
        nanosleep(&t, 0);
    }
    return -1;
}

/* Tells sas_atten_a it may revoke (a capability of an object of ours, "ready", granted to
 * its domain), waits until page 2 is refused, then reads it again: the revocation must
 * have taken the page from this task too, so that read ends the program (139). */
static int revoked(const struct cap *c)
{
    void *flag;
    struct cap owner, ro;
    struct sas_why why = { 0 };
    enum sas_error e;
    if ((e = sas_create(PAGE, 0, "ready", &owner, &flag)) ||
        (e = sas_cap_derive(&owner, CAP_R_READ, 0, CAP_RANGE_ALL, CAP_NO_EXPIRY, &ro)) ||
        (e = sas_grant("sas_atten_a", &ro)))
        return failed("telling sas_atten_a", e);
    const char *base = (const char *)c->base;
    for (unsigned tries = 0; tries < 2400; tries++) {
        if ((e = sas_why(base + 2 * PAGE, OBJ_ACCESS_READ, &why)) || !why.allowed)
            break;
        struct timespec t = { 0, 50000000 };
        nanosleep(&t, 0);
    }
    if (e || why.allowed)
        return failed("page 2 was never revoked", e);
    printf("sas_atten: page 2 after the revocation: %s; reading it again\n",
           sas_denied_phrase(why.reason, OBJ_ACCESS_READ));
    fflush(stdout);
    printf("sas_atten: FAILED: page 2 still reads \"%s\"\n", base + 2 * PAGE);
    return 1;
}

static int holder(void)
{
    struct cap c, wide;
    struct sas_why why;
    enum sas_error e;
    if (find(&c))
        return failed("no capability for page 2 arrived", SAS_ENOTFOUND);
    const char *base = (const char *)c.base;
    printf("sas_atten: page 2 reads \"%s\"\n", base + 2 * PAGE);
    if (strcmp(base + 2 * PAGE, "page 2"))
        return 1;
    if ((e = sas_why(base + PAGE, OBJ_ACCESS_READ, &why)))
        return failed("sas_why", e);
    printf("sas_atten: page 1: %s (closest capability %02x%02x%02x%02x...)\n",
           why.allowed ? "allowed" : sas_denied_phrase(why.reason, OBJ_ACCESS_READ),
           why.tag[0], why.tag[1], why.tag[2], why.tag[3]);
    if (why.allowed || why.reason != SAS_DENIED_RANGE || memcmp(why.tag, c.tag, 4))
        return 1;
    wide = c;
    wide.link[wide.nlinks - 1].off = 0;
    wide.link[wide.nlinks - 1].len = PAGES * PAGE;
    e = sas_cap_add(&wide);
    printf("sas_atten: a copy widened by hand to the whole object: %s\n", sas_strerror(e));
    if (!e)
        return 1;
    unsigned refused = 0, bits = (unsigned)sizeof c * 8;
    for (unsigned b = 0; b < bits; b++) {
        struct cap f = c;
        ((uint8_t *)&f)[b / 8] ^= (uint8_t)(1u << (b % 8));
        refused += sas_cap_add(&f) != SAS_OK;
    }
    printf("sas_atten: %u of %u one-bit changes refused by sas_cap_add\n", refused, bits);
    if ((e = sas_why(base + PAGE, OBJ_ACCESS_READ, &why)) || why.allowed)
        return failed("page 1 after the attempts", e);
    if (refused != bits)
        return 1;
    printf("sas_atten: page 1 still refused: %s\n",
           sas_denied_phrase(why.reason, OBJ_ACCESS_READ));
    return revoked(&c);
}

int main(void)
{
    return ATTEN_MODE == 1 ? owner() : holder();
}
