/*
 * initstack.c — a new process's stack as Linux builds it and musl's start-up code reads
 * it (System V x86-64 ABI, 3.4.1): from the stack pointer up, argc, argv[] and NULL,
 * envp[] and NULL, the auxiliary vector ending in AT_NULL; above them the strings and
 * AT_RANDOM's 16 bytes. musl's static-PIE self-relocation needs AT_PHDR, AT_PHENT and
 * AT_PHNUM (DESIGN.md §8); its stack protector and malloc use AT_RANDOM.
 */
#include "posix.h"

struct builder {
    uint8_t *mem;
    uint64_t lo, top, at;     /* addresses: [lo, top) is mem; at grows down */
};

static uint8_t *ptr(struct builder *b, uint64_t va) { return b->mem + (va - b->lo); }

/* Copies n bytes below b->at; returns their address, 0 if there is no room. */
static uint64_t push(struct builder *b, const void *src, uint64_t n)
{
    if (b->at - b->lo < n)
        return 0;
    b->at -= n;
    const uint8_t *s = src;
    for (uint64_t i = 0; i < n; i++)
        ptr(b, b->at)[i] = s[i];
    return b->at;
}

static unsigned count(const char *const *v)
{
    unsigned n = 0;
    while (v && v[n])
        n++;
    return n;
}

static uint64_t slen(const char *s)
{
    uint64_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Pushes the strings of v, storing their addresses in out[]; 0 if no room. */
static int push_strings(struct builder *b, const char *const *v, unsigned n, uint64_t *out)
{
    for (unsigned i = n; i-- > 0;)
        if (!(out[i] = push(b, v[i], slen(v[i]) + 1)))
            return 0;
    return 1;
}

#define MAX_STRINGS 32u

uint64_t stack_build(uint8_t *mem, uint64_t top, uint64_t size, const struct stack_args *a)
{
    struct builder b = { mem, top - size, top, top };
    unsigned argc = count(a->argv), envc = count(a->envp);
    uint64_t argv[MAX_STRINGS], envp[MAX_STRINGS], rnd;
    if (argc > MAX_STRINGS || envc > MAX_STRINGS || !push_strings(&b, a->envp, envc, envp) ||
        !push_strings(&b, a->argv, argc, argv) || !(rnd = push(&b, a->random, 16)))
        return 0;
    uint64_t aux[STACK_AUXV_ENTRIES * 2] = {
        LX_AT_PHDR, a->phdr, LX_AT_PHENT, a->phent, LX_AT_PHNUM, a->phnum,
        LX_AT_PAGESZ, POSIX_PAGE, LX_AT_ENTRY, a->entry, LX_AT_RANDOM, rnd,
        LX_AT_UID, 0, LX_AT_EUID, 0, LX_AT_GID, 0, LX_AT_EGID, 0, LX_AT_SECURE, 0,
        LX_AT_EXECFN, argc ? argv[0] : 0, LX_AT_NULL, 0,
    };
    uint64_t words = 1 + argc + 1 + envc + 1 + STACK_AUXV_ENTRIES * 2;
    uint64_t sp = (b.at - words * 8) & ~15ULL;    /* argc 16-byte aligned, as the ABI says */
    if (b.at < b.lo + words * 8 + 16 || sp < b.lo)
        return 0;
    uint64_t *w = (uint64_t *)(void *)ptr(&b, sp);
    *w++ = argc;
    for (unsigned i = 0; i < argc; i++)
        *w++ = argv[i];
    *w++ = 0;
    for (unsigned i = 0; i < envc; i++)
        *w++ = envp[i];
    *w++ = 0;
    for (unsigned i = 0; i < STACK_AUXV_ENTRIES * 2; i++)
        *w++ = aux[i];
    return sp;
}
