/*
 * ktest.h — the in-guest test framework. Tests register with KTEST(suite, name, fn) and
 * run as threads of the test root task; fn returns 0 for pass. The runner prints
 * "Starting test N: NAME", then "ok N - NAME" or "not ok N - NAME", and ends with one
 * sentinel line and the success exit code only if every selected test passed.
 */
#ifndef KTEST_H
#define KTEST_H

#include <native/rt.h>
#include <l4/errors.h>
#include <l4/kdebug.h>
#include <l4/utcb.h>

struct ktest {
    const char *suite;
    const char *name;
    int (*fn)(void);
};

#define KTEST(suite_, name_, fn_)                                                  \
    static int fn_(void);                                                          \
    static const struct ktest ktest_##fn_                                          \
        __attribute__((used, section("ktests"), aligned(8))) = { suite_, name_, fn_ }; \
    static int fn_(void)

#define KT_FAIL(...) do { printf("  FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); \
                          printf("\n"); return 1; } while (0)
#define KT_ASSERT(c) do { if (!(c)) KT_FAIL("%s", #c); } while (0)
#define KT_EQ(a, b) do { uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b); \
                         if (a_ != b_) KT_FAIL("%s == %s: %lx != %lx", #a, #b, a_, b_); } while (0)

/* Helper threads: lthread slots 1..KT_SLOTS, each with its own stack. kt_spawn (re)starts
 * a slot at fn with priority DEFAULT (100); the runner halts every slot after each test. */
#define KT_SLOTS 16
#define KT_PRIO 100
l4_threadid_t kt_spawn(unsigned slot, void (*fn)(void));
l4_threadid_t kt_slot_id(unsigned slot);
void kt_halt_all(void);
uint64_t kt_state(l4_threadid_t t);          /* state word via thread_schedule */
int kt_set_prio(l4_threadid_t t, unsigned prio);
void kt_park(void) __attribute__((noreturn));   /* a helper's end: halts itself */
/* Runs fn in slot 1 and checks that it stopped with exception `vector` (and, if not 0,
 * fault address fault_addr) before it set kt_survived: 0, or 1 with a FAIL line. */
extern volatile uint64_t kt_survived;
int kt_expect_stop(void (*fn)(void), unsigned vector, uint64_t fault_addr);
/* The check of kt_expect_stop for the thread in `slot`: stopped by exception `vector`
 * (and, if not 0, at fault_addr); 0, or 1 with a FAIL line. */
int kt_expect_stopped(unsigned slot, unsigned vector, uint64_t fault_addr);
/* Gives the thread in `slot` the main thread's pager and exception handler again. */
void kt_main_handlers(unsigned slot);
/* Lets other threads run until cond() holds or `ticks` timer ticks pass; 1 if it held. */
int kt_wait_until(int (*cond)(void), uint64_t ticks);
extern l4_threadid_t kt_main;

#endif
