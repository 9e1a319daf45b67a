/* k/kip.h — the kernel's pointer to the kernel info page it publishes (l4/kip.h). */
#ifndef K_KIP_H
#define K_KIP_H

#include <l4/kip.h>
#include <k/log.h>

extern struct l4_kip *kip;
void kip_init(void);

#endif
