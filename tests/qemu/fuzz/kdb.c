/*
 * kdb.c — the kdebug trap, fuzzed: every operation and some unknown ones, a bare int3,
 * and EXIT (which the kernel must refuse: this is not the root task). PUTS and ENTER get
 * mostly invalid pointers; where a pointer may be readable the length stays short, so
 * the log records the kernel's verdicts rather than pages of junk.
 */
#include "task.h"
#include <l4/layout.h>

#define KDB_TRAP(op, a, b) \
    __asm__ volatile("int3\n\tcmpb $" #op ", %%al" : : "D"(a), "S"(b) : "cc", "memory")

static const char dot[] = ".";

/* Readable in this task (KIP, message areas): keep the length short. */
static int maybe_readable(uint64_t a)
{
    return a >= L4_USER_RESERVED_BASE && a < L4_USER_END;
}

static void kdb_string_args(uint64_t *s, uint64_t *a, uint64_t *b)
{
    if (rng_below(s, 4) == 0) {
        *a = (uint64_t)dot;
        *b = rng_below(s, 2);
        return;
    }
    *a = gen_addr(s);
    *b = gen_len(s);
    if (maybe_readable(*a) && *b > 8)
        *b = 1 + rng_below(s, 8);
}

static uint64_t exit_code(uint64_t *s)
{
    static const uint64_t c[] = { 0, 1, 0x10, 0x11, 127, 128, ~0ULL };
    return rng_below(s, 8) < 7 ? c[rng_below(s, 7)] : rng_next(s);
}

void kdebug_fuzz(uint64_t *s, struct fuzz_worker *w)
{
    uint64_t a, b;
    kdb_string_args(s, &a, &b);
    unsigned op = (unsigned)rng_below(s, 22);
    count_call(w);
    switch (op) {
    case 0: KDB_TRAP(0, (rng_next(s) & ~0xffULL) | '.', b); break;          /* PUTC */
    case 1: if (rng_below(s, 4)) KDB_TRAP(1, a, b); else KDB_TRAP(2, a, b); break; /* ENTER dumps registers: rarer */
    case 2: case 3: case 4: KDB_TRAP(3, exit_code(s), b); break;           /* EXIT */
    case 5: KDB_TRAP(4, a, b); break;
    case 6: KDB_TRAP(0x7f, a, b); break;
    case 7: KDB_TRAP(0xff, a, b); break;
    case 8: __asm__ volatile("int3\n\tnop" ::: "memory"); break;            /* a breakpoint */
    default: KDB_TRAP(1, a, b); break;                                      /* PUTS */
    }
}
