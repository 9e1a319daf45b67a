/*
 * consread.c — console reads that do not hold the system thread. A blocking read of a
 * console descriptor is deferred as a futex wait is: the caller is queued and the system
 * thread goes on serving every other thread. The CONSOLE_READ itself, which blocks until a
 * line is typed, is made by the task's reader thread (lthread POSIX_READER_LTHREAD, native
 * code of this image, created at the first such read), into its own buffer. It then calls
 * the system thread with CONSREAD_DONE; the system thread (main.c routes the note here,
 * checking its sender) copies the bytes to the oldest waiter's buffers, answers it with
 * posix_answer, and replies to the note with the next waiter's request, or leaves the
 * reader waiting for one. The reader cannot answer a waiter itself: the kernel takes the
 * answer to a thread's system call only from its exception handler, the system thread.
 *
 * Waiters are served one at a time, in the order they asked (the console keeps order
 * among its readers too), each with one CONSOLE_READ: a line in canonical mode, scattered
 * over the buffers of a readv as Linux's terminal does. A program that ends with a read
 * pending takes the reader with it: root deletes the whole task, and the console gives
 * the line it would have had to its next reader (sas/proto/console.h).
 */
#include "systhread.h"
#include <sas/proto/console.h>

#define READER_STACK 8192u

static struct console_wait {
    l4_threadid_t t;
    uint64_t iov, cnt;                   /* the user's buffers: an lx_iovec array, or... */
    uint64_t buf, len;                   /* ...one buffer (iov 0) */
    uint64_t room;                       /* what one read may bring: wait_room() */
} waits[POSIX_MAX_THREADS];
static unsigned nwaits;

static l4_threadid_t reader = L4_NILTHREAD, systhread;
static int reader_idle;                  /* the reader waits for our reply to its note */
static uint8_t reader_buf[CONSOLE_IO_MAX];
static char reader_stack[READER_STACK] __attribute__((aligned(16)));

