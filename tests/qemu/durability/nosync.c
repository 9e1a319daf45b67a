/*
 * nosync.c — for the test of the test only (posix_lmdb_nosync): an fdatasync (and fsync)
 * that does not flush. Linked into a copy of apps/posix_lmdb's commit loop, they take the
 * place of musl's, so Debian's liblmdb.a commits without its data flush (LMDB calls fsync
 * instead of fdatasync when it believes the kernel older than 3.6); the LMDB durability
 * test must then fail (run-lmdb-durability-test nosync). The meta page's O_DSYNC write
 * still flushes: only the data flush is missing.
 */
int fdatasync(int fd)
{
    (void)fd;
    return 0;
}

int fsync(int fd)
{
    (void)fd;
    return 0;
}
