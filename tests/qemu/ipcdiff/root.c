/*
 * root.c — the root task of the differential IPC fuzz (ipcdiff.h): reads the options, sets
 * up the driver, the quiet detector and the workers of the three tasks, runs the seeds and
 * prints per seed
 *   IPCDIFF seed=<n> hash=<hex> ops=<n>
 * then one test line and the sentinel, and exits with the success code if every seed ran
 * to its end (its hash is ipcdiff-check's to compare across kernels). Command line:
 *   seed=N (first seed, default 1)  seeds=N (default 6)  ops=N (reports per seed, 400)
 *   verbose=1 (print each folded record)  strict=0 (fold only the words received, not
 *   MR0..MR7 beyond them: those must stay the receiver's own, so strict is the default)
 * Boot with tasks=ipcdiff,ipcdiff.
 */
#include "driver.h"
#include <l4/kdebug.h>

struct options opt = { .seed = 1, .seeds = 6, .ops = 400 };

static uint64_t cmdline_number(const char *key, uint64_t fallback)
{
    char v[24];
    uint64_t n = 0;
    if (rt_cmdline_get(key, v, sizeof(v)) || v[0] < '0' || v[0] > '9')
        return fallback;
    for (const char *p = v; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (uint64_t)(*p - '0');
    return n;
}

int main(void)
{
    opt.seed = cmdline_number("seed", opt.seed);
    opt.seeds = cmdline_number("seeds", opt.seeds);
    opt.ops = cmdline_number("ops", opt.ops);
    opt.verbose = cmdline_number("verbose", 0) != 0;
    opt.strict = cmdline_number("strict", 1) != 0;
    int bad = driver_setup();
    uint64_t done = 0;
    for (uint64_t i = 0; !bad && i < opt.seeds; i++, done++)
        bad = driver_run_seed(opt.seed + i);
    printf("IPCDIFF-DONE seeds=%lu of %lu from %lu, ops=%lu each at least%s\n", done,
           opt.seeds, opt.seed, opt.ops, opt.strict ? ", strict" : "");
    printf("%s 1 - ipcdiff.every_seed_ran_to_its_end\n", bad ? "not ok" : "ok");
    printf("ELLFOUR-KTEST-DONE tests=1 failed=%u\n", bad ? 1u : 0u);
    l4_kdb_exit(bad ? 0x11 : 0x10);
    return 0;
}
