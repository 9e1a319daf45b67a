/*
 * devices.c — sigma0's I/O ports and interrupt lines: one owner each (a task number),
 * handed out once. Ports are tracked one by one so that drivers can ask for exactly the
 * ranges their devices use; a request touching any owned port is refused whole.
 */
#include "sigma0.h"
#include <l4/irq.h>

static uint16_t port_owner[L4_IO_PORTS];
static uint16_t line_owner[L4_IRQ_LINES];

enum sas_error devices_claim_ports(unsigned first, unsigned log2, unsigned owner)
{
    if (log2 > 16 || (first & ((1u << log2) - 1)) || first + (1u << log2) > L4_IO_PORTS)
        return SAS_EINVAL;
    for (unsigned p = first; p < first + (1u << log2); p++)
        if (port_owner[p])
            return SAS_EPAGE_OWNED;
    for (unsigned p = first; p < first + (1u << log2); p++)
        port_owner[p] = (uint16_t)owner;
    return SAS_OK;
}

enum sas_error devices_claim_line(unsigned line, unsigned owner)
{
    if (line >= L4_IRQ_LINES || line == 2)     /* input 2 carries line 0 (l4/irq.h) */
        return SAS_EINVAL;
    if (line_owner[line])
        return SAS_EPAGE_OWNED;
    line_owner[line] = (uint16_t)owner;
    return SAS_OK;
}

/* Delivery failed: the claim is undone. */
void devices_unclaim(l4_fpage_t item)
{
    if (l4_fpage_is_io(item)) {
        unsigned first = l4_iofpage_port(item), n = 1u << ((item >> 4) & 0x3f);
        for (unsigned p = first; p < first + n; p++)
            port_owner[p] = 0;
    } else if (l4_fpage_is_irq(item)) {
        line_owner[(item >> 12) & 0xff] = 0;
    }
}
