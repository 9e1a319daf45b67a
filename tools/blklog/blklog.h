/*
 * blklog.h — reading a QEMU blklogwrites log and replaying it onto a disk image, flush
 * point by flush point, for crash-consistency tests (tests/qemu/durability).
 *
 * The log is the format of Linux's dm-log-writes as QEMU 7.2's block/blklogwrites.c writes
 * it, all fields little-endian: sector 0 holds the super block (magic, version, the number
 * of entries, the log's sector size); entries follow from sector 1, each one sector of
 * header (sector, nr_sectors, flags, data_len) padded to the sector size, then nr_sectors
 * sectors of data (none for a discard). `sector` and `nr_sectors` count log sectors (the
 * log-sector-size option, 512 by default). A flush is an entry with BLKLOG_FLUSH and no
 * data; QEMU logs a guest flush only when a write came since the last one. The super
 * block's entry count is rewritten at every flush, so entries after the last flush that
 * were never counted are ignored (they were not durable anyway).
 *
 * Replay. Flush point k (1-based) is the image holding every write logged before the k-th
 * flush: what a disk must hold once that flush has returned. A write completed before a
 * flush may still sit in a volatile cache until the flush, in any order, so for the
 * interval ending at flush k the replay also produces, for each write of the interval in
 * turn, the image of flush point k-1 plus every other write of the interval ("drop"). The
 * image is changed in place; each drop image is undone from the sectors saved before the
 * interval. A trailing interval without a flush is only replayed with drops if asked
 * (BLKLOG_TAIL): no flush promised its writes.
 */
#ifndef BLKLOG_H
#define BLKLOG_H

#include <stddef.h>
#include <stdint.h>

#define BLKLOG_MAGIC    0x6a736677736872ULL
#define BLKLOG_VERSION  1ULL

#define BLKLOG_FLUSH    (1u << 0)
#define BLKLOG_FUA      (1u << 1)
#define BLKLOG_DISCARD  (1u << 2)
#define BLKLOG_MARK     (1u << 3)
#define BLKLOG_FLAGS    (BLKLOG_FLUSH | BLKLOG_FUA | BLKLOG_DISCARD | BLKLOG_MARK)

/* On-disk layouts (packed, little-endian). */
struct blklog_super {
    uint64_t magic, version, nr_entries;
    uint32_t sectorsize;
} __attribute__((packed));

struct blklog_entry_hdr {
    uint64_t sector, nr_sectors, flags, data_len;
} __attribute__((packed));

_Static_assert(sizeof(struct blklog_super) == 28, "super block layout");
_Static_assert(sizeof(struct blklog_entry_hdr) == 32, "entry layout");

/* One entry, decoded: `data` is the byte offset of its data in the log file. */
struct blklog_entry {
    uint64_t sector, nr_sectors, flags, data;
};

struct blklog {
    int fd;
    uint32_t sector_size;
    size_t n;                       /* entries */
    size_t flushes;                 /* entries with BLKLOG_FLUSH */
    struct blklog_entry *e;
};

enum blklog_error {
    BLKLOG_OK = 0,
    BLKLOG_EIO = -1,                /* reading the log or the image failed */
    BLKLOG_EFORMAT = -2,            /* not a blklogwrites log, or a damaged one */
    BLKLOG_ENOMEM = -3,
};

enum blklog_kind { BLKLOG_POINT_FLUSH, BLKLOG_POINT_DROP };

/* What the visitor is shown: the image (image_fd) is in this state during the call. */
struct blklog_point {
    enum blklog_kind kind;
    size_t flush;                   /* flush point k; for a drop, the interval ending at k */
    size_t entry;                   /* DROP: the index of the write left out */
    size_t nth;                     /* DROP: its position among the interval's writes (0..) */
    size_t writes;                  /* writes in the interval ending at k */
    int tail;                       /* the trailing interval, no flush after it */
};

/* Returns 0 if the image passes, anything else counts as a failure. */
typedef int (*blklog_visit_fn)(void *ctx, int image_fd, const struct blklog_point *p);

#define BLKLOG_DROPS  0x1u          /* produce the drop-one-write images */
#define BLKLOG_TAIL   0x2u          /* also the trailing interval (with BLKLOG_DROPS) */

/*
 * Reads the super block and the entry index of the log at `fd` (kept open, owned by the
 * caller). Returns BLKLOG_OK, BLKLOG_EIO, BLKLOG_EFORMAT (bad magic, version or sector
 * size, unknown flags, an entry past the end of the file) or BLKLOG_ENOMEM.
 */
int blklog_open(struct blklog *log, int fd);
void blklog_close(struct blklog *log);

/*
 * Replays `log` onto the image at `image_fd` (the disk as it was when logging began),
 * calling `visit` at every flush point and, with BLKLOG_DROPS, for every drop image.
 * Returns the number of visits that failed (>= 0), or a negative enum blklog_error.
 * `visits`, if not NULL, gets the number of visits made.
 */
long blklog_replay(const struct blklog *log, int image_fd, unsigned opts,
                   blklog_visit_fn visit, void *ctx, size_t *visits);

#endif
