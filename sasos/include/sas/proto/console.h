/*
 * sas/proto/console.h — the console driver's protocol, and its client stubs.
 *
 * The console driver (sasos/console) owns COM1 whole: its eight ports and IRQ 4. Its
 * thread id comes from the root task: root_service(root, ROOT_SERVICE_CONSOLE, &id)
 * (sas/proto/root.h). Every request is an IPC call to that thread; the reply's label is
 * an enum sas_error (SAS_OK = 0) and its words are given below.
 *
 * Bytes travel in the message words, not in shared memory: MR0 is a byte count n and the
 * bytes follow from MR1 on, eight to a word, in memory order (word 1 holds bytes 0..7 as
 * a little-endian load of them would). So u = 1 + ceil(n / 8), and one message carries at
 * most CONSOLE_IO_MAX bytes; the stubs below loop for more. Words 8 and up travel through
 * the UTCB (l4/utcb.h): a client must not limit rcv_max_words below 1 + 63.
 *
 * Requests (label; words):
 *   CONSOLE_WRITE     MR0 = n (0..CONSOLE_IO_MAX), MR1.. the bytes. Sent to the UART
 *                     before the reply, in order, with each "\n" sent as "\r\n" (a
 *                     terminal's ONLCR). Reply u = 1: MR0 = n.
 *   CONSOLE_READ      MR0 = max (1..CONSOLE_IO_MAX), MR1 = CONSOLE_READ_* flags. Blocks
 *                     until input is there: in CONSOLE_MODE_CANON, a whole line (up to and
 *                     with its "\n"; a line longer than max is returned over several
 *                     reads) or an end of file; otherwise at least one byte. Reply
 *                     u = 1 + ceil(n / 8): MR0 = n (1..max), MR1.. the bytes; n = 0 means
 *                     end of file (Ctrl-D typed at the start of a line, as on a Unix
 *                     terminal; the next read waits again). Readers are served in the order
 *                     they asked; what a reader that is gone by then (its task deleted)
 *                     cannot take goes to the next one.
 *   CONSOLE_INFO      no words. Reply u = 4: MR0 rows, MR1 columns, MR2 the current mode,
 *                     MR3 CONSOLE_INFO_* flags. The console is a terminal (CONSOLE_INFO_TTY):
 *                     a POSIX personality answers isatty() and ioctl(TIOCGWINSZ) from this.
 *                     Rows and columns are "console=ROWSxCOLS" from the kernel command line,
 *                     else 24 x 80 (a serial line cannot ask the terminal).
 *   CONSOLE_SET_MODE  MR0 = new mode (CONSOLE_MODE_* bits). Reply u = 1: MR0 the old mode.
 *                     Applies to input that arrives from then on.
 *
 * Line discipline (CONSOLE_MODE_CANON): a typed CR becomes "\n"; Backspace or DEL erases
 * the last character of the line, Ctrl-U the whole line; Ctrl-D ends the input (end of
 * file at the start of a line, else it hands over the partial line without a "\n"). With
 * CONSOLE_MODE_ECHO, what is typed is echoed (an erase as "\b \b"). A line is at most
 * CONSOLE_LINE_MAX bytes; what is typed past that is dropped, as a terminal beeps.
 *
 * Errors (u = 0):
 *   SAS_EINVAL   a count out of range, unknown flags or mode bits, a WRITE whose u does not
 *                match its n
 *   SAS_EBUSY    READ with CONSOLE_READ_NONBLOCK and nothing to return; or too many
 *                readers waiting already (CONSOLE_MAX_READERS)
 *   SAS_ENOTSUP  an unknown label
 * The stubs return SAS_EIO when the IPC itself fails — above all when the driver is gone
 * (a deleted thread: L4_ERR_NO_PARTNER, or a read cut off by its deletion), as a Unix
 * terminal that hung up answers EIO. They never block on a driver that no longer exists.
 */
#ifndef SAS_PROTO_CONSOLE_H
#define SAS_PROTO_CONSOLE_H

#include <stddef.h>
#include <l4/syscalls.h>
#include <l4/utcb.h>
#include <sas/errors.h>

#define CONSOLE_WRITE     0x434f0001u
#define CONSOLE_READ      0x434f0002u
#define CONSOLE_INFO      0x434f0003u
#define CONSOLE_SET_MODE  0x434f0004u

#define CONSOLE_IO_MAX        ((L4_MSG_MAX_WORDS - 1) * 8)   /* bytes per message: 504 */
#define CONSOLE_LINE_MAX      256u
#define CONSOLE_MAX_READERS   8u

#define CONSOLE_READ_NONBLOCK 0x1u
#define CONSOLE_READ_FLAGS    0x1u

#define CONSOLE_MODE_ECHO     0x1u
#define CONSOLE_MODE_CANON    0x2u
#define CONSOLE_MODE_ALL      0x3u
#define CONSOLE_MODE_DEFAULT  (CONSOLE_MODE_ECHO | CONSOLE_MODE_CANON)

