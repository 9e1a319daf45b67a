/* cap_impl.h — helpers shared by capstore's sources; not part of any public interface. */
#ifndef CAPSTORE_CAP_IMPL_H
#define CAPSTORE_CAP_IMPL_H

#include <capstore/cap.h>

/* A link on its own: known rights, a non-empty range that does not wrap. */
int cap_link_valid(const struct cap_link *l);
/* Copy l into *out, drawing a random nonce if l's is zero. */
void cap_link_nonce(const struct cap_link *l, struct cap_link *out);
/* Does child grant nothing parent does not? (Subset rights, no later expiry, inner range.) */
int cap_link_narrows(const struct cap_link *parent, const struct cap_link *child);

#endif
