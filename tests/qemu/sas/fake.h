/*
 * fake.h — what the test's stand-ins for the servers of the single address space
 * (fakesrv.c) answer on their server thread, for lockprobe.c. Labels and replies as the
 * real protocols' (sas/proto/): the reply's label is an enum sas_error.
 *   FAKE_DISK    to "persist": a page written to /disk, flushed and read back. SAS_OK, or
 *                SAS_EIO if any step failed.
 *   FAKE_DOMAIN  to "objmgr": MR0 = a task number; root's ROOT_TASK_DOMAIN answer for it,
 *                passed on (SAS_OK, u = 5: lthread 0, the domain's 32 bytes; or its error).
 */
#ifndef FAKE_H
#define FAKE_H

#define FAKE_DISK   0x46414b01u
#define FAKE_DOMAIN 0x46414b02u

#endif
