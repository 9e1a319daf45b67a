/* peer.c — the second task of ./ellfour bench: answers every call at once. */
#include <native/rt.h>

int main(void)
{
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;)
        l4_reply_wait(&from, l4_msgtag(0, 2, 0), &m, L4_TIMEOUT_NEVER);
}