#define CONSOLE_INFO_TTY      0x1u

struct console_info {
    unsigned rows, cols, mode, flags;
};

/* Words needed for n bytes after MR0. */
static inline unsigned console_words(size_t n) { return (unsigned)((n + 7) / 8); }

/* Message word i (0..L4_MSG_MAX_WORDS-1): a register word of m, or the UTCB's. */
static inline l4_word_t *console_word_(l4_msg_t *m, unsigned i)
{
    return i < L4_MSG_REG_WORDS ? &m->w[i] : &l4_utcb()->mr[i];
}

/* Puts n bytes (n <= CONSOLE_IO_MAX) in words 1.. of a message. */
static inline void console_pack(l4_msg_t *m, const void *src, size_t n)
{
    const uint8_t *s = (const uint8_t *)src;
    for (unsigned i = 0; i < console_words(n); i++) {
        l4_word_t w = 0;
        size_t left = n - (size_t)i * 8;
        __builtin_memcpy(&w, s + (size_t)i * 8, left < 8 ? left : 8);
        *console_word_(m, 1 + i) = w;
    }
}

/* Takes n bytes from words 1.. of a received message. */
static inline void console_unpack(l4_msg_t *m, void *dst, size_t n)
{
    uint8_t *d = (uint8_t *)dst;
    for (unsigned i = 0; i < console_words(n); i++) {
        l4_word_t w = *console_word_(m, 1 + i);
        size_t left = n - (size_t)i * 8;
        __builtin_memcpy(d + (size_t)i * 8, &w, left < 8 ? left : 8);
    }
}

static inline enum sas_error console_call_(l4_threadid_t con, uint32_t label, unsigned u,
                                           l4_msg_t *m, uint64_t *res_out)
{
    uint64_t res = l4_call(con, l4_msgtag(label, u, 0), m, L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER);
    if (res_out)
        *res_out = res;
    if (l4_ipc_error(res))
        return SAS_EIO;
    return (enum sas_error)l4_msgtag_label(l4_ipc_tag(res));
}

/*
 * Writes n bytes to the console, in messages of up to CONSOLE_IO_MAX bytes. *done (if
 * given) gets the bytes the driver took before any error. Returns SAS_OK, SAS_EIO (the
 * driver is gone) or the driver's error.
 */
static inline enum sas_error console_write(l4_threadid_t con, const void *buf, size_t n,
                                           size_t *done)
{
    const uint8_t *p = (const uint8_t *)buf;
    size_t sent = 0;
    enum sas_error e = SAS_OK;
    while (sent < n && !e) {
        size_t chunk = n - sent < CONSOLE_IO_MAX ? n - sent : CONSOLE_IO_MAX;
        l4_msg_t m = { { chunk } };
        console_pack(&m, p + sent, chunk);
        e = console_call_(con, CONSOLE_WRITE, 1 + console_words(chunk), &m, 0);
        if (!e)
            sent += chunk;
    }
    if (done)
        *done = sent;
    return e;
}

/*
 * Reads up to max bytes (1..CONSOLE_IO_MAX) into buf; *got gets the count (0: end of
 * file). Blocks as CONSOLE_READ says unless flags has CONSOLE_READ_NONBLOCK. Returns
 * SAS_OK, SAS_EBUSY, SAS_EINVAL or SAS_EIO (the driver is gone).
 */
static inline enum sas_error console_read(l4_threadid_t con, void *buf, size_t max,
                                          unsigned flags, size_t *got)
{
    l4_msg_t m = { { max, flags } };
    uint64_t res;
    *got = 0;
    enum sas_error e = console_call_(con, CONSOLE_READ, 2, &m, &res);
    if (e)
        return e;
    size_t n = m.w[0];
    if (n > max || l4_msgtag_u(l4_ipc_tag(res)) != 1 + console_words(n))
        return SAS_EIO;                      /* not a console's reply */
    console_unpack(&m, buf, n);
    *got = n;
    return SAS_OK;
}

/* The terminal's size, mode and flags (CONSOLE_INFO). Returns SAS_OK or SAS_EIO. */
static inline enum sas_error console_info(l4_threadid_t con, struct console_info *out)
{
    l4_msg_t m = { { 0 } };
    enum sas_error e = console_call_(con, CONSOLE_INFO, 0, &m, 0);
    if (!e)
        *out = (struct console_info){ (unsigned)m.w[0], (unsigned)m.w[1], (unsigned)m.w[2],
                                      (unsigned)m.w[3] };
    return e;
}

/* Sets the mode (CONSOLE_MODE_* bits); *old (if given) gets the previous one. */
static inline enum sas_error console_set_mode(l4_threadid_t con, unsigned mode, unsigned *old)
{
    l4_msg_t m = { { mode } };
    enum sas_error e = console_call_(con, CONSOLE_SET_MODE, 1, &m, 0);
    if (!e && old)
        *old = (unsigned)m.w[0];
    return e;
}

#endif
