/* peer.c — the second task of ./ellfour bench: answers every call at once. Its receive
 * window takes the one-page map items of map_unmap_page (bench/guest/space.c). */
#include <native/rt.h>

#define PEER_WINDOW 0x40000000ULL

int main(void)
{
    l4_utcb()->rcv_window = l4_fpage(PEER_WINDOW, 12, 0);
    l4_threadid_t from = L4_NILTHREAD;
    l4_msg_t m;
    l4_receive(&from, &m, L4_TIMEOUT_NEVER);
    for (;;)
        l4_reply_wait(&from, l4_msgtag(0, 2, 0), &m, L4_TIMEOUT_NEVER);
}
