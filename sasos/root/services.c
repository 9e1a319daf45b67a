/*
 * services.c — the services root starts before any program (today: the console driver),
 * finds for its children (ROOT_SERVICE, sas/proto/root.h) and equips with devices.
 *
 * A service is a boot program named in the table below; root starts it if the archive
 * holds it, and hands out the id of its first thread (the server thread by convention).
 * Children ask root, their pager, for I/O ports and interrupt lines with sigma0's own
 * requests (SIGMA0_IO, SIGMA0_IRQ: the sigma0 client stubs work unchanged, since a child
 * finds root where sigma0's clients find sigma0). Root gives a service exactly the
 * devices the table lists for it and nothing to anyone else: it takes them from sigma0
 * once, keeps the ports (so it could hand them to a restarted service) and maps them on.
 */
#include "root.h"
#include <l4/irq.h>
#include <sas/proto/root.h>
#include <sas/proto/sigma0_client.h>

struct service {
    const char *name;
    unsigned id;                       /* ROOT_SERVICE_* */
    unsigned port, log2ports;          /* its I/O ports (log2ports 0 with port 0: none) */
    unsigned irq;                      /* its interrupt line, or L4_IRQ_LINES for none */
};

static const struct service table[] = {
    { "console", ROOT_SERVICE_CONSOLE, 0x3f8, 3, 4 },   /* COM1 whole */
};
#define NSERVICES (sizeof(table) / sizeof(table[0]))

static l4_threadid_t running[NSERVICES];
static int have_ports[NSERVICES];
static l4_threadid_t sigma0;

static const struct service *by_name(const char *name)
{
    for (unsigned i = 0; i < NSERVICES; i++)
        if (!strncmp(table[i].name, name, ROOT_NAME_LEN))
            return &table[i];
    return 0;
}

int services_is(const char *name) { return by_name(name) != 0; }

void services_start(l4_threadid_t s0)
{
    struct boot_file f;
    sigma0 = s0;
    for (unsigned i = 0; i < NSERVICES; i++)
        if (!bootfs_find(table[i].name, &f))
            tasks_spawn(table[i].name, 1, &running[i]);
}

l4_threadid_t services_id(unsigned id)
{
    for (unsigned i = 0; i < NSERVICES; i++)
        if (table[i].id == id && !l4_tid_is_nil(running[i]) &&
            tasks_alive(l4_tid_task(running[i])))
            return running[i];
    return L4_NILTHREAD;
}

void services_stop(void)
{
    for (unsigned i = 0; i < NSERVICES; i++)
        if (!l4_tid_is_nil(running[i]) && tasks_alive(l4_tid_task(running[i])))
            tasks_kill(l4_tid_task(running[i]), 0);
}

/* SIGMA0_IO for service s: exactly its ports, as a map item. */
static enum sas_error give_ports(const struct service *s, const l4_msg_t *m, l4_msg_t *out)
{
    unsigned i = (unsigned)(s - table);
    if (m->w[0] != s->port || m->w[1] != s->log2ports || (!s->port && !s->log2ports))
        return SAS_EPAGE_DENIED;
    if (!have_ports[i]) {
        enum sas_error e = sigma0_io(sigma0, s->port, s->log2ports);
        if (e)
            return e;
        have_ports[i] = 1;
    }
    *out = (l4_msg_t){ { l4_iofpage(s->port, s->log2ports), 0 } };
    return SAS_OK;
}

/* SIGMA0_IRQ for service s: its line's ownership, moved to it. */
static enum sas_error give_irq(const struct service *s, const l4_msg_t *m, l4_msg_t *out)
{
    if (m->w[0] != s->irq || s->irq >= L4_IRQ_LINES)
        return SAS_EPAGE_DENIED;
    enum sas_error e = sigma0_irq(sigma0, s->irq);
    if (e)
        return e;
    *out = (l4_msg_t){ { l4_irqfpage(s->irq), 0 } };
    return SAS_OK;
}

int services_handle(const char *name, uint32_t label, l4_msg_t *m, l4_msgtag_t *tag)
{
    const struct service *s = by_name(name);
    enum sas_error e = SAS_EPAGE_DENIED;
    if (label == ROOT_SERVICE) {
        l4_threadid_t id = services_id((unsigned)m->w[0]);
        m->w[0] = id;
        *tag = l4_tid_is_nil(id) ? l4_msgtag(SAS_ENOTFOUND, 0, 0) : l4_msgtag(SAS_OK, 1, 0);
        return 1;
    }
    if (s && label == SIGMA0_IO)
        e = give_ports(s, m, m);
    else if (s && label == SIGMA0_IRQ)
        e = give_irq(s, m, m);
    if (e)
        printf("root: '%s' asked for a device that is not its own: %s\n", name, sas_strerror(e));
    *tag = e ? l4_msgtag(e, 0, 0) : l4_msgtag(SAS_OK, 0, 2);
    return 1;
}
