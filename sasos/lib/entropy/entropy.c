/* entropy.c — RDRAND behind sas/entropy.h; freestanding, so native and musl code share it. */
#include <sas/entropy.h>

int sas_entropy_available(void)
{
    static int have = -1;        /* CPUID is slow under a hypervisor: ask once */
    if (have < 0) {
        uint32_t a = 1, b, c = 0, d;
        __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
        have = (c >> 30) & 1;
    }
    return have;
}

/* One RDRAND attempt: 1 and *v if the CPU delivered a word. */
static int rdrand_once(uint64_t *v)
{
    uint8_t ok;
    __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
    return ok && *v != ~0ULL;
}

enum sas_error sas_entropy_u64(uint64_t *out)
{
    if (!sas_entropy_available())
        return SAS_ENOTSUP;
    for (unsigned i = 0; i < SAS_ENTROPY_RETRIES; i++) {
        uint64_t v;
        if (rdrand_once(&v)) {
            *out = v;
            return SAS_OK;
        }
    }
    return SAS_EIO;
}

enum sas_error sas_entropy_fill(void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n) {
        uint64_t v;
        enum sas_error e = sas_entropy_u64(&v);
        if (e)
            return e;
        size_t k = n < 8 ? n : 8;
        __builtin_memcpy(p, &v, k);
        v = 0;
        p += k;
        n -= k;
    }
    return SAS_OK;
}
