/*
 * sas_deny — a touch of an object the program's domain holds no capability for ends the
 * program with one line, and nothing else (issue 20: "a denied access by the program
 * itself ends it with one line naming the address, the access and capstore's reason").
 *
 * NOTE: this program PASSES BY BEING ENDED. It reads, then writes, the first byte of the
 * object at SAS_OBJECT_BASE, which must be the first object of the store, created by a
 * program of another domain (sas_list, say) — so this program's domain holds no
 * capability for it. The read is refused and the personality ends the program:
 *     posix: task N 'sas_deny': read from 0x100000000000 denied: no capability for the object
 * and root reports exit code 139 (128 + SIGSEGV); other programs run on. If the read is
 * allowed (the domain does hold a capability) the write comes next and must be refused
 * with "write to 0x100000000000 denied: ..."; if both are allowed, or the program is not
 * ended, it prints "sas_deny: FAILED: ..." and exits 1. It never exits 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <sas.h>

int main(void)
{
    volatile uint8_t *obj = (volatile uint8_t *)SAS_OBJECT_BASE;
    /* The other domain's program may start beside this one: wait until its object
     * exists (sas_info then says it is not ours rather than that nothing is there). */
    struct sas_info in;
    for (unsigned i = 0; i < 600 && sas_info((const void *)obj, &in) == SAS_ENOTFOUND; i++) {
        struct timespec t = { 0, 50000000 };
        nanosleep(&t, 0);
    }
    printf("sas_deny: reading %p, an object of another domain\n", (void *)obj);
    fflush(stdout);
    uint8_t b = *obj;
    printf("sas_deny: FAILED: the read was allowed (byte %#x); writing\n", b);
    fflush(stdout);
    *obj = (uint8_t)(b + 1);
    printf("sas_deny: FAILED: the write was allowed too\n");
    return 1;
}
