/*
 * posix_frames — anonymous memory of a musl program, as the system thread gets it from root
 * in batches (docs/POSIX.md, sas/proto/root.h). Each check prints "posix_frames: NAME: ok"
 * (or FAILED); the exit code is the number of failed checks, which root reports.
 *   no_frame_without_populate  1 GiB mapped without MAP_POPULATE, four times the machine's
 *                              memory: only its two touched pages take frames
 *   populate                   MAP_POPULATE maps every page at once (read back as zeros)
 *   churn                      384 MiB mapped, touched and unmapped 4 MiB at a time: more
 *                              than sigma0 has free, so frames must come back by handle;
 *                              every fresh page reads zero (recycled frames are zeroed)
 *   split_unmap                pages of one mapping unmapped in three pieces, out of order
 *   loose_frames_come_back     two 96 MiB mappings touched page by page in turn, so each
 *                              batch is half one's, half the other's; one unmapped (its
 *                              frames freed, their batches still half held), then 96 MiB
 *                              more touched: more than sigma0 has left, so root must give
 *                              the freed frames of batches not yet whole back to sigma0
 *   bad_batch_refused          root refuses frames anywhere but the batch window, a batch
 *                              larger than the window, and handles the task does not hold
 *                              (SAS_EINVAL, logged by root), and the task runs on
 * The batch left in the window at exit goes back with the task (root's frames_returned).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sas/layout.h>
#include <sas/proto/root.h>

#define PAGE 4096u
#define MIB (1024u * 1024u)
#define CHUNK (4u * MIB)
#define CHURN (384u * MIB)

static int check(const char *what, int ok)
{
    printf("posix_frames: %s: %s\n", what, ok ? "ok" : "FAILED");
    return !ok;
}

static void *map(size_t len, int flags)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static int no_frame_without_populate(void)
{
    size_t len = 1024u * MIB;
    volatile uint8_t *p = map(len, 0);
    if (!p)
        return 0;
    p[0] = 1;
    p[len - 1] = 2;
    int ok = p[0] == 1 && p[len - 1] == 2 && p[len / 2] == 0;   /* a third page: a read */
    return munmap((void *)p, len) == 0 && ok;
}

static int populate(void)
{
    size_t len = 64 * PAGE;
    const uint64_t *p = map(len, MAP_POPULATE);
    if (!p)
        return 0;
    int ok = 1;
    for (size_t i = 0; i < len / 8; i++)
        ok &= p[i] == 0;
    return munmap((void *)p, len) == 0 && ok;
}

/* First, middle and last word of every page zero, then written with its number. */
static int churn_chunk(uint64_t *p, uint64_t tag)
{
    int ok = 1;
    for (size_t pg = 0; pg < CHUNK / PAGE; pg++) {
        uint64_t *w = p + pg * (PAGE / 8);
        ok &= w[0] == 0 && w[PAGE / 16] == 0 && w[PAGE / 8 - 1] == 0;
        w[0] = w[PAGE / 16] = w[PAGE / 8 - 1] = tag + pg;
    }
    for (size_t pg = 0; pg < CHUNK / PAGE; pg++)
        ok &= p[pg * (PAGE / 8) + PAGE / 16] == tag + pg;
    return ok;
}

static int churn(void)
{
    for (uint64_t n = 0; n < CHURN / CHUNK; n++) {
        uint64_t *p = map(CHUNK, 0);
        if (!p || !churn_chunk(p, n << 32) || munmap(p, CHUNK)) {
            printf("posix_frames: churn failed at chunk %lu of %u\n", (unsigned long)n,
                   CHURN / CHUNK);
            return 0;
        }
    }
    return 1;
}

static int split_unmap(void)
{
    size_t n = 200;
    uint8_t *p = map(n * PAGE, 0);
    if (!p)
        return 0;
    for (size_t i = 0; i < n; i++)
        p[i * PAGE] = (uint8_t)i;
    int ok = munmap(p + 50 * PAGE, 100 * PAGE) == 0;
    for (size_t i = 0; i < n; i++)
        if (i < 50 || i >= 150)
            ok &= p[i * PAGE] == (uint8_t)i;
    ok &= munmap(p + 150 * PAGE, 50 * PAGE) == 0 && munmap(p, 50 * PAGE) == 0;
    return ok;
}

static int loose_frames_come_back(void)
{
    size_t len = 96u * MIB;
    uint8_t *a = map(len, 0), *b = map(len, 0), *c = NULL;
    if (!a || !b)
        return 0;
    for (size_t i = 0; i < len; i += PAGE)
        a[i] = 1, b[i] = 2;
    int ok = munmap(a, len) == 0 && (c = map(len, 0)) != NULL;
    for (size_t i = 0; ok && i < len; i += PAGE) {
        ok &= c[i] == 0;
        c[i] = 3;
    }
    for (size_t i = 0; ok && i < len; i += PAGE)
        ok &= b[i] == 2 && c[i] == 3;
    return munmap(b, len) == 0 && (!c || munmap(c, len) == 0) && ok;
}

/* Root's answer to a batch request for the flexpage f (never granted: f is bad). */
static enum sas_error ask_batch(l4_fpage_t f)
{
    uint32_t first = 0;
    return root_frames_batch(root_find(), f, &first);
}

static int bad_batch_refused(void)
{
    uint8_t *p = map(16 * PAGE, 0);
    if (!p)
        return 0;
    /* Handles not ours: root's first frame (its own or another task's), one past any
     * handle root hands out, and an empty run. */
    uint64_t runs[3] = { root_frames_run(0, 1), root_frames_run(0xfffffff0u, 1),
                         root_frames_run(7, 0) };
    int ok = ask_batch(l4_fpage((uint64_t)p, 12, L4_FPAGE_RW)) == SAS_EINVAL &&
             ask_batch(l4_fpage((uint64_t)p, 16, L4_FPAGE_RW)) == SAS_EINVAL &&
             ask_batch(l4_fpage(SAS_FRAME_BATCH_ADDR + PAGE, 12, L4_FPAGE_RW)) == SAS_EINVAL &&
             ask_batch(l4_fpage(SAS_FRAME_BATCH_ADDR, 13 + SAS_FRAME_BATCH_LOG2,
                                L4_FPAGE_RW)) == SAS_EINVAL &&
             root_frames_free(root_find(), &runs[0], 1) == SAS_EINVAL &&
             root_frames_free(root_find(), &runs[1], 1) == SAS_EINVAL &&
             root_frames_free(root_find(), &runs[2], 1) == SAS_EINVAL;
    /* Nothing landed at p: its first touch still gets a fresh zeroed frame. */
    ok &= p[0] == 0 && p[15 * PAGE] == 0;
    p[0] = 1;
    return munmap(p, 16 * PAGE) == 0 && ok;
}

int main(void)
{
    int failed = check("no_frame_without_populate", no_frame_without_populate());
    failed += check("populate", populate());
    failed += check("churn", churn());
    failed += check("split_unmap", split_unmap());
    failed += check("loose_frames_come_back", loose_frames_come_back());
    failed += check("bad_batch_refused", bad_batch_refused());
    printf("posix_frames: done, %d failed\n", failed);
    return failed;
}
