/*
 * crash.c — no capability outlives its object across a crash (run-sas-live "crash").
 * CRASH_MODE 1 (domain crashers): creates "keep" and "lost", stores lost's owner
 *   capability in keep, commits keep alone, says it is ready and waits to be killed.
 * CRASH_MODE 2 (domain others, next boot): creates an object, which takes lost's base
 *   (lost never reached the store), and commits it.
 * CRASH_MODE 3 (domain crashers, next boot): finds the old capability in keep; adding it to
 *   its list again is refused; it is refused the new object's information, and then reads
 *   it: that read must end this program with the denial line (exit 139), so reaching the
 *   end is a failure.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sas.h>
#include <sas/layout.h>

struct keep {
    uint64_t lost_base;
    struct cap lost_cap;
};

static int fail(const char *what, enum sas_error e)
{
    printf("sas_crash: %s: %s\n", what, sas_strerror(e));
    return 1;
}

int main(void)
{
    void *keep, *lost, *other;
    struct cap cap;
    struct sas_info info;
    enum sas_error e;
    switch (CRASH_MODE) {
    case 1:
        if ((e = sas_create(4096, SAS_PERSISTENT, "keep", 0, &keep)))
            return fail("create keep", e);
        if ((e = sas_create(4096, SAS_PERSISTENT, "lost", &cap, &lost)))
            return fail("create lost", e);
        memset(lost, 0x5a, 4096);
        ((struct keep *)keep)->lost_base = (uint64_t)(uintptr_t)lost;
        ((struct keep *)keep)->lost_cap = cap;
        if ((e = sas_commit(&keep, 1)))
            return fail("commit keep", e);
        printf("sas_crash: keep at %p, lost at %p with epoch %lu\n", keep, lost,
               (unsigned long)cap.epoch);
        printf("sas_crash: ready\n");
        fflush(stdout);
        for (;;) {
            struct timespec t = { 1, 0 };
            nanosleep(&t, 0);
        }
    case 2:
        if ((e = sas_create(4096, SAS_PERSISTENT, "other", &cap, &other)))
            return fail("create", e);
        if ((e = sas_commit(&other, 1)))
            return fail("commit", e);
        printf("sas_crash: other domain created at %p, epoch %lu\n", other,
               (unsigned long)cap.epoch);
        return other == (void *)(SAS_OBJECT_BASE + 4096) ? 0 : 1;
    default: {
        const struct keep *k = (const struct keep *)SAS_OBJECT_BASE;
        if ((e = sas_info(k, &info)) || strcmp(info.label, "keep"))
            return fail("keep is not there", e);
        printf("sas_crash: the old capability names epoch %lu at 0x%lx\n",
               (unsigned long)k->lost_cap.epoch, (unsigned long)k->lost_base);
        /* Presented again, the old owner capability is refused: the object at its base now
         * has another epoch (were epochs reused after the crash, it would verify). */
        e = sas_cap_add(&k->lost_cap);
        printf("sas_crash: the old capability, added again: %s\n", sas_strerror(e));
        if (e == SAS_OK)
            return 1;
        e = sas_info((void *)k->lost_base, &info);
        printf("sas_crash: the new object's information: %s\n", sas_strerror(e));
        if (e != SAS_ECAP_DENIED)
            return 1;
        fflush(stdout);
        volatile const char *p = (const char *)k->lost_base;
        printf("sas_crash: read %d: the old capability granted something\n", *p);
        return 1;
    }
    }
}
