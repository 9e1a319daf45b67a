/*
 * measure.c — the statistics of measure.h, compiled into both benchmark guests: the
 * freestanding Ell Four root task and the static musl /init of the Linux side.
 */
#include "measure.h"

/* Both C libraries have it; the freestanding one has no <stdio.h>. */
int printf(const char *fmt, ...);

uint64_t samples[MAX_ITERS];
unsigned iters = 10000;
uint64_t overhead;

unsigned bench_parse_iters(const char *s, unsigned fallback)
{
    unsigned n = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        n = n * 10 + (unsigned)(*s - '0');
    return n >= 10 && n <= MAX_ITERS ? n : fallback;
}

static void shell_sort(uint64_t *a, unsigned n)
{
    static const unsigned gaps[] = { 1750, 701, 301, 132, 57, 23, 10, 4, 1 };
    for (unsigned g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++)
        for (unsigned i = gaps[g]; i < n; i++) {
            uint64_t v = a[i];
            unsigned j = i;
            for (; j >= gaps[g] && a[j - gaps[g]] > v; j -= gaps[g])
                a[j] = a[j - gaps[g]];
            a[j] = v;
        }
}

uint64_t bench_median(uint64_t *a, unsigned n)
{
    shell_sort(a, n);
    return a[n / 2];
}

void report_samples(const char *name, unsigned n)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += samples[i];
    shell_sort(samples, n);
    printf("BENCH %s %llu %llu %u %llu\n", name, (unsigned long long)samples[n / 2],
           (unsigned long long)samples[n * 9 / 10], n, (unsigned long long)((sum + n / 2) / n));
}

void report(const char *name)
{
    report_samples(name, iters);
}

void measure_overhead(void)
{
    overhead = 0;
    for (unsigned i = 0; i < iters; i++) {
        uint64_t t0 = bench_rdtsc();
        samples[i] = bench_rdtsc() - t0;
    }
    overhead = bench_median(samples, iters);
}

void bench_zero_page(void *page)
{
    void *d = page;
    uint64_t n = 4096;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(0) : "memory");
}