/* The reader thread: one CONSOLE_READ per request, each result told in the next call. */
static __attribute__((noreturn)) void reader_main(void)
{
    l4_msg_t m = { { 0, CONSREAD_NONE } };
    for (;;) {
        uint64_t res = l4_call(systhread, l4_msgtag(CONSREAD_DONE, 2, 0), &m,
                               L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
        size_t got = 0;
        enum sas_error e = SAS_EIO;
        if (!l4_ipc_error(res) && l4_msgtag_label(l4_ipc_tag(res)) == CONSREAD_REQUEST) {
            size_t max = m.w[0] < CONSOLE_IO_MAX ? m.w[0] : CONSOLE_IO_MAX;
            e = console_read(pt.console, reader_buf, max, 0, &got);
        }
        m = (l4_msg_t){ { got, e } };
    }
}

/* The bytes a wait can take: all its buffers, up to one message of the console. */
static uint64_t wait_room(const struct console_wait *w)
{
    const struct lx_iovec *v = (const struct lx_iovec *)w->iov;
    uint64_t room = w->iov ? 0 : w->len;
    for (uint64_t i = 0; w->iov && i < w->cnt && room < CONSOLE_IO_MAX; i++)
        room += v[i].len < CONSOLE_IO_MAX - room ? v[i].len : CONSOLE_IO_MAX - room;
    return room < CONSOLE_IO_MAX ? room : CONSOLE_IO_MAX;
}

/* Copies n bytes of src (NULL: only checks) into the wait's buffers, each checked with
 * mapper_user: at the request, and again at the answer, as the program may have unmapped
 * them meanwhile. n, or -EFAULT. */
static int64_t scatter(const struct console_wait *w, const uint8_t *src, uint64_t n)
{
    struct lx_iovec one = { w->buf, w->len };
    const struct lx_iovec *v = w->iov ? (const struct lx_iovec *)w->iov : &one;
    uint64_t cnt = w->iov ? w->cnt : 1, done = 0;
    if (w->iov && mapper_user(w->iov, cnt * sizeof(*v), L4_FPAGE_R))
        return -LX_EFAULT;
    for (uint64_t i = 0; i < cnt && done < n; i++) {
        uint64_t k = v[i].len < n - done ? v[i].len : n - done;
        if (mapper_user(v[i].base, k, L4_FPAGE_W))
            return -LX_EFAULT;
        if (src)
            memcpy((void *)v[i].base, src + done, k);
        done += k;
    }
    return (int64_t)n;
}

/* The result of a CONSOLE_READ of n bytes in buf, as read() returns it. */
static int64_t read_result(const struct console_wait *w, enum sas_error e, const uint8_t *buf,
                           uint64_t n)
{
    if (e)
        return e == SAS_EBUSY ? -LX_EAGAIN : -LX_EIO;
    return scatter(w, buf, n);
}

/* Starts the reader, once; its first note asks for the oldest waiter's request. 0, or
 * -1 if it cannot be had (then reads block the system thread, as they did before it). */
static int reader_start(void)
{
    static int failed;
    uint64_t err;
    if (failed)
        return -1;
    systhread = l4_myself();
    reader = rt_thread_start(POSIX_READER_LTHREAD, reader_main, reader_stack,
                             sizeof(reader_stack), &err);
    if (l4_tid_is_nil(reader)) {
        printf("posix: task %u '%s': no reader thread (error %lu): console reads block\n",
               pt.task, pt.name, err);
        failed = 1;
        return -1;
    }
    return 0;
}

/* The request for the oldest waiter, in m; its tag. */
static l4_msgtag_t request(l4_msg_t *m)
{
    m->w[0] = waits[0].room;
    return l4_msgtag(CONSREAD_REQUEST, 1, 0);
}

/* The read now, into a buffer of ours, when it may not wait. */
static int64_t read_now(const struct console_wait *w, int nonblock)
{
    uint8_t buf[CONSOLE_IO_MAX];
    size_t got;
    enum sas_error e = console_read(pt.console, buf, w->room,
                                    nonblock ? CONSOLE_READ_NONBLOCK : 0, &got);
    return read_result(w, e, buf, got);
}

/* The caller waits (POSIX_DEFERRED) unless the read is done now: nothing to read into,
 * a bad buffer, O_NONBLOCK, or no reader thread. */
static int64_t consread(struct console_wait *w, int nonblock)
{
    w->room = wait_room(w);
    if (!w->room || scatter(w, 0, w->room) < 0)
        return w->room ? -LX_EFAULT : 0;
    if (nonblock && nwaits)
        return -LX_EAGAIN;               /* earlier readers come first */
    if (nonblock || (l4_tid_is_nil(reader) && reader_start()))
        return read_now(w, nonblock);
    if (nwaits == POSIX_MAX_THREADS)
        return -LX_EAGAIN;               /* cannot happen: one read per thread */
    waits[nwaits++] = *w;
    if (nwaits == 1 && reader_idle) {
        l4_msg_t m;
        reader_idle = 0;
        l4_send(reader, request(&m), &m, L4_TIMEOUT_ZERO);   /* it waits for this */
    }
    return POSIX_DEFERRED;
}

int64_t consread_one(l4_threadid_t who, uint64_t buf, uint64_t len, int nonblock)
{
    struct console_wait w = { who, 0, 0, buf, len, 0 };
    return consread(&w, nonblock);
}

int64_t consread_vector(l4_threadid_t who, uint64_t iov, uint64_t cnt, int nonblock)
{
    struct console_wait w = { who, iov, cnt, 0, 0, 0 };
    return consread(&w, nonblock);
}

int consread_is_reader(l4_threadid_t t)
{
    return !l4_tid_is_nil(reader) && t == reader;
}

l4_msgtag_t consread_done(l4_msg_t *m)
{
    if (m->w[1] != CONSREAD_NONE && nwaits) {
        struct console_wait w = waits[0];
        uint64_t n = m->w[0] < w.room ? m->w[0] : w.room;
        for (unsigned i = 0; i + 1 < nwaits; i++)
            waits[i] = waits[i + 1];
        nwaits--;
        posix_answer(w.t, read_result(&w, (enum sas_error)m->w[1], reader_buf, n));
    }
    reader_idle = !nwaits;
    return nwaits ? request(m) : 0;
}
