/*
 * hello — the demo boot program root starts (sasos/root/tasks.c). It runs as its own task
 * with root as pager: every page it touches — code, data, bss and crt0's stack — faults in
 * from root. It checks that initialised data arrived intact and bss as zeros, prints, and
 * exits through root with code 0 if all was right (else the number of wrong checks).
 */
#include <native/rt.h>
#include <sas/proto/root.h>

static const char greeting[] = "hello from a task root started";
static uint64_t table[512] = { 1, 2, 3, [511] = 0x5a5a5a5a };   /* data: one page */
static uint8_t scratch[5 * 4096];                               /* bss: several pages */

static unsigned check_memory(void)
{
    unsigned bad = table[0] != 1 || table[2] != 3 || table[511] != 0x5a5a5a5a;
    for (unsigned i = 0; i < sizeof(scratch); i += 512)
        bad += scratch[i] != 0;
    for (unsigned i = 0; i < sizeof(scratch); i++)
        scratch[i] = (uint8_t)i;
    for (unsigned i = 0; i < sizeof(scratch); i += 4093)
        bad += scratch[i] != (uint8_t)i;
    table[1] = 42;
    return bad + (table[1] != 42);
}

int main(void)
{
    /* task_new passes no KIP address in rdi (the kernel's boot tasks get one): the KIP's
     * place is fixed by the ABI. */
    rt_kip = (const volatile struct l4_kip *)L4_KIP_ADDR;
    unsigned bad = check_memory();
    printf("hello: %s: task %u, %s\n", greeting, l4_tid_task(l4_myself()),
           bad ? "memory check FAILED" : "data and bss as expected");
    root_exit(bad);
}
