/*
 * domains.c — capstore's part of ellfour-store: `domains IMG` lists the protection
 * domains and their capabilities, and `check IMG` ends by verifying every stored
 * capability against the image's own master key (cmd_check_caps). Both open capstore
 * read-only over persist's "capstore" database; an image where capstore never stored
 * anything simply has no domains.
 */
#include <stdio.h>
#include <time.h>
#include <glue/capstore_persist.h>
#include "tool.h"

struct caps_img {
    struct persist *p;
    struct capstore_persist cp;
    struct capstore *cs;          /* NULL: nothing stored by capstore */
};

/* Open the image and capstore on it, read-only. Returns 0 or an exit code. */
static int caps_open(struct caps_img *ci)
{
    struct persist_probe pr;
    struct capstore_backend be;
    enum sas_error e;

    ci->cs = NULL;
    if ((e = persist_probe(tool_img, &pr)) || (e = persist_open(tool_img, PERSIST_RDONLY, &ci->p)))
        return tool_fail("cannot open", e);
    e = capstore_persist_attach(ci->p, &ci->cp, &be);
    if (e == SAS_OK)
        e = capstore_open(&be, CAPSTORE_RDONLY, &ci->cs);
    if (e != SAS_OK && e != SAS_ENOTFOUND) {
        persist_close(ci->p);
        return tool_fail("capability store", e);
    }
    return 0;
}

static void caps_close(struct caps_img *ci)
{
    capstore_close(ci->cs);
    persist_close(ci->p);
}

static const char *status_of(enum sas_error e)
{
    switch (e) {
    case SAS_OK:            return "valid";
    case SAS_ECAP_EXPIRED:  return "expired";
    case SAS_ECAP_REVOKED:  return "revoked";
    default:                return "INVALID";
    }
}

static void print_cap(struct capstore *cs, const struct cap *c, uint64_t now)
{
    const struct cap_link *l = c->nlinks >= 1 && c->nlinks <= CAP_LINKS_MAX ? cap_last(c)
                                                                            : &c->link[0];
    char rights[6] = "-----", range[48], expiry[24];
    static const char letters[] = "rwxdg";

    for (int i = 0; i < 5; i++)
        if (l->rights & (1u << i))
            rights[i] = letters[i];
    if (l->off == 0 && l->len == CAP_RANGE_ALL)
        snprintf(range, sizeof range, "whole");
    else
        snprintf(range, sizeof range, "+%#llx..+%#llx", (unsigned long long)l->off,
                 (unsigned long long)(l->off + l->len));
    if (l->expiry == CAP_NO_EXPIRY)
        snprintf(expiry, sizeof expiry, "never");
    else
        snprintf(expiry, sizeof expiry, "%llu", (unsigned long long)l->expiry);
    printf("  %#018llx %s %-22s expires %-10s epoch %llu gen %u links %u tag ",
           (unsigned long long)c->base, rights, range, expiry,
           (unsigned long long)c->epoch, c->rgen, c->nlinks);
    for (int i = 0; i < 8; i++)
        printf("%02x", c->tag[i]);
    printf(" %s\n", status_of(cap_verify(cs, c, now)));
}

struct list_ctx {
    struct capstore *cs;
    uint64_t now;
};

static int list_cap(void *arg, const struct cap *c)
{
    struct list_ctx *lc = arg;

    print_cap(lc->cs, c, lc->now);
    return 0;
}

static int list_domain(void *arg, const struct domain_info *d)
{
    struct list_ctx *lc = arg;

    printf("domain %u %s%s: %u capabilit%s\n", d->id, d->name, d->locked ? " (locked)" : "",
           d->ncaps, d->ncaps == 1 ? "y" : "ies");
    domain_caps_each(lc->cs, d->id, list_cap, lc);
    return 0;
}

int cmd_domains(int argc, char **argv)
{
    struct caps_img ci;
    int rc;

    (void)argv;
    if (argc != 0) {
        fputs("usage: ellfour-store domains IMG\n", stderr);
        return EXIT_USAGE;
    }
    if ((rc = caps_open(&ci)))
        return rc;
    struct list_ctx lc = { ci.cs, (uint64_t)time(NULL) };
    if (ci.cs)
        domain_each(ci.cs, list_domain, &lc);
    caps_close(&ci);
    return 0;
}

struct verify_ctx {
    struct capstore *cs;
    uint64_t now;
    const struct domain_info *dom;
    unsigned long caps, problems, revoked, expired;
};

static int verify_cap(void *arg, const struct cap *c)
{
    struct verify_ctx *v = arg;
    enum sas_error e = cap_verify(v->cs, c, v->now);

    v->caps++;
    v->revoked += e == SAS_ECAP_REVOKED;
    v->expired += e == SAS_ECAP_EXPIRED;
    if (e != SAS_OK && e != SAS_ECAP_REVOKED && e != SAS_ECAP_EXPIRED) {
        printf("problem: %#018llx: capability in domain %s: %s\n",
               (unsigned long long)c->base, v->dom->name, sas_strerror(e));
        v->problems++;
    }
    return 0;
}

static int verify_domain(void *arg, const struct domain_info *d)
{
    struct verify_ctx *v = arg;

    v->dom = d;
    domain_caps_each(v->cs, d->id, verify_cap, v);
    return 0;
}

/* Revoked and expired capabilities are normal in a list; a capability whose tag does not
 * verify under the image's key means the stored bytes were altered. */
int cmd_check_caps(int rc)
{
    struct caps_img ci;
    int orc = caps_open(&ci);

    if (orc)
        return orc;
    struct verify_ctx v = { .cs = ci.cs, .now = (uint64_t)time(NULL) };
    if (ci.cs)
        domain_each(ci.cs, verify_domain, &v);
    printf("capabilities: %lu verified in domains, %lu revoked, %lu expired, %lu invalid\n",
           v.caps, v.revoked, v.expired, v.problems);
    caps_close(&ci);
    return v.problems && rc == 0 ? EXIT_PROBLEMS : rc;
}
